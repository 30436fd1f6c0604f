/**
 * A local stand-in for the Hugging Face Hub, for tests (no network here). It
 * serves `/{org}/{name}/resolve/{revision}/{file}` from folders laid out as
 * `<root>/{org}/{name}/{file}`, answering as the real Hub does:
 * - CORS on `resolve/` (`Access-Control-Allow-Origin: *`), HTTP Range with 206;
 * - large ("LFS") files — `.onnx`, `.onnx_data`, `.safetensors` — answer 302 to a CDN on
 *   another origin (`localhost` instead of `127.0.0.1`, so the browser treats it as cross-origin),
 *   with `X-Linked-Size`; the CDN answers the CORS preflight a Range request may need;
 * - 401/403 for chosen repos (gated, private);
 * and, for the tests, faults switched on at run time (`POST /_faults`, JSON list; `DELETE /_faults`):
 *   {match, kind: 'status', status, times}  answer `status` (429/500/503…) the next `times` requests
 *   {match, kind: 'truncate', times}        send Content-Length of the whole file, then half the body and close
 *   {match, kind: 'html', times}            answer 200 with an HTML page (a captive portal, a proxy's error page)
 *   {match, kind: 'corrupt', times}         the right length, every byte after the first 64 flipped
 * `match` is a substring of the request path. Each fault counts down on requests it answers.
 *
 *   npx tsx tools/hub/hubServer.ts [--port 8765] [root …]   # serves models/ by default
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize, resolve } from 'node:path';

export interface HubServerOptions {
  roots: string[];
  port?: number;
  /** repo id → status answered for every file of it (401 gated, 403 private). */
  denied?: Record<string, 401 | 403>;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
  delayMs?: number;
  /** Serve large files straight from resolve/ instead of redirecting to the CDN origin. */
  noCdn?: boolean;
}

export type Fault = { match: string; kind: 'status'; status: number; times: number } | { match: string; kind: 'truncate' | 'html' | 'corrupt'; times: number };

export interface HubServer {
  url: string;
  /** The CDN origin large files redirect to (another origin than `url`). */
  cdnUrl: string;
  /** Files served, in order (for asserting what a client downloaded). */
  log: { path: string; method: string; range?: string; status: number }[];
  options: HubServerOptions;
  faults: Fault[];
  close(): Promise<void>;
}

const ROUTE = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/;
const CDN_ROUTE = /^\/_cdn\/([^/]+\/[^/]+)\/(.+)$/;
const LFS_FILE = /\.(onnx|onnx_data(_\d+)?|safetensors)$/;

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const log: HubServer['log'] = [];
  const faults: Fault[] = [];
  let port = options.port ?? 0;

  /** The first live fault of these kinds for this path, counted down. */
  const takeFault = (path: string, kinds: Fault['kind'][]): Fault | undefined => {
    const fault = faults.find((f) => f.times > 0 && kinds.includes(f.kind) && path.includes(f.match));
    if (fault) fault.times--;
    return fault;
  };

  const server: Server = createServer(async (req, res) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range, Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, ETag, X-Linked-Size, Location');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    const method = req.method ?? 'GET';
    const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
      log.push({ path, method, range: req.headers.range, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    if (method === 'OPTIONS') return answer(204);
    if (path === '/_faults') return controlFaults(req, res, faults);

    const cdn = CDN_ROUTE.exec(path);
    const match = cdn ?? ROUTE.exec(path);
    if (!match) return answer(404, 'Repository not found');
    const [, repo, file] = match;
    const denied = options.denied?.[repo];
    if (denied) return answer(denied, denied === 401 ? 'Access to this model is restricted' : 'Forbidden');
    const full = options.roots.map((root) => resolve(root, normalize(join(repo, file)))).find((f) => existsSync(f) && statSync(f).isFile());
    if (!full) return answer(404, 'Entry not found', { 'X-Error-Code': 'EntryNotFound' });
    const size = statSync(full).size;

    const fault = takeFault(path, ['status', 'html']);
    if (fault?.kind === 'status') return answer(fault.status, `Fault injected: ${fault.status}`, fault.status === 429 ? { 'Retry-After': '0' } : {});
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
    // Whole-file downloads only (transformers.js first sizes a file with a one-byte Range read).
    const bodyFault = range ? undefined : takeFault(path, ['truncate', 'corrupt']);
    if (bodyFault?.kind === 'truncate') return sendHalfThenClose(full, start, end, res);
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
