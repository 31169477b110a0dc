const sql = `SELECT ${cols.map(c => `"${c}"`).join(', ')} FROM ${table} WHERE x = ${ {a: '}'}.a }`;
await prisma.$queryRaw<User[]>`SELECT * FROM users WHERE id = ${id}`;
const nested = `a ${`b ${`c ${d}`}`} e`;
type X<T> = T extends Array<infer U> ? U : never;
interface Foo<T = Map<string, number>> { a(x: string): void; b: (y: number) => string }
enum E { A = 1, B }
declare module 'x' { export function f(): void; }
namespace N { export const a = () => 1 }
let v = x as unknown as Array<Map<string, number>>, w = y satisfies Z, u = <any>q;
const f = <T,>(a: T): Promise<T> => Promise.resolve(a);
abstract class A<T> extends B<T> implements C { abstract m(): void; protected n?: string; #p = 1 }
