import { useId } from 'react';
import { sliderBound } from '../../state/lambdaRange';
import { type DirectionState, directionV1 } from '../../worker/protocol';
import { Legend } from '../Legend';

/**
 * λ for h + λ·u_1 (paper §4.2). The range covers both signs around v_1 (the
 * embedder's mean shift along u_1), which is marked and one click away.
 */
export function LambdaSlider({
  lambda,
  direction,
  onChange,
}: {
  lambda: number;
  /** The loaded pair's (none yet: the slider is idle at λ = 0). While its PC1 sample is being embedded, or failed, there is no u₁: the slider waits and says why. */
  direction: DirectionState | undefined;
  onChange: (value: number) => void;
}) {
  const id = useId();
  const statusId = useId();
  const waiting = direction?.state === 'ready' ? undefined : direction;
  const disabled = waiting !== undefined;
  const v1 = direction ? directionV1(direction) : 0;
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
      {waiting && <DirectionStatus id={statusId} waiting={waiting} />}
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
function DirectionStatus({ id, waiting }: { id: string; waiting: Exclude<DirectionState, { state: 'ready' }> }) {
  if (waiting.state === 'failed') {
    return (
      <p id={id} className="error small" data-testid="direction-status" role="alert">
        {waiting.reason} Run an analysis on your own texts (Analysis view) and apply its u₁ to use the slider.
      </p>
    );
  }
  const { done, total, movedDegrees } = waiting;
  return (
    <p id={id} className="muted small" data-testid="direction-status" aria-live="polite">
      Estimating PC1: embedding the pair’s sample sentences{total ? ` (${done} of ${total})` : ''}
      {movedDegrees !== undefined && <span data-testid="direction-moved">; u₁ moved {movedDegrees.toFixed(1)}° over the last sentences</span>}. The tokens above
      are ready; the slider is enabled once u₁ has settled. <progress max={total || 1} value={done} aria-label="PC1 sample embedded" />
    </p>
  );
}
