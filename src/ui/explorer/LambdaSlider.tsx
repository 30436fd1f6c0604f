import { useId } from 'react';

/**
 * λ for h + λ·u_1 (paper §4.2). The range covers both signs around v_1 (the
 * embedder's mean shift along u_1), which is marked and one click away.
 */
export function LambdaSlider({ lambda, v1, onChange }: { lambda: number; v1: number; onChange: (value: number) => void }) {
  const id = useId();
  const bound = Math.max(1, Math.ceil(Math.abs(v1) * 2));
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
        />
        <span className="v1-marker" style={{ left: `${markerPercent}%` }} title={`v₁ = ${v1.toFixed(3)}`} aria-hidden="true" />
      </div>
      <div className="lambda-buttons">
        <button type="button" onClick={() => onChange(0)} disabled={lambda === 0}>
          λ = 0
        </button>
        <button type="button" data-testid="lambda-v1" onClick={() => onChange(v1)}>
          λ = v₁ ({v1.toFixed(2)})
        </button>
      </div>
    </div>
  );
}
