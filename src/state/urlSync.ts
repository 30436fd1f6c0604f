import { readLink, readViewState, type ViewState, writeViewState } from '../shared/linkSchema';
import { directionV1 } from '../worker/protocol';
import { useDisplay, writeDisplay } from './displayStore';
import { lensClient } from './lensClient';
import { lambdaCorrection, SAFE_URL_LENGTH } from './linkCheck';
import { useLink } from './linkStore';
import { newestWins } from './newestWins';
import { usePanels, writePanels } from './panelStore';
import { type LensState, useLens } from './store';
import { onViewInputs, readViewInputs, writeViewInputs } from './viewInputs';

/** Quiet time before the address bar follows a change (typing, a slider drag). */
const URL_DEBOUNCE_MS = 250;

/** The address a search would make, as long as a copied link would be. */
const urlLength = (search: string) => `${location.origin}${location.pathname}${search}${location.hash}`.length;

/**
 * The search for `state`, its text cut to `chars`. When that would make a link longer than SAFE_URL_LENGTH,
 * the text stays as the address bar has it (the last one that fit) and `tooLong` says how long it would be.
 */
export function linkSearch(state: ViewState, chars: number | undefined, current: string): { search: string; tooLong?: number } {
  const text = chars === undefined ? state.text : state.text.slice(0, chars);
  const search = writeViewState({ ...state, text }, current);
  const length = urlLength(search);
  if (length <= SAFE_URL_LENGTH) return { search };
  return { search: writeViewState({ ...state, text: readViewState(current).text }, current), tooLong: length };
}

/**
 * Keeps the address bar a link that reopens the view, and never one that breaks: the text cut to what the
 * model reads (runtime/charsRead.ts), nothing over SAFE_URL_LENGTH, a history entry per view tab (Back
 * returns to the previous tab), and values the app cannot show (a link's k=7, view=nope, λ beyond the slider)
 * put right, with a notice; the open panels (panelStore.ts) and the other views' inputs (viewInputs.ts) ride along. Started once, by main.tsx.
 */
export function startUrlSync(): void {
  useLink.setState({ corrections: readLink(location.search).corrections });
  readViewInputs(location.search);

  /** How much of a text the loaded pair reads, for the last text asked about (undefined: not known yet). */
  let read: { text: string; loadId: string; chars: number } | undefined;
  const asks = newestWins();
  const charsFor = (state: LensState) =>
    read && read.text === state.text && read.loadId === state.pairInfo?.loadId && state.load.phase === 'ready' ? read.chars : undefined;

  const write = (state: LensState, mode: 'push' | 'replace') => {
    const chars = charsFor(state);
    const others = writeViewInputs(writeDisplay(writePanels(location.search, usePanels.getState().open), useDisplay.getState()));
    const { search, tooLong } = linkSearch(state, chars, others);
    const cut = chars !== undefined && chars < state.text.length ? { chars, of: state.text.length } : undefined;
    const link = useLink.getState();
    if (link.tooLong !== tooLong || link.cut?.chars !== cut?.chars || link.cut?.of !== cut?.of) useLink.setState({ tooLong, cut });
    const url = `${location.pathname}${search}${location.hash}`;
    if (mode === 'push') history.pushState(null, '', url);
    else if (search !== location.search) history.replaceState(null, '', url);
  };

  /** Asks the worker how much of the text the pair reads, then writes the link. */
  const settle = async () => {
    const state = useLens.getState();
    const loadId = state.pairInfo?.loadId;
    if (state.load.phase === 'ready' && loadId !== undefined && charsFor(state) === undefined && state.text) {
      const mine = asks.next();
      try {
        const chars = await lensClient().charsRead(state.text);
        if (!asks.isCurrent(mine)) return;
        read = { text: state.text, loadId, chars };
      } catch {
        // The pair went away meanwhile: the link keeps the whole text until one is loaded.
      }
    }
    write(useLens.getState(), 'replace');
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** True while Back or Forward sets the view: that change is the history's, not a new entry. */
  let restoring = false;
  useLens.subscribe((state, previous) => {
    keepLambdaInRange(state);
    if (state.view !== previous.view && !restoring) {
      clearTimeout(timer);
      write(state, 'push');
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void settle(), URL_DEBOUNCE_MS);
  });

  // An opened or closed panel, a display setting, another view's input: the link keeps it (no history entry of its own).
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void settle(), URL_DEBOUNCE_MS);
  };
  usePanels.subscribe(later);
  useDisplay.subscribe(later);
  onViewInputs(later);

  addEventListener('popstate', () => {
    restoring = true;
    try {
      useLens.getState().setView(readViewState(location.search).view);
    } finally {
      restoring = false;
    }
  });
}

/** A λ beyond the slider's range (a link's lambda=1000, a saved file's) is clamped once v₁ is known, with a notice. */
function keepLambdaInRange(state: LensState): void {
  const direction = state.pairInfo?.direction;
  if (direction?.state !== 'ready') return;
  const fix = lambdaCorrection(state.lambda, directionV1(direction));
  if (!fix) return;
  useLink.setState((s) => ({ corrections: [...s.corrections, fix.message] }));
  state.setLambda(fix.lambda);
}
