import { displayToken } from '../tokenText';

/** A compact ranked token list; `marked` tokens get a highlight (and the label explains why). */
export function TokenList({
  ids,
  texts,
  marked,
  markLabel,
  testId,
}: {
  ids: number[];
  texts: Record<number, string>;
  marked?: ReadonlySet<number>;
  markLabel?: string;
  testId?: string;
}) {
  return (
    <ol className="token-list" data-testid={testId}>
      {ids.map((id, i) => (
        <li
          key={`${id}-${i}`}
          data-testid="list-token"
          data-token-id={id}
          data-marked={marked?.has(id) ? 'true' : 'false'}
          className={marked?.has(id) ? 'marked' : undefined}
          title={marked?.has(id) ? markLabel : undefined}
        >
          {displayToken(texts[id] ?? `#${id}`)}
        </li>
      ))}
    </ol>
  );
}
