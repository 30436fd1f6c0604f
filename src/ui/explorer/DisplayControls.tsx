import { useShallow } from 'zustand/react/shallow';
import { useDisplay } from '../../state/displayStore';

/**
 * How the explorer reads: the columns' metrics over content tokens (default) or all tokens as the paper
 * defines them, and byte / special tokens hidden from every token list (default) or shown.
 */
export function DisplayControls() {
  const { metrics, hideNoise, setMetrics, setHideNoise } = useDisplay(
    useShallow((s) => ({ metrics: s.metrics, hideNoise: s.hideNoise, setMetrics: s.setMetrics, setHideNoise: s.setHideNoise })),
  );
  return (
    <div className="display-controls" data-testid="display-controls">
      <fieldset>
        <legend>Metrics over</legend>
        <label title="The text's tokens that are not punctuation, stop words or among the most frequent tokens">
          <input type="radio" name="metric-set" data-testid="metrics-content" checked={metrics === 'content'} onChange={() => setMetrics('content')} />
          content tokens
        </label>
        <label title="Every token of the text, as the paper defines Hit@k and LAR (§3.2)">
          <input type="radio" name="metric-set" data-testid="metrics-all" checked={metrics === 'all'} onChange={() => setMetrics('all')} />
          all tokens (paper)
        </label>
      </fieldset>
      <label title="Tokens that are only a piece of a character (<0xBB>) or special tokens (<|endoftext|>)">
        <input type="checkbox" data-testid="hide-noise" checked={hideNoise} onChange={(e) => setHideNoise(e.currentTarget.checked)} />
        hide byte and special tokens
      </label>
    </div>
  );
}
