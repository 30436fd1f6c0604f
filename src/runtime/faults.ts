import { FAULT_KINDS, type FaultKind, type FaultReport } from '../shared/faultReport';

/**
 * How a fault becomes a message, in one place.
 *
 * Who throws a Fault: the runtime's file layer, wherever a download or a Hub file goes wrong —
 * resilientFetch.ts (a server that keeps failing, a body cut off or stalled at every try, a page in a file's
 * place, no connection), hubAnswers.ts (the Hub's error codes: RepoNotFound, GatedRepo, EntryNotFound,
 * RevisionNotFound; docs/faults.md has the wording table), hub.ts (a bad id or Hub URL, 404, 401/403, no Range support, a file that is not what
 * its name says, a tensor too large for the tab), modelCache.ts (a status where a file was expected),
 * externalDataFetch.ts (a body that is not an ONNX model) and lazyBodyFetch.ts. Errors from elsewhere
 * (onnxruntime, transformers.js, the parsers in core/) stay what they are, or become a Fault's `cause`.
 *
 * How the page shows it: the user reads `message` (the CLI prints it after `lens <command>:`). So a
 * message names the file (one way: `repo/file`, fileName below) and says what to do, and it is built here,
 * from `kind` and a context, by the one template per kind in MESSAGES. The worker's errors cross to the page
 * as a FaultReport (reportOf below, sent by worker/errorTransfer.ts): kind, repo, file, status, cause and
 * whether a Retry may help (RETRY_HELPS), so the page decides by kind, never by reading the words.
 *
 * The cache rule (cacheMayKeep): when a load fails, the files it already cached stay if the failure is
 * the network's or the server's weather (those files are sound, and the next try needs them), and what
 * this load downloaded is forgotten if the cause may be a file's contents (the next try downloads
 * afresh). KEEPS_CACHE says which kind is which, each with its why.
 */

/**
 * Every kind of fault, each one a thing the user does something different about:
 * - `unreachable`: no connection to the server (offline, wrong Hub URL, the host down) — check the network;
 * - `server`: the server answered a failure status (5xx/429 after the retries, or one nothing else here
 *   expects) — try again later;
 * - `cut-off`: a body ended before its length (a dropped connection mid-file) — load again;
 * - `bad-content`: the server sent something else in a file's place (an HTML page from a proxy or a captive
 *   portal) — fix the network in between, then load again;
 * - `bad-file`: the file itself is not what its name says (a corrupt upload, a repo that is not a model
 *   this app can load) — choose another model. Kept apart from bad-content: there the Hub's file is fine;
 * - `not-found`: a file the repo does not have (404 `EntryNotFound`), or one a model must have is missing — check the model id;
 * - `no-repo`: no such repository, or a private one (401 `RepoNotFound`) — check the id;
 * - `no-revision`: no such branch, tag or commit (404 `RevisionNotFound`) — check the revision;
 * - `unauthorized`: a gated repo (401/403 `GatedRepo`, or a 401/403 without a code) — accept its licence and sign in;
 * - `stalled`: the server stopped sending, and kept silent through the retries — check the connection, load again;
 * - `invalid-id`, `invalid-url`: a model id or a Hub URL that cannot be used — correct what was typed;
 * - `no-range`: a server that ignores HTTP Range requests (reading one tensor needs them) — use another server;
 * - `too-large`: a tensor larger than this tab's memory — a smaller model, or fewer tabs.
 * There is no kind for a refused cache write (a full disk, a private window): modelCache.ts absorbs those
 * (the file is downloaded again next time, or handed over as bytes), so no such fault reaches a user.
 */
export { FAULT_KINDS, type FaultKind };

/** What a message may say about the fault; every field is optional, and a message without it still reads. */
export interface FaultContext {
  /** The file's URL: names the file (describeUrl) where repo and file are not given; its origin names the server. */
  url?: string;
  /** A Hub model id (organisation/name). */
  repo?: string;
  /** A path inside the repo (onnx/model.onnx). With repo, the message names the file `repo/file`. */
  file?: string;
  /** The HTTP status the server answered. */
  status?: number;
  /** The Hub's error code (its X-Error-Code header: RepoNotFound, GatedRepo, EntryNotFound, RevisionNotFound). */
  code?: string;
  /** no-revision: the revision asked for. */
  revision?: string;
  /** not-found: what the repo has instead, where known ("fp32, fp16"). */
  instead?: string;
  /** stalled: how long nothing arrived before each retry. */
  seconds?: number;
  statusText?: string;
  /** server: how many times the server was asked before giving up. */
  attempts?: number;
  /** cut-off, stalled: the bytes that arrived. */
  loaded?: number;
  /** cut-off: the bytes the file has; too-large: the bytes asked for. */
  total?: number;
  /** The specifics of this one fault; each template in MESSAGES says where they go. */
  detail?: string;
  cause?: unknown;
}

export class Fault extends Error {
  readonly url?: string;
  readonly repo?: string;
  readonly file?: string;
  readonly status?: number;
  readonly code?: string;

  constructor(
    readonly kind: FaultKind,
    context: FaultContext = {},
  ) {
    // A Hub URL names its repo, revision and file: the messages about a repo say them even where only the URL is known.
    const onHub = { ...(context.url ? hubFileOf(context.url) : {}), ...definedOf(context) };
    super(MESSAGES[kind]({ ...context, onHub }), context.cause === undefined ? undefined : { cause: context.cause });
    this.url = context.url;
    this.repo = onHub.repo;
    this.file = onHub.file;
    this.status = context.status;
    this.code = context.code;
  }
}

/** Every text a user reads for a fault, one template per kind. */
const MESSAGES: Record<FaultKind, (c: FaultContext & { onHub: HubFile }) => string> = {
  // detail: the network error's own words.
  unreachable: (c) => `${fileName(c)}: could not connect${optional(' to ', serverOf(c))}${parenthesis(c.detail)}: offline or unreachable.`,
  server: (c) => `${fileName(c)}: the server answered ${answer(c)}${c.attempts ? ` ${c.attempts} times (retried with backoff). Try again later.` : '.'}`,
  stalled: (c) =>
    `${fileName(c)}: the download stalled: nothing arrived for ${known(c.seconds) ? `${c.seconds} s` : 'a while'}${known(c.loaded) ? ` after ${count(c.loaded)}${known(c.total) ? ` of ${count(c.total)}` : ''} bytes` : ''}, also when asked again. Check the connection, then load again.`,
  // detail: why the stream ended, where it said.
  'cut-off': (c) =>
    `${fileName(c)}: the download was cut off${known(c.loaded) ? ` after ${count(c.loaded)}${known(c.total) ? ` of ${count(c.total)}` : ''} bytes` : ''}${parenthesis(c.detail)}. Nothing of it was kept; load again to retry.`,
  // detail: what came instead ("an HTML page, not JSON").
  'bad-content': (c) => `${fileName(c)} is ${c.detail || 'not what its name says'}: the server sent something else than the file (a proxy or error page?).`,
  // detail: the whole sentence, in the words of the check that found the file wrong (each check is different).
  // Without one, a cause is the runtime that could not load the file: its own words go to the report's cause (reportOf).
  'bad-file': (c) =>
    c.detail ||
    (c.cause === undefined
      ? `${fileName(c)} is corrupt, or not the kind of file its name says.`
      : `${fileName(c)} could not be loaded: it is corrupt, or a graph this runtime cannot run.`),
  // detail: the whole sentence, where a file the model needs is missing rather than answered 404.
  'not-found': (c) =>
    c.detail ||
    (c.code === 'EntryNotFound'
      ? `${fileName(c)}: the repository has no such file (404 EntryNotFound)${optional('; it has ', c.instead)}. Check the model id.`
      : `${fileName(c)} was not found on the Hub${optional(' (', c.status, ')')}${optional('; the repository has ', c.instead)}. Check the model id.`),
  'no-repo': ({ onHub, status }) =>
    `${onHub.repo ?? 'The model'}: no such repository on the Hub, or it is private (${known(status) ? status : 401} RepoNotFound${optional(', asked for ', onHub.file)}). Check the id.`,
  'no-revision': ({ onHub }) =>
    `${onHub.repo ?? 'The model'}: the Hub has no revision${optional(' "', onHub.revision, '"')} of it (404 RevisionNotFound${optional(', asked for ', onHub.file)}). Check the revision.`,
  unauthorized: (c) =>
    c.code === 'GatedRepo'
      ? `${c.onHub.repo ?? 'This model'} is gated (${known(c.status) ? c.status : 401} GatedRepo${optional(', asked for ', c.onHub.file)}): accept its licence on the Hub and sign in, or choose another model.`
      : `${c.onHub.repo ?? fileName(c, 'This model')} is gated or private${optional(' (', c.status, ')')}: accept its licence on the Hub and sign in, or choose another model.`,
  'invalid-id': (c) => `${c.repo === undefined ? 'That' : `"${c.repo}"`} is not a Hub model id (expected organisation/name).`,
  // detail: what is wrong with the URL (shared/hubUrl.ts, which the page also asks before it sends one).
  'invalid-url': (c) => c.detail || 'The Hub URL must start with http:// or https://.',
  'no-range': (c) =>
    `The server${optional(' at ', serverOf(c))} ignored an HTTP Range request for ${fileName(c, 'a file')}${optional(' (status ', c.status, ')')}; reading one tensor needs Range support.`,
  // detail: the allocator's words.
  'too-large': (c) =>
    `${fileName(c)}: ${known(c.total) ? `${(c.total / 2 ** 30).toFixed(1)} GiB do` : 'it does'} not fit in this tab's memory${parenthesis(c.detail)}. Choose a smaller model, or close other tabs and try again.`,
};

/**
 * Whether a failed load may keep what is cached: true for the network's or the server's weather, false where
 * the cause may be a file's contents (then what this load downloaded leaves the cache; downloadLog.ts).
 * Follows the `cause` chain: any Fault on it whose kind keeps the cache decides.
 */
export function cacheMayKeep(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof Fault && KEEPS_CACHE[e.kind]) return true;
  }
  return false;
}

/** Per kind: may the files a failed load cached stay? */
const KEEPS_CACHE: Record<FaultKind, boolean> = {
  // No byte of the file arrived: nothing cached is suspect, and the next try needs it.
  unreachable: true,
  // The server's weather: its status says nothing about files that arrived whole.
  server: true,
  // The cut file never reached a cache (resilientFetch fails the stream, and a cache drops a body that errors);
  // the files before it arrived whole.
  'cut-off': true,
  // Not the file but a page in its place: others of this load may have come through the same proxy.
  'bad-content': false,
  // The file's own bytes are wrong: this load may have cached a corrupt copy; the next try downloads afresh.
  'bad-file': false,
  // What is cached is what exists; a missing file or repo is an answer, not a corruption.
  'not-found': true,
  // A gate says nothing about the files cached before it.
  unauthorized: true,
  // Nor does a repo or revision that is not there: nothing of it was downloaded.
  'no-repo': true,
  'no-revision': true,
  // The stalled file never reached a cache (as cut-off); the files before it arrived whole.
  stalled: true,
  // Refused before any download, so there is nothing to forget either way.
  'invalid-id': true,
  // Refused before any download, so there is nothing to forget either way (false, as it always was).
  'invalid-url': false,
  // A server that ignores Range is not behaving as the Hub does (a mirror or a proxy): what it sent is not trusted.
  'no-range': false,
  // The pair cannot load in this tab at all: what this attempt cached would only take disk space.
  'too-large': false,
};

/**
 * The sentence for a failed load: the error's own, then what the load did about the cache (`forgotten`: the files
 * this attempt downloaded and removed, cacheMayKeep), behind the pair's set-up note where it has one (a pair that
 * needs an export first says how).
 */
export function loadFailureMessage(error: unknown, { forgotten, setup }: { forgotten: number; setup?: string }): string {
  let message = causeText(error) ?? 'The pair could not be loaded.';
  if (forgotten)
    message += ` (The ${forgotten} file${forgotten > 1 ? 's' : ''} downloaded for this pair ${forgotten > 1 ? 'were' : 'was'} removed from the cache; loading again downloads afresh.)`;
  return setup ? `${setup} (${message})` : message;
}

/** `…/{org}/{name}/resolve/{rev}/{file}` → `org/name/file` (else the URL's path): how messages name a file by its URL. */
export function describeUrl(url: string): string {
  const { repo, file } = hubFileOf(url);
  if (repo && file) return `${repo}/${file}`;
  try {
    return decodeURIComponent(new URL(url, 'http://x').pathname.replace(/^\//, ''));
  } catch {
    return url; // a malformed URL or escape: named as it was given
  }
}

/**
 * Per kind: may loading again, unchanged, succeed? Then the page offers Retry beside the message.
 * Total, like KEEPS_CACHE: a new kind must say.
 */
const RETRY_HELPS: Record<FaultKind, boolean> = {
  // The network's or the server's weather: it may have cleared by the next try.
  unreachable: true,
  server: true,
  'cut-off': true,
  stalled: true,
  // A page from a proxy or a captive portal in a file's place: gone once the network in between is fixed.
  'bad-content': true,
  // The answer would be the same: the file, the repo, the revision or the gate is what it is.
  'bad-file': false,
  'not-found': false,
  'no-repo': false,
  'no-revision': false,
  unauthorized: false,
  // What was typed must change first.
  'invalid-id': false,
  'invalid-url': false,
  // The server and the tab stay what they are.
  'no-range': false,
  'too-large': false,
};

/**
 * The fault behind an error, as data for the page: the first Fault on the `cause` chain gives the kind, repo,
 * file and status; the outermost error gives the sentence (a load adds what it did about the cache). Undefined
 * for an error with no Fault behind it (onnxruntime's, a parser's): the page shows its message alone.
 */
export function reportOf(error: unknown): FaultReport | undefined {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (!(e instanceof Fault)) continue;
    const report: FaultReport = { kind: e.kind, message: (error as Error).message, retryable: RETRY_HELPS[e.kind] };
    const cause = causeText(e.cause);
    return Object.assign(report, definedFields({ repo: e.repo, file: e.file, url: e.url, status: e.status, cause }));
  }
  return undefined;
}

function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

interface HubFile {
  repo?: string;
  file?: string;
  revision?: string;
}

/** The fields of a context that are set (so that spreading it keeps what a URL says where the context says nothing). */
function definedOf(c: FaultContext): HubFile {
  return definedFields({ repo: c.repo, file: c.file, revision: c.revision });
}

/** `…/{org}/{name}/resolve/{rev}/{file}` → its repo, file and revision; nothing for another URL. */
export function hubFileOf(url: string): HubFile {
  try {
    const hub = /^\/?(?:.*\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(new URL(url, 'http://x').pathname);
    return hub ? { repo: decodeURIComponent(hub[1]), revision: decodeURIComponent(hub[2]), file: decodeURIComponent(hub[3]) } : {};
  } catch {
    return {};
  }
}

/** An error's own words, for a message's detail; undefined where it has none. */
export function causeText(error: unknown): string | undefined {
  if (error instanceof Error) return error.message || undefined;
  return error === undefined || error === null ? undefined : String(error);
}

/** How a message names the file: `repo/file`, from the context or else from a Hub URL; else the URL's path, else whatever is known. */
function fileName(c: FaultContext & { onHub?: HubFile }, otherwise = 'The file'): string {
  const repo = c.repo ?? c.onHub?.repo;
  const file = c.file ?? c.onHub?.file;
  if (repo && file) return `${repo}/${file}`;
  if (c.url) return describeUrl(c.url);
  return repo || file || otherwise;
}

/** The server a URL points at (`https://host:port`), or undefined for a relative or opaque URL. */
function serverOf(c: FaultContext): string | undefined {
  if (!c.url) return undefined;
  try {
    const origin = new URL(c.url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function answer(c: FaultContext): string {
  return known(c.status) ? `${c.status}${optional(' ', c.statusText)}` : 'with an error';
}

/** A number a message can show (not undefined, NaN or infinite). */
function known(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n);
}

function optional(before: string, value: string | number | undefined, after = ''): string {
  return value === undefined || value === '' || (typeof value === 'number' && !known(value)) ? '' : `${before}${value}${after}`;
}

const parenthesis = (text: string | undefined) => optional(' (', text, ')');
const count = (n: number) => n.toLocaleString('en');
