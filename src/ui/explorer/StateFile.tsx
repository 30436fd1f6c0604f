import { useId, useState } from 'react';
import { viewStateOf } from '../../shared/linkSchema';
import { type ExplorerFile, explorerFile, parseExplorerFile } from '../../state/explorerFile';
import { lensClient } from '../../state/lensClient';
import { useLens } from '../../state/store';
import type { ColumnResult } from '../../worker/protocol';
import { download } from '../download';
import { directionLabel } from './directionLabel';

const shownOf = (c?: ColumnResult) => (c ? c.tokens.map((t, i) => ({ id: t.id, text: t.text, score: c.scores[i] })) : []);

/**
 * The slider's direction, where the file must carry it: an analysis's u₁ (the pair's own sample, or a spectrum file
 * kept by the browser, is found again). The worker holds u₁ and says where it came from.
 */
async function savedDirection(): Promise<ExplorerFile['direction']> {
  const shown = useLens.getState().pairInfo?.direction;
  if (shown?.state !== 'ready' || shown.source !== 'analysis') return undefined;
  const slider = await lensClient().sliderDirection();
  if (slider?.shown.source !== 'analysis') return undefined;
  const { variation, shares, sampleSize } = slider.shown;
  return { source: directionLabel(slider.shown), u1: slider.u1, variation, shares, sampleSize };
}

/** Downloads the explorer's whole state as a JSON file: the way to share a view whose link would be too long. */
export async function saveViewFile(): Promise<void> {
  const direction = await savedDirection();
  const lens = useLens.getState();
  const file = explorerFile(viewStateOf(lens), { direction, shown: { embed: shownOf(lens.result?.embed), base: shownOf(lens.baseView) } });
  download('embedding-lens-explorer.json', `${JSON.stringify(file, null, 2)}\n`, 'application/json');
}

/** Saves the explorer's whole state as a JSON file and opens one back (pair, text, k, λ, view, and a dataset's u₁). */
export function StateFile() {
  const inputId = useId();
  const [message, setMessage] = useState<string>();

  const open = async (fileText: string) => {
    let file: ExplorerFile;
    try {
      file = parseExplorerFile(fileText);
    } catch (error) {
      // The current view is kept: nothing is applied from a file that does not parse.
      setMessage((error as Error).message);
      return;
    }
    const lens = useLens.getState();
    const { state } = file;
    lens.setHub(state.hub);
    if (state.pair !== lens.pair || state.backend !== lens.backend || lens.load.phase !== 'ready')
      await lens.loadPair(state.pair, state.backend, { dtype: state.dtype });
    if (useLens.getState().load.phase !== 'ready') {
      setMessage(`The file's pair ${state.pair} could not be loaded.`);
      return;
    }
    lens.setLambda(state.lambda);
    lens.setK(state.k);
    lens.setText(state.text);
    // The saved direction belongs to this pair (by id): it applies to the load just made (the worker checks the width).
    const loaded = useLens.getState().pairInfo;
    if (file.direction && loaded) {
      const { u1, variation, shares, source, sampleSize = 0 } = file.direction;
      await lens.applyDirection({ u1, variation, shares, sampleSize, origin: source }, { pairId: loaded.id, loadId: loaded.loadId });
    }
    lens.setView(state.view);
    setMessage(`Opened the view saved ${file.savedAt}.`);
  };

  return (
    <div className="state-file">
      <button type="button" data-testid="state-save" onClick={saveViewFile}>
        Save view (JSON)
      </button>
      <input
        id={inputId}
        type="file"
        accept=".json,application/json"
        data-testid="state-open"
        className="sr-only"
        onChange={async (e) => {
          const chosen = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (chosen) await open(await chosen.text());
        }}
      />
      <label htmlFor={inputId} className="file-button">
        Open a saved view…
      </label>
      {message && (
        <span className="muted small" role="status" data-testid="state-message">
          {message}
        </span>
      )}
    </div>
  );
}
