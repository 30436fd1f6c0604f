import { useShallow } from 'zustand/react/shallow';
import { K_CHOICES } from '../../shared/linkSchema';
import { useDisplay } from '../../state/displayStore';
import { curveQuery } from '../../state/explorerQueries';
import { usePanels } from '../../state/panelStore';
import { useLens } from '../../state/store';
import { directionV1 } from '../../worker/protocol';
import { sideBySideFigure } from '../figures/charts';
import { FigureExport } from '../figures/FigureExport';
import { Legend } from '../Legend';
import { ContributionPanel } from './ContributionChart';
import { DisplayControls } from './DisplayControls';
import { directionLabel } from './directionLabel';
import { LambdaCurve } from './LambdaCurve';
import { LambdaSlider } from './LambdaSlider';
import { LayerView } from './LayerView';
import { ModelColumn, shownList } from './ModelColumn';
import { noticeText } from './noticeText';
import { StateFile } from './StateFile';
import { TokenDiff } from './TokenDiff';

/** Paste a text, see both models' aligned tokens, drag λ along PC1. */
export function ExplorerView() {
  const { text, k, lambda, result, baseView, pairInfo, status, computing } = useLens(
    useShallow((s) => ({
      text: s.text,
      k: s.k,
      lambda: s.lambda,
      result: s.result,
      baseView: s.baseView,
      pairInfo: s.pairInfo,
      status: s.load.phase,
      computing: s.computing,
    })),
  );
  const { setText, setK, setLambda } = useLens(useShallow((s) => ({ setText: s.setText, setK: s.setK, setLambda: s.setLambda })));
  const contributionOpen = usePanels((s) => s.open.includes('contribution'));
  const setPanelOpen = usePanels((s) => s.setOpen);
  const hideNoise = useDisplay((s) => s.hideNoise);
  const atV1 = curveQuery((s) => (s.reply && s.reply.question.requestId === result?.requestId && s.reply.question.k === k ? s.reply.value.atV1 : null));
  const pair = useLens((s) => s.pair);
  // The one v₁ of the slider, the λ curve and the Layers view: the worker's direction, as it sent it.
  const direction = pairInfo?.direction;
  const v1 = direction ? directionV1(direction) : 0;
  const empty = text.trim().length === 0;
  // Where the model's context cut the text: the characters past it (the result's text is the one typed once it has settled).
  const readUpTo = result?.truncated ? result.charsRead : undefined;
  const unreadChars = readUpTo !== undefined ? Math.max(0, text.length - readUpTo) : 0;
  const embedList = result && !empty ? shownList(result.embed, hideNoise) : undefined;
  /** The paper's reading of one text, as one figure: embedder / base / base + v₁u₁. */
  const sideBySide = () => {
    if (!result || !baseView || !atV1) return undefined;
    const keyIds = (column: typeof baseView) => new Set(column.keyIds);
    const panel = (title: string, column: typeof baseView) => ({ title, ...shownList(column, hideNoise), keyIds: keyIds(column) });
    return sideBySideFigure(
      [panel('Embedding model', result.embed), panel('Base model (λ = 0)', result.base), panel(`Base + v₁u₁ (λ = ${v1.toFixed(2)})`, atV1)],
      { chart: 'Embedder, base and base + v1 u1', pair, text, lambda: v1 },
    );
  };

  return (
    <>
      <section className="input">
        <label htmlFor="text-input">Text</label>
        <textarea
          id="text-input"
          data-testid="text-input"
          value={text}
          rows={3}
          spellCheck={false}
          placeholder="Type or paste a text…"
          dir="auto"
          onChange={(e) => setText(e.currentTarget.value)}
        />
        {readUpTo !== undefined && unreadChars > 0 && <TextCut text={text} readUpTo={readUpTo} />}
        <div className="input-bar">
          <label>
            top-k{' '}
            <select value={k} onChange={(e) => setK(Number(e.currentTarget.value))}>
              {K_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
          </label>
          <span className="notices" data-testid="notice" aria-live="polite">
            {noticeText({ text, result, computing, maxLength: pairInfo?.maxLength })}
          </span>
        </div>
      </section>

      <DisplayControls />
      <div className="chart-head">
        <Legend
          testId="columns-legend"
          label="Token colours"
          items={[
            { swatch: 'in-text', text: 'in the text (a key token)' },
            { swatch: 'not-in-text', text: 'not in the text' },
            { swatch: 'shared', text: "a base token the embedder's list also has" },
          ]}
        />
        {atV1 && !empty && (
          <span className="side-by-side">
            <span className="muted small">embedder | base | base + v₁u₁ as one figure</span>
            <FigureExport testId="export-side-by-side" figure={sideBySide} />
          </span>
        )}
      </div>
      <div className="columns" aria-busy={status !== 'ready' || computing}>
        <ModelColumn
          testId="aligned-embed"
          title="Embedding model"
          subtitle="Top tokens of W·ĥ, the embedder's pooled embedding"
          column={empty ? undefined : result?.embed}
          tokens={result?.tokens}
          k={k}
          unreadChars={unreadChars}
        />
        <ModelColumn
          testId="aligned-base"
          title="Base model"
          subtitle="Top tokens of W·(h + λu₁), the generative model's own pooled state"
          column={empty ? undefined : baseView}
          tokens={result?.tokens}
          k={k}
          lambda={lambda}
          sharedWith={embedList?.ids}
          unreadChars={unreadChars}
        >
          <LambdaSlider lambda={lambda} direction={direction} onChange={setLambda} />
          {direction?.state === 'ready' && !empty && <LambdaCurve lambda={lambda} v1={v1} />}
        </ModelColumn>
      </div>

      {!empty && <TokenDiff />}

      <LayerView />

      <details
        className="panel"
        data-testid="contribution-details"
        open={contributionOpen}
        onToggle={(e) => setPanelOpen('contribution', e.currentTarget.open)}
      >
        <summary>PC1 contribution to each top token's logit</summary>
        <p className="muted small">
          w·h = (h·u₁)(w·u₁) + rest: each top token's logit, split into the part carried by the first principal component and everything else, each drawn from
          zero. The base model's side follows the slider: its h is h + λu₁.
        </p>
        <ContributionPanel />
      </details>

      {pairInfo?.description && (
        <p className="footnote" data-testid="pair-description">
          {pairInfo.description}
        </p>
      )}
      {direction?.state === 'ready' && (
        <p className="footnote">
          u₁ and v₁ from {directionLabel(direction)}
          {direction.refining && ` (refining: ${direction.refining.done} of ${direction.refining.total} embedded)`}: PC1 carries{' '}
          {(direction.shares[0] * 100).toFixed(1)}% of the base embeddings' energy; v₁ = {v1.toFixed(3)}, |v₂| ={' '}
          {Math.abs(direction.variation[1] ?? 0).toFixed(3)}.
          {direction.lastMoveDegrees !== undefined && (
            <span data-testid="direction-last-move"> Its last update moved u₁ by {direction.lastMoveDegrees.toFixed(1)}°.</span>
          )}
        </p>
      )}
      <StateFile />
    </>
  );
}

/** Characters either side of the cut shown in the excerpt. */
const CUT_CONTEXT = 40;

/** Where the model's context ends in the text: the last characters it reads, a cut mark, the first it does not. */
function TextCut({ text, readUpTo }: { text: string; readUpTo: number }) {
  const before = text.slice(Math.max(0, readUpTo - CUT_CONTEXT), readUpTo);
  const after = text.slice(readUpTo, readUpTo + CUT_CONTEXT);
  return (
    <p className="text-cut small" data-testid="text-cut" data-chars-read={readUpTo}>
      The model reads the text up to the cut:{' '}
      <span className="excerpt" dir="auto">
        {readUpTo > CUT_CONTEXT && '…'}
        <span data-testid="text-cut-read">{before}</span>
        <span className="cut-mark" role="img" aria-label="the model's context ends here">
          ✂
        </span>
        <span className="unread" data-testid="text-cut-unread">
          {after}
        </span>
        {readUpTo + CUT_CONTEXT < text.length && '…'}
      </span>{' '}
      ({(text.length - readUpTo).toLocaleString()} characters not read)
    </p>
  );
}
