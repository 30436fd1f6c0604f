/**
 * A local stand-in for the Hugging Face Hub, for tests (no network here). It
 * serves `/{org}/{name}/resolve/{revision}/{file}` from folders laid out as
 * `<root>/{org}/{name}/{file}`, answering as the real Hub does (docs/hub-facts.md, "How the Hub answers"):
 * - CORS on `resolve/` (`Access-Control-Allow-Origin: *`), HTTP Range with 206;
 * - large ("LFS") files — `.onnx`, `.onnx_data`, `.safetensors` — answer 302 to a CDN on
 *   another origin (`localhost` instead of `127.0.0.1`, so the browser treats it as cross-origin),
 *   with `X-Linked-Size`; the CDN answers the CORS preflight a Range request may need;
 * - a repo that does not exist: 401 `X-Error-Code: RepoNotFound`; a missing file: 404 `EntryNotFound`;
 *   a revision other than `main`: 404 `RevisionNotFound`; chosen repos (`denied`): 401/403 `GatedRepo`;
 * and, for the tests, faults switched on at run time (`POST /_faults`, a JSON list; `DELETE /_faults`).
 * A fault answers the next `times` requests whose path contains `match` (the resolve/ path or the CDN's)
 * and, where given, whose method is `method` and whose Range starts within `range`:
 *   {kind: 'status', status, errorCode?, retryAfter?}  that status (429/503, or 401/404 with a Hub error code)
 *   {kind: 'reset'}                                    the connection closed before any header
 *   {kind: 'truncate'}                                 Content-Length of the whole file, half the body, then closed
 *   {kind: 'stall', stallMs}                           half the body, nothing for `stallMs`, then the rest
 *   {kind: 'html'}                                     200 with an HTML page (a captive portal, a proxy's error page)
 *   {kind: 'corrupt'}                                  the right length, every byte after the first 64 flipped
 * Body faults (truncate, stall, corrupt) answer only GETs of more than one byte (not the one-byte Range
 * read that sizes a file), so they hit whole-file downloads and W's Range reads alike.
 *
 *   npx tsx tools/hub/hubServer.ts [--port 8765] [root …]   # serves models/ by default
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize, resolve } from 'node:path';

export interface HubServerOptions {
  roots: string[];
  port?: number;
  /** repo id → status answered for every file of it (401 gated, 403 signed in without access), with `GatedRepo`. */
  denied?: Record<string, 401 | 403>;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
  delayMs?: number;
  /** Serve large files straight from resolve/ instead of redirecting to the CDN origin. */
  noCdn?: boolean;
}

interface FaultTarget {
  /** A substring of the request's path. */
  match: string;
  /** Only requests of this method (default: any). */
  method?: 'GET' | 'HEAD';
  /** Only Range requests that start within [first, last] (W's reads, not the safetensors header's), resumed ones included. */
  range?: [number, number];
  /** How many requests it answers; counted down. */
  times: number;
}

export type Fault = FaultTarget &
  (
    | { kind: 'status'; status: number; errorCode?: string; retryAfter?: number }
    | { kind: 'stall'; stallMs: number }
    | { kind: 'reset' | 'truncate' | 'html' | 'corrupt' }
  );

const BODY_FAULTS: Fault['kind'][] = ['truncate', 'stall', 'corrupt'];

export interface HubServer {
  url: string;
  /** The CDN origin large files redirect to (another origin than `url`). */
  cdnUrl: string;
  /** Requests answered, in order (status 0: the connection was reset), for asserting what a client asked for. */
  log: { path: string; method: string; range?: string; status: number }[];
  options: HubServerOptions;
  faults: Fault[];
  close(): Promise<void>;
}

const ROUTE = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/;
const CDN_ROUTE = /^\/_cdn\/([^/]+\/[^/]+)\/(.+)$/;
const LFS_FILE = /\.(onnx|onnx_data(_\d+)?|safetensors)$/;

/** The Hub's answer when a request fails, with its error code (as huggingface_hub reads them). */
const HUB_ERRORS: Record<string, string> = {
  RepoNotFound: 'Repository not found',
  EntryNotFound: 'Entry not found',
  RevisionNotFound: 'Invalid rev id',
  GatedRepo: 'Access to this model is restricted: you must be authenticated and have accepted its conditions.',
};

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const log: HubServer['log'] = [];
  const faults: Fault[] = [];
  let port = options.port ?? 0;

  /** The first live fault of these kinds for this request, counted down. */
  const takeFault = (path: string, method: string, range: string | undefined, kinds: Fault['kind'][]): Fault | undefined => {
    const fault = faults.find(
      (f) => f.times > 0 && kinds.includes(f.kind) && path.includes(f.match) && (!f.method || f.method === method) && (!f.range || inRange(range, f.range)),
    );
    if (fault) fault.times--;
    return fault;
  };

  const server: Server = createServer(async (req, res) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range, Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader(
      'Access-Control-Expose-Headers',
      'Content-Range, Content-Length, Accept-Ranges, ETag, X-Linked-Size, Location, X-Error-Code, X-Error-Message, Retry-After',
    );
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    const method = req.method ?? 'GET';
    const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
      log.push({ path, method, range: req.headers.range, status });
      res.writeHead(status, headers);
      res.end(method === 'HEAD' ? undefined : body);
    };
    const hubError = (status: number, code: string, headers: Record<string, string> = {}) =>
      answer(status, JSON.stringify({ error: HUB_ERRORS[code] ?? code }), {
        'Content-Type': 'application/json',
        'X-Error-Code': code,
        'X-Error-Message': HUB_ERRORS[code] ?? code,
        ...headers,
      });
    if (method === 'OPTIONS') return answer(204);
    if (path === '/_faults') return controlFaults(req, res, faults);

    const cdn = CDN_ROUTE.exec(path);
    const hubPath = ROUTE.exec(path);
    if (!cdn && !hubPath) return answer(404, 'Not found');
    const [repo, revision, file] = cdn ? [cdn[1], 'main', cdn[2]] : [hubPath![1], hubPath![2], hubPath![3]];
    if (!options.roots.some((root) => existsSync(resolve(root, normalize(repo))))) return hubError(401, 'RepoNotFound');
    const denied = options.denied?.[repo];
    if (denied) return hubError(denied, 'GatedRepo');
    if (revision !== 'main') return hubError(404, 'RevisionNotFound');
    const full = options.roots.map((root) => resolve(root, normalize(join(repo, file)))).find((f) => existsSync(f) && statSync(f).isFile());
    if (!full) return hubError(404, 'EntryNotFound');
    const size = statSync(full).size;

    const fault = takeFault(path, method, req.headers.range, ['status', 'html', 'reset']);
    if (fault?.kind === 'reset') {
      log.push({ path, method, range: req.headers.range, status: 0 });
      return void req.socket.destroy();
    }
    if (fault?.kind === 'status') {
      const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 0 : undefined);
      const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
      if (fault.errorCode) return hubError(fault.status, fault.errorCode, headers);
      return answer(fault.status, `Fault injected: ${fault.status}`, headers);
    }
    if (fault?.kind === 'html') {
      return answer(200, '<!doctype html><html><body>Service temporarily unavailable</body></html>', { 'Content-Type': 'text/html' });
    }

    // The real Hub redirects LFS/xet files to its CDN, another origin (a Range request then needs CORS there too).
    if (!cdn && !options.noCdn && LFS_FILE.test(file)) {
      const host = req.headers.host?.startsWith('localhost') ? '127.0.0.1' : 'localhost';
      return answer(302, '', { Location: `http://${host}:${port}/_cdn/${repo}/${file}`, 'X-Linked-Size': String(size) });
    }

    res.setHeader('Accept-Ranges', options.ignoreRange ? 'none' : 'bytes');
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    res.setHeader('ETag', `"${size}-${statSync(full).mtimeMs}"`);
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range && !options.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end) return answer(416, '', { 'Content-Range': `bytes */${size}` });
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    } else res.statusCode = 200;
    res.setHeader('Content-Length', String(end - start + 1));
    log.push({ path, method, range: req.headers.range, status: res.statusCode });
    if (method === 'HEAD') return void res.end();
    // Not the one-byte Range read with which transformers.js sizes a file.
    const bodyFault = end > start ? takeFault(path, method, req.headers.range, BODY_FAULTS) : undefined;
    if (bodyFault?.kind === 'truncate') return sendHalfThenClose(full, start, end, res);
    if (bodyFault?.kind === 'stall') return sendHalfThenStall(full, start, end, res, bodyFault.stallMs);
    if (bodyFault?.kind === 'corrupt') return sendCorrupt(full, start, end, res);
    createReadStream(full, { start, end }).pipe(res);
  });
  await new Promise<void>((ready) => server.listen(port, '127.0.0.1', ready));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${port}`,
    cdnUrl: `http://localhost:${port}`,
    log,
    options,
    faults,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function inRange(header: string | undefined, [first, last]: [number, number]): boolean {
  const start = Number(/^bytes=(\d+)-/.exec(header ?? '')?.[1] ?? Number.NaN);
  return start >= first && start <= last;
}

function controlFaults(req: IncomingMessage, res: ServerResponse, faults: Fault[]): void {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    if (req.method === 'DELETE') faults.length = 0;
    else if (req.method === 'POST') faults.push(...(JSON.parse(body) as Fault[]));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(faults));
  });
}

/** Promises the whole range (Content-Length), sends half of it, then drops the connection. */
function sendHalfThenClose(file: string, start: number, end: number, res: ServerResponse): void {
  const half = start + Math.floor((end - start + 1) / 2);
  res.flushHeaders();
  const stream = createReadStream(file, { start, end: Math.max(start, half - 1) });
  stream.on('data', (chunk) => res.write(chunk));
  stream.on('end', () => setTimeout(() => res.socket?.destroy(), 50));
}

/** Sends half the range, then nothing for `stallMs` (a server that stops sending), then the rest. */
function sendHalfThenStall(file: string, start: number, end: number, res: ServerResponse, stallMs: number): void {
  const half = start + Math.floor((end - start + 1) / 2);
  res.flushHeaders();
  res.write(readFileSync(file).subarray(start, half));
  const timer = setTimeout(() => {
    if (!res.destroyed) createReadStream(file, { start: half, end }).pipe(res);
  }, stallMs);
  res.on('close', () => clearTimeout(timer));
}

function sendCorrupt(file: string, start: number, end: number, res: ServerResponse): void {
  const bytes = readFileSync(file).subarray(start, end + 1);
  const out = Buffer.from(bytes);
  for (let i = 64; i < out.length; i++) out[i] ^= 0xa5;
  res.end(out);
}

/** Sets the faults of a running stand-in Hub (tests). */
export async function setFaults(hubUrl: string, faults: Fault[]): Promise<void> {
  await fetch(`${hubUrl}/_faults`, { method: 'DELETE' });
  if (faults.length) await fetch(`${hubUrl}/_faults`, { method: 'POST', body: JSON.stringify(faults) });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : 8765;
  const roots = args.length ? args : [resolve(import.meta.dirname, '..', '..', 'models')];
  startHubServer({ roots, port }).then((s) => console.log(`local Hub at ${s.url} (CDN ${s.cdnUrl}) serving ${roots.join(', ')}`));
}
