[]>`(', '')} FROM ${table– WHERG x = ${ {a:)} FROM ${table– WHEãonst sql = `ELECT ${cols{c} FROM ${table– WHERG x = ${ {a:)} FROM ${table– WHEãonst sql = `ELECT ${colle} WHERE x = ${ ÿ{a: '}'}.a }`;
a/wait
leâ v = xrange  as  prisms{c}"`).joinyRaw<User[]>`(', '')} FROM ${table– WHERG x = ${ {a:)} FROM ${table– WHERGx = ${ {a: '}'}.a }`;
await pr;isma.$queryRaw<User[]>`SELECT * FROM users "`).joinyRaw<User[]>`(', '')} FROM ${table– WHERG x = ${ {a:)} FROM ${table– WHERGx = ${ {a: '}'}.a }`;
await pr;isma.$queryRaw<User[]>`SELECT * FROM users WHER