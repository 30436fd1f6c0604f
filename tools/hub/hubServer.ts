/**
 * A local stand-in for the Hugging Face Hub, for tests (no network here). It
 * serves `/{org}/{name}/resolve/{revision}/{file}` from folders laid out as
 * `<root>/{org}/{name}/{file}`, with HTTP Range, CORS, and failures on demand:
 * 401/403 for chosen repos, a mode that ignores Range, and a delay per response.
 *
 *   npx tsx tools/hub/hubServer.ts [--port 8765] [root …]   # serves models/ by default
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize, resolve } from 'node:path';

export interface HubServerOptions {
  roots: string[];
  port?: number;
  /** repo id → status answered for every file of it (401 gated, 403 private). */
  denied?: Record<string, 401 | 403>;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
  delayMs?: number;
}

export interface HubServer {
  url: string;
  /** Files served, in order (for asserting what a client downloaded). */
  log: { path: string; range?: string; status: number }[];
  options: HubServerOptions;
  close(): Promise<void>;
}

const ROUTE = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/;

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const log: HubServer['log'] = [];
  const server: Server = createServer(async (req, res) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range, Authorization');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, ETag');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    const match = ROUTE.exec(path);
    const answer = (status: number, body = '') => {
      log.push({ path, range: req.headers.range, status });
      res.statusCode = status;
      res.end(body);
    };
    if (!match) return answer(404, 'Repository not found');
    const [, repo, file] = match;
    const denied = options.denied?.[repo];
    if (denied) return answer(denied, denied === 401 ? 'Access to this model is restricted' : 'Forbidden');
    const full = options.roots.map((root) => resolve(root, normalize(join(repo, file)))).find((f) => existsSync(f) && statSync(f).isFile());
    if (!full) return answer(404, 'Entry not found');

    const size = statSync(full).size;
    res.setHeader('Accept-Ranges', options.ignoreRange ? 'none' : 'bytes');
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (range && !options.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end) {
        res.setHeader('Content-Range', `bytes */${size}`);
        return answer(416);
      }
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    } else res.statusCode = 200;
    res.setHeader('Content-Length', String(end - start + 1));
    log.push({ path, range: req.headers.range, status: res.statusCode });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(full, { start, end }).pipe(res);
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, '127.0.0.1', ready));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    options,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : 8765;
  const roots = args.length ? args : [resolve(import.meta.dirname, '..', '..', 'models')];
  startHubServer({ roots, port }).then((s) => console.log(`local Hub at ${s.url} serving ${roots.join(', ')}`));
}
