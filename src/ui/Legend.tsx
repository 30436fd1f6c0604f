/** The swatch classes styles.css defines, one per meaning (palette.ts). */
export type Swatch = 'in-text' | 'not-in-text' | 'pc1-part' | 'rest-part' | 'total' | 'v1' | 'shared';

/** What each colour of a chart means; every chart or list that colours by meaning has one. */
export function Legend({ items, testId, label = 'Legend' }: { items: { swatch: Swatch; text: string }[]; testId?: string; label?: string }) {
  return (
    <ul className="legend" data-testid={testId} aria-label={label}>
      {items.map(({ swatch, text }) => (
        <li key={swatch} data-swatch={swatch}>
          <span className={`swatch ${swatch}`} aria-hidden="true" />
          {text}
        </li>
      ))}
    </ul>
  );
}
