import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';

/** The production build the hosts serve (`npx vite build` first). */
export const DIST = resolve('dist');

export interface StaticHost {
  /** The app's URL, ending in the sub-path and a slash. */
  url: string;
  /** Paths the host was asked for that lie outside the sub-path (a build that fetches from `/`). */
  strayRequests(): string[];
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The plainest static host: files of dist/ under `subPath`, a content type by extension, 404 for
 * anything else, and no COOP/COEP (like GitHub Pages or a Hugging Face static Space).
 */
export async function plainHost(subPath: string): Promise<StaticHost> {
  const stray: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(subPath)) {
      stray.push(path);
      res.writeHead(404).end();
      return;
    }
    let file = join(DIST, normalize(path.slice(subPath.length)));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${subPath}`,
    strayRequests: () => [...stray],
    stop: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * A single-page-app host: files of dist/ under `subPath`, and for any other path its index page (200,
 * text/html), as SPA hosting answers a route it does not know. A file asked of it that is not in dist/
 * is taken for that page by whoever asked: `fallbacks` lists those paths.
 */
export async function spaHost(subPath: string): Promise<StaticHost & { fallbacks(): string[] }> {
  const fallbacks: string[] = [];
  const index = join(DIST, 'index.html');
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.startsWith(subPath) ? join(DIST, normalize(path.slice(subPath.length))) : index;
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(DIST) || !existsSync(file)) {
      fallbacks.push(path);
      file = index;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${subPath}`,
    strayRequests: () => fallbacks.filter((path) => !path.startsWith(subPath)),
    fallbacks: () => [...fallbacks],
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/** Debian's nginx binary, or a message saying how to get it. */
export function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
  throw new Error('nginx is not installed: `apt-get install nginx` (.ci/run does it)');
}

/**
 * Debian's nginx on a loopback port, serving dist/ under `subPath` with the COOP/COEP headers that
 * make the page cross-origin isolated (WASM threads on). Config, pid, logs and temp files live in a
 * fresh temp folder; `stop` ends this nginx (by its own process) and removes the folder.
 */
export async function nginxHost(subPath: string): Promise<StaticHost> {
  const binary = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), 'lens-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  // master_process off: one process that stays in the foreground and never switches user.
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  types { text/javascript mjs; }
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location ${subPath} {
      alias ${DIST}/;
      add_header Cross-Origin-Opener-Policy same-origin always;
      add_header Cross-Origin-Embedder-Policy require-corp always;
    }
  }
}
`,
  );
  execFileSync(binary, ['-t', '-q', '-p', dir, '-c', conf]);
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}${subPath}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`nginx did not answer on ${url}: ${stderr}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    strayRequests: () =>
      readFileSync(join(dir, 'access.log'), 'utf8')
        .split('\n')
        .map((line) => /"[A-Z]+ (\S+)/.exec(line)?.[1])
        .filter((p): p is string => p !== undefined && !p.startsWith(subPath)),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
