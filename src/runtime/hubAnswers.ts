import { Fault, hubFileOf } from './faults';

/**
 * What the Hub's answer to a file request says is wrong, as a Fault, or undefined where the answer is the
 * caller's to read. The Hub names its failures in `X-Error-Code` (docs/hub-facts.md, "How the Hub answers"):
 *   401 RepoNotFound        no such repository, or a private one     → no-repo
 *   401/403 GatedRepo       a gated repository                       → unauthorized
 *   404 RevisionNotFound    no such branch, tag or commit            → no-revision
 *   404 EntryNotFound       no such file in a repository that exists → not-found, for a file a model needs
 * Another 4xx/5xx but the weather (429/5xx, which resilientFetch retries) is a `server` fault with its status.
 * A 404 for any other file passes: transformers.js asks for optional files (generation_config.json) and takes
 * a 404 as "absent". For a file it needs, a 404 that passed would be remembered by transformers.js as "absent"
 * for the rest of the page's life (it memoizes what a probe found): a transient 404 would break every later load.
 * Only Hub URLs (`…/resolve/…`) are read this way; the app's own files pass.
 */
export function faultOfAnswer(url: string, response: Response): Fault | undefined {
  const { repo, file } = hubFileOf(url);
  if (!repo || !file || response.ok) return undefined;
  const { status, statusText } = response;
  const code = response.headers.get('X-Error-Code') ?? undefined;
  const context = { url, status, statusText, code };
  if (code === 'RepoNotFound') return new Fault('no-repo', context);
  if (code === 'GatedRepo' || status === 401 || status === 403) return new Fault('unauthorized', context);
  if (code === 'RevisionNotFound') return new Fault('no-revision', context);
  if (status === 404 && REQUIRED.test(file)) return new Fault('not-found', context);
  // Any other failure but the weather (retried first) and "absent" (404; 416 for an empty file): its status and the file.
  if (status !== 404 && status !== 416 && !RETRYABLE.has(status)) return new Fault('server', context);
  return undefined;
}

/** The statuses a request is retried on (resilientFetch.ts): the server's weather. */
export const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** Files no model loads without: its config, its tokenizer, its graph and the graph's external data. */
const REQUIRED = /(^|\/)(config\.json|tokenizer\.json|tokenizer_config\.json)$|\.onnx(_data(_\d+)?)?$/;
