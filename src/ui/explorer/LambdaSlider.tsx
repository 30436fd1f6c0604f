import { useId } from 'react';
import { sliderBound } from '../../state/lambdaRange';
import { Legend } from '../Legend';

/**
 * λ for h + λ·u_1 (paper §4.2). The range covers both signs around v_1 (the
 * embedder's mean shift along u_1), which is marked and one click away.
 */
export function LambdaSlider({
  lambda,
  v1,
  onChange,
  estimating,
}: {
  lambda: number;
  v1: number;
  onChange: (value: number) => void;
  /** The pair's PC1 sample is still being embedded: no u₁ yet, so the slider waits (and says how far it is). */
  estimating?: { done: number; total: number; movedDegrees?: number; error?: string };
}) {
  const id = useId();
  const statusId = useId();
  const disabled = estimating !== undefined;
  const bound = sliderBound(v1);
  // A round step, so that values such as v_1 or a λ from a link are not snapped away.
  const step = bound <= 4 ? 0.01 : 0.05;
  const markerPercent = ((v1 + bound) / (2 * bound)) * 100;
  return (
    <div className="lambda">
      <label htmlFor={id}>
        λ along PC1 <output>{lambda.toFixed(2)}</output>
      </label>
      <div className="slider-track">
        <input
          id={id}
          data-testid="lambda-slider"
          type="range"
          min={-bound}
          max={bound}
          step={step}
          value={lambda}
          onChange={(e) => onChange(Number(e.currentTarget.value))}
          aria-valuetext={`λ = ${lambda.toFixed(2)}; v1 = ${v1.toFixed(2)}`}
          disabled={disabled}
          aria-describedby={disabled ? statusId : undefined}
        />
        {!disabled && <span className="v1-marker" style={{ left: `${markerPercent}%` }} title={`v₁ = ${v1.toFixed(3)}`} aria-hidden="true" />}
      </div>
      {!disabled && (
        <Legend testId="slider-legend" label="Slider marks" items={[{ swatch: 'v1', text: `v₁ = ${v1.toFixed(2)}, the embedder's mean shift along u₁` }]} />
      )}
      {estimating && <DirectionStatus id={statusId} {...estimating} />}
      <div className="lambda-buttons">
        <button type="button" onClick={() => onChange(0)} disabled={disabled || lambda === 0}>
          λ = 0
        </button>
        <button type="button" data-testid="lambda-v1" onClick={() => onChange(v1)} disabled={disabled}>
          λ = v₁ ({v1.toFixed(2)})
        </button>
      </div>
    </div>
  );
}

/** Why the slider waits: the sample being embedded (with a progress bar), or why u₁ could not be had. */
function DirectionStatus({ id, done, total, movedDegrees, error }: { id: string; done: number; total: number; movedDegrees?: number; error?: string }) {
  if (error) {
    return (
      <p id={id} className="error small" data-testid="direction-status" role="alert">
        {error} Run an analysis on your own texts (Analysis view) and apply its u₁ to use the slider.
      </p>
    );
  }
  return (
    <p id={id} className="muted small" data-testid="direction-status" aria-live="polite">
      Estimating PC1: embedding the pair’s sample sentences{total ? ` (${done} of ${total})` : ''}
      {movedDegrees !== undefined && <span data-testid="direction-moved">; u₁ moved {movedDegrees.toFixed(1)}° over the last sentences</span>}. The tokens above
      are ready; the slider is enabled once u₁ has settled. <progress max={total || 1} value={done} aria-label="PC1 sample embedded" />
    </p>
  );
}
