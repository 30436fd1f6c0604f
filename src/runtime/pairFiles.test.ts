import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../shared/catalog';
import { type BinaryReader, TransientReadError } from '../shared/files';
import { parseManifest } from '../shared/manifest';
import { localModelReader } from './node';
import { catalogPairStatus, localPairFiles, plannedFiles } from './pairFiles';

const MODELS = join(import.meta.dirname, '../../models');
const read = localModelReader(MODELS);
const sizeOnDisk = async (file: string) => statSync(join(MODELS, file)).size;

describe('catalog pairs and their files', () => {
  it('every entry says its download size and licence', () => {
    for (const entry of CATALOG) {
      expect(entry.size, entry.id).toMatch(/\d/);
      expect(entry.licence, entry.id).toMatch(/\w/);
    }
  });

  it("a shipped pair's size is the sum of the files its load reads, on disk", async () => {
    for (const entry of CATALOG.filter((e) => e.manifest)) {
      const { manifest, available } = await catalogPairStatus(entry, read);
      if (!available || !manifest) continue;
      const planned = await plannedFiles(manifest, sizeOnDisk);
      expect(planned.complete, entry.id).toBe(true);
      const bytes = planned.files.reduce((n, f) => n + (f.bytes ?? 0), 0);
      expect(entry.size, entry.id).toBe(`${(bytes / 1e6).toFixed(1)} MB`);
    }
  });

  it('the demo pair reads its embedder whole, its base without a tokenizer, W and its small files', () => {
    const files = localPairFiles(parseManifest(JSON.parse(readFileSync(join(MODELS, 'demo/manifest.json'), 'utf8'))));
    expect(files).toEqual([
      'demo/embed/config.json',
      'demo/embed/tokenizer.json',
      'demo/embed/tokenizer_config.json',
      'demo/embed/onnx/model.onnx',
      'demo/base/config.json',
      'demo/base/onnx/model.onnx',
      'demo/lm_head.f16',
      'demo/frequent_tokens.json',
      'demo/sample.txt',
      'demo/spectrum.json',
    ]);
  });

  it('availability: Hub pairs yes; the demo yes; SGPT only once its export is under models/; an index page is not a file', async () => {
    const status = Object.fromEntries(await Promise.all(CATALOG.map(async (e) => [e.id, (await catalogPairStatus(e, read)).available])));
    let exported = true;
    try {
      statSync(join(MODELS, 'sgpt-125m/embed/config.json'));
    } catch {
      exported = false;
    }
    expect(status).toEqual({ demo: true, 'qwen3-0.6b': true, 'sgpt-125m': exported, 'smollm2-135m-eol': true, 'test-tiny': true });
    // A static host that answers every path with its index page (200, text/html).
    const indexPage: BinaryReader = async (path) =>
      path.endsWith('manifest.json') ? read(path) : new TextEncoder().encode('<!doctype html><title>app</title>').buffer;
    expect((await catalogPairStatus(CATALOG.find((e) => e.id === 'demo')!, indexPage)).available).toBe(false);
  });

  it('availability: a server that cannot answer just now leaves a shipped pair available (the load says why), a missing manifest does not', async () => {
    const demo = CATALOG.find((e) => e.id === 'demo')!;
    const busy: BinaryReader = async (path) => {
      throw new TransientReadError(`${path}: the server answered 503 Service Unavailable`);
    };
    expect(await catalogPairStatus(demo, busy)).toEqual({ available: true });
    // The manifest read, then a 503 on the embedder's config.
    const busyConfig: BinaryReader = async (path) => (path.endsWith('manifest.json') ? read(path) : busy(path));
    expect((await catalogPairStatus(demo, busyConfig)).available).toBe(true);
    const missing: BinaryReader = async (path) => {
      throw new Error(`${path}: the server answered 404 Not Found`);
    };
    expect(await catalogPairStatus(demo, missing)).toEqual({ available: false });
  });
});
