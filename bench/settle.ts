/**
 * `npm run bench -- settle [--pair=qwen3-0.6b] [--hub-url=…] [--dtype=q8]`: how good the slider's early u₁ is.
 *
 * The first visit's slider moves once u₁ has settled (src/runtime/direction.ts SETTLE: u₁ moved under
 * SETTLE.degrees over the last SETTLE.stride texts), long before the whole sample is in. This reads the pair's
 * whole sample in Node (the CLI's runtime, CPU), then replays the rule: after each text, how far u₁ has moved, how
 * far it still is from the whole sample's u₁, and what the explorer would show with it — the top-10 of
 * base + v₁u₁ with the early (u₁, v₁) against the final one, over the first 20 sample texts. It also says what
 * the rule would give at other thresholds, so a change of SETTLE can be judged on numbers.
 *
 * `--pair=qwen3-0.6b` without --hub-url serves the real-size stand-in pair (bench/realsize.ts builds it into
 * .cache/realsize/); `--pair=demo` reads the shipped demo pair (a trained model: what a real pair's u₁ does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpuLoadOptions, resolvePair } from '../cli/pair';
import { project } from '../src/core/lmHead';
import { directionAngle, spectrumOf, topComponents } from '../src/core/spectral';
import { shiftScores, topK } from '../src/core/topk';
import { EARLY_V_TEXTS, SETTLE } from '../src/runtime/direction';
import { loadPair } from '../src/runtime/loadPair';
import { EARLY_DIRECTION } from '../src/runtime/session';
import { startHubServer } from '../tools/hub/hubServer';
import { header, median, round } from './common';
import { arg, HUB_ROOT } from './realsize';

const K = 10;
/** Texts whose top-10 is compared (early against final direction). */
const PROBE_TEXTS = 20;

export async function run(): Promise<void> {
  const pairId = arg('pair', 'qwen3-0.6b');
  const dtype = arg('dtype', 'q8');
  let hubUrl = arg('hub-url', '');
  header('settle', `how far the slider's early u₁ is from the whole sample's (${pairId}, Node CPU)`);
  let close = async () => {};
  const standIn = !hubUrl && pairId === 'qwen3-0.6b';
  if (standIn) {
    if (!existsSync(join(HUB_ROOT, 'realsize.json'))) throw new Error(`no real-size pair in ${HUB_ROOT}: run \`npm run bench -- realsize\` once to build it`);
    const server = await startHubServer({ roots: [HUB_ROOT] });
    hubUrl = server.url;
    close = () => server.close();
    process.stdout.write(`# pair: the real-size stand-in (${HUB_ROOT}, random weights)\n`);
  }
  try {
    const resolved = await resolvePair({
      pair: pairId,
      dtype: standIn || hubUrl ? dtype : undefined,
      ...(hubUrl && { 'hub-url': hubUrl }),
      ...(standIn && { 'cache-dir': join(HUB_ROOT, '..', 'settle-cache') }),
    });
    const pair = await loadPair({ ...resolved.manifest, spectrum: undefined }, cpuLoadOptions(resolved));
    const texts = pair.sample;
    /** One body's pooled state of every sample text, a text per run as the app reads them, and each run's time. */
    const readAll = async (which: 'base' | 'embed') => {
      const states: Float32Array[] = [];
      const ms: number[] = [];
      for (const text of texts) {
        const started = performance.now();
        states.push(...(await pair.runBody(which, [text])));
        ms.push(performance.now() - started);
      }
      return { states, ms };
    };
    const { states: base, ms: baseMs } = await readAll('base');
    const { states: embed, ms: embedMs } = await readAll('embed');
    const tokens = texts.map((text) => pair.tokenize(text).ids.length);
    process.stdout.write(
      `# sample: ${texts.length} texts, ${median(tokens)} tokens median (base); a text per run: base ${median(baseMs).toFixed(0)} ms, embedder ${median(embedMs).toFixed(0)} ms median\n`,
    );

    const final = spectrumOf(embed, base, 1);
    const finalU = final.vectors[0];
    const finalV = final.variation[0];
    // What the explorer shows at λ = v₁ (base + v₁u₁), for the probe texts: z0 = W·h, zu = W·u.
    const z0s = base.slice(0, PROBE_TEXTS).map((h) => project(pair.head, h));
    const limit = pair.head.validRows;
    const topAt = (zu: Float32Array, v1: number) => z0s.map((z0) => new Set(topK(shiftScores(z0, zu, v1), K, limit).ids));
    const finalTops = topAt(project(pair.head, finalU), finalV);
    const overlapWithFinal = (u: Float64Array, v1: number) => {
      const tops = topAt(project(pair.head, u), v1);
      return tops.reduce((n, top, i) => n + [...top].filter((id) => finalTops[i].has(id)).length, 0) / (tops.length * K);
    };

    // The rule replayed: u₁ after each text, compared with the estimate SETTLE.stride texts earlier.
    const u1At: Float64Array[] = [];
    const moved: (number | undefined)[] = [];
    for (let n = 1; n <= texts.length; n++) {
      const u = topComponents(base.slice(0, n), 1).vectors[0];
      u1At[n] = u;
      // As sampleSpectrum compares: with the estimate at the last multiple of the stride, a stride or more back.
      const earlier = u1At[Math.floor((n - SETTLE.stride) / SETTLE.stride) * SETTLE.stride];
      moved[n] = earlier ? directionAngle(u, earlier) : undefined;
    }
    const earlyV = (n: number, vTexts = EARLY_V_TEXTS) => spectrumOf(embed.slice(0, Math.min(vTexts, n)), base.slice(0, n), 1).variation[0];
    const firesAt = (degrees: number, minTexts = SETTLE.minTexts) => {
      for (let n = minTexts; n <= texts.length; n++) if ((moved[n] ?? 90) < degrees) return n;
      return texts.length;
    };

    process.stdout.write(`\nu₁ after n texts against the whole sample's (v₁ = ${finalV.toFixed(3)}):\n\n`);
    process.stdout.write(
      '| texts | moved over the last 4 | from the final u₁ | v₁ (embedder on the first 8) | top-10 at λ = v₁ shared with the final |\n|---|---|---|---|---|\n',
    );
    for (const n of [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 64, 100, 150, texts.length].filter((n) => n <= texts.length)) {
      const v = earlyV(n);
      process.stdout.write(
        `| ${n} | ${moved[n]?.toFixed(2) ?? '—'}° | ${directionAngle(u1At[n], finalU).toFixed(2)}° | ${v.toFixed(3)} | ${(overlapWithFinal(u1At[n], v) * 100).toFixed(0)}% |\n`,
      );
    }
    process.stdout.write(
      `\nThe rule at other thresholds (u₁ moved under X° over the last ${SETTLE.stride} texts, from ${SETTLE.minTexts} texts on; the app also hands over after ${EARLY_DIRECTION} texts at the latest):\n\n`,
    );
    process.stdout.write(
      '| threshold | fires after | base runs + embedder runs | from the final u₁ | top-10 at λ = v₁ shared with the final |\n|---|---|---|---|---|\n',
    );
    const rows: Record<string, number> = {};
    const rule = (label: string, key: string, n: number) => {
      const angle = directionAngle(u1At[n], finalU);
      const shared = overlapWithFinal(u1At[n], earlyV(n));
      process.stdout.write(`| ${label} | ${n} texts | ${n} + ${Math.min(EARLY_V_TEXTS, n)} | ${angle.toFixed(2)}° | ${(shared * 100).toFixed(0)}% |\n`);
      rows[`${key}_texts`] = n;
      rows[`${key}_angle`] = round(angle, 2);
      rows[`${key}_shared_top10`] = round(shared, 3);
    };
    for (const degrees of [1, 2, 3, 5, 8]) rule(`${degrees}°`, `settle_${degrees}deg`, firesAt(degrees));
    rule(`the app: ${SETTLE.degrees}°, or ${EARLY_DIRECTION} texts`, 'app', Math.min(firesAt(SETTLE.degrees), EARLY_DIRECTION));
    process.stdout.write(
      '\nTexts the base model reads before the hand-over × texts the embedder reads for v₁: top-10 at λ = v₁ shared with the final view\n\n',
    );
    const vChoices = [4, 8, 16];
    process.stdout.write(
      `| base texts | ${vChoices.map((v) => `v₁ from ${v}${v === EARLY_V_TEXTS ? ' (the app)' : ''}`).join(' | ')} |\n|---|${vChoices.map(() => '---').join('|')}|\n`,
    );
    for (const n of [12, 16, 20, 24, 32, 48]) {
      const cells = vChoices.map((v) => `${(overlapWithFinal(u1At[n], earlyV(n, v)) * 100).toFixed(0)}% (${n + Math.min(v, n)} runs)`);
      process.stdout.write(`| ${n} | ${cells.join(' | ')} |\n`);
    }
    process.stdout.write(
      `${JSON.stringify({ pair: pairId, dtype: pair.dtype, base_ms: round(median(baseMs), 0), embed_ms: round(median(embedMs), 0), tokens: median(tokens), v1: round(finalV, 4), ...rows })}\n`,
    );
    await pair.dispose();
  } finally {
    await close();
  }
}
