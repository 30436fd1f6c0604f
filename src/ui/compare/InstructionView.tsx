import { useShallow } from 'zustand/react/shallow';
import { useCompare } from '../../state/compareStore';
import { useLens } from '../../state/store';
import { StaleNote } from '../StaleNote';
import { TokenList } from './TokenList';

/**
 * The same text under different instructions (paper §6, instruction-following):
 * each instruction's aligned tokens, with the tokens no other instruction brings up marked.
 */
export function InstructionView() {
  const c = useCompare(
    useShallow((s) => ({
      templates: s.templates,
      edited: s.templatesEdited,
      hasDefaults: s.templateDefaults !== undefined,
      resetTemplates: s.resetTemplates,
      result: s.instructionViews,
      busy: s.busy.instructions,
      message: s.message.instructions,
      setTemplate: s.setTemplate,
      compareInstructions: s.compareInstructions,
    })),
  );
  const { text, status, pairName, pairTemplate } = useLens(
    useShallow((s) => ({ text: s.text, status: s.load.phase, pairName: s.pairInfo?.name, pairTemplate: s.pairInfo?.template })),
  );
  const views = c.result?.views;
  const counts = new Map<number, number>();
  for (const v of views ?? []) for (const id of v.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const unique = new Set([...counts].filter(([, n]) => n === 1).map(([id]) => id));

  return (
    <>
      <section className="panel">
        <p className="muted small">
          Text (from the Explorer): <q data-testid="instruction-text">{text}</q>. Each instruction wraps it with <code>{'{text}'}</code>; the embedding model
          reads the wrapped text, the tokens are ranked by W·ĥ.
        </p>
        {pairName && (
          <p className="muted small" data-testid="instruction-defaults-note">
            {c.edited ? 'Your own instructions. ' : ''}
            The defaults for {pairName}{' '}
            {pairTemplate && pairTemplate.trim() !== '{text}' ? (
              <>
                are in its embedder's own format, <code>{pairTemplate}</code>.
              </>
            ) : (
              'are plain prefixes: its embedder reads a text without a template.'
            )}
          </p>
        )}
        <div className="instruction-editors">
          {c.templates.map((template, i) => (
            <label key={i}>
              Instruction {i + 1}
              <textarea data-testid={`instruction-${i}`} rows={3} dir="auto" value={template} onChange={(e) => c.setTemplate(i, e.currentTarget.value)} />
            </label>
          ))}
        </div>
        <div className="run-row">
          <button
            type="button"
            className="primary"
            data-testid="instructions-run"
            disabled={status !== 'ready' || c.busy}
            onClick={() => void c.compareInstructions()}
          >
            Compare
          </button>
          {c.edited && c.hasDefaults && (
            <button type="button" data-testid="instructions-reset" onClick={c.resetTemplates}>
              This pair's defaults
            </button>
          )}
          {c.message && <span className="muted">{c.message}</span>}
        </div>
      </section>
      <StaleNote computedOn={c.result?.computedOn} />
      {views && (
        <section className="columns three" data-testid="instruction-results">
          {views.map((v, i) => (
            <div className="column" key={i} data-testid="instruction-column">
              <h3>Instruction {i + 1}</h3>
              <pre className="template">{v.template}</pre>
              <p className="small">
                Hit@{v.ids.length} {v.hit} · LAR {v.lar.toFixed(2)}
              </p>
              <TokenList ids={v.ids} texts={v.tokenTexts} marked={unique} markLabel="only this instruction brings this token up" />
            </div>
          ))}
        </section>
      )}
    </>
  );
}
