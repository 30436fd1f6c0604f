import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub } from '../tools/hub/testRepos';

// The demo pair and the random test pair republished under Hub ids on a local
// Hub server (tools/hub/testRepos.ts): the base repo carries W as a real
// safetensors tensor, so the CLI reads it with Range requests as from the Hub.
const root = buildTestHub();
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ roots: [root] });
});
afterAll(() => hub.close());

function lens(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('npx', ['tsx', 'cli/lens.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const TEXTS = 'A man is playing a guitar.\nThe cat sleeps on the sofa.\n';

describe('CLI on Hub pairs (local Hub server)', () => {
  it('a custom pair from the Hub gives the same tokens as the same models from models/', async () => {
    const viaHub = await lens(
      ['align', '--embed', 'hubtest/demo-embed', '--base', 'hubtest/demo-base', '--pooling', DEMO_POOLING, '--hub-url', hub.url, '--input', '-', '--json'],
      TEXTS,
    );
    expect(viaHub.stderr).not.toMatch(/lens align:/);
    expect(viaHub.code).toBe(0);
    const local = await lens(['align', '--pair', 'demo', '--input', '-', '--json'], TEXTS);
    const ids = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.embed.top.map((t: { id: number }) => t.id), r.base.top.map((t: { id: number }) => t.id)]);
    expect(ids(viaHub.stdout)).toEqual(ids(local.stdout));
    // W came from the safetensors by Range requests.
    expect(hub.log.some((l) => l.path.endsWith('hubtest/demo-base/resolve/main/model.safetensors') && l.status === 206)).toBe(true);
  });

  it('refuses a pair whose vocabularies differ, naming both sizes', async () => {
    const out = await lens(['align', '--embed', 'hubtest/tiny-embed', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/vocabulary of 272 tokens.*8,192/);
  });

  it('an unknown Hub id exits non-zero and names the id', async () => {
    const out = await lens(['align', '--embed', 'nobody/missing-model', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('nobody/missing-model');
  });
});
