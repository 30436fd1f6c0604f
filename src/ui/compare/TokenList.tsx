import { displayToken } from '../tokenText';

/**
 * A compact ranked token list; `marked` tokens get a highlight (and the label explains why). With `mark="shared"`
 * the highlight is the palette's shared colour (palette.ts), a gold dot as in the Explorer's base column.
 */
export function TokenList({
  ids,
  texts,
  marked,
  markLabel,
  mark = 'accent',
  testId,
}: {
  ids: number[];
  texts: Record<number, string>;
  marked?: ReadonlySet<number>;
  markLabel?: string;
  mark?: 'accent' | 'shared';
  testId?: string;
}) {
  return (
    <ol className="token-list" data-testid={testId}>
      {ids.map((id, i) => {
        const isMarked = marked?.has(id) ?? false;
        return (
          <li
            key={`${id}-${i}`}
            data-testid="list-token"
            data-token-id={id}
            data-marked={isMarked ? 'true' : 'false'}
            className={isMarked && mark === 'accent' ? 'marked' : undefined}
            title={isMarked ? markLabel : undefined}
          >
            {isMarked && mark === 'shared' && <span className="shared-mark" aria-hidden="true" />}
            {displayToken(texts[id] ?? `#${id}`)}
            {isMarked && markLabel && <span className="sr-only"> ({markLabel})</span>}
          </li>
        );
      })}
    </ol>
  );
}
