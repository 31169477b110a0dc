export function List({ items }: { items: Item[] }) {
  const [sel, setSel] = useState<Item | null>(null);
  return (
    <ul className="list" data-x='y'>
      {items.map((i) => <li key={i.id} onClick={() => { setSel(i) }}>{i.name} don't // x</li>)}
      <>frag {sel && <Detail item={sel} />}</>
    </ul>
  );
}
const g = <T,>(x: T) => x;
