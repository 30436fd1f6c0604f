/**
 * A load request → a resolved load, once, for the worker and the CLI alike: the pair's manifest, the Hub
 * client its files come from, the device it runs on, per body repo the variant that loads (dtype, graph,
 * external data chunks: plan.ts), and the devices passed over on the way, each with its reason.
 *
 * Devices are tried in order, as onnxruntime-common resolves its backends: WebGPU, then WASM. WebGPU is
 * passed over where the browser offers no adapter, where the dtype computes in half floats and the adapter
 * lacks shader-f16, and, after a load, where it disagrees with WASM on a check text (the worker asks
 * fallBackToWasm then: that check needs the pair loaded). What the page says of each is NOTICE's.
 *
 *   request ─► device (adapter?) ─► manifest ─► variants (HEAD) ─► dtype ─► half floats without shader-f16? ─► WASM
 *
 * Resolving writes nothing (transformersEnv.ts): an estimate or a file list asked of one Hub leaves the
 * loaded pair's alone.
 */
import { type Dtype, isHalfFloat } from '../shared/dtypes';
import type { BinaryReader } from '../shared/files';
import type { BackendChoice } from '../shared/linkSchema';
import type { PairManifest } from '../shared/manifest';
import { manifestFor } from '../shared/pairId';
import type { Device } from '../shared/wire';
import { HubClient } from './hub';
import { choosePlan, type PairPlan, planPair } from './plan';

export interface LoadRequest {
  /** A catalog id, `eol:…` or `hub:…` (shared/pairId.ts). */
  pairId: string;
  /** The page's choice (a link's `backend=`, the pair picker); the CLI runs on 'cpu' (onnxruntime-node). */
  backend: BackendChoice | 'cpu';
  /** Where Hub-hosted files come from (default: huggingface.co). */
  hubUrl?: string;
  /** The user's dtype; else the device's preference (shared/dtypes.ts). */
  dtype?: Dtype;
}

/** The browser's WebGPU adapter as a load needs it (undefined: the browser offers none). */
export type WebgpuAdapter = { shaderF16: boolean } | undefined;

export interface LoadContext {
  /** Reads files under the model root (a shipped pair's manifest). */
  read: BinaryReader;
  /** Asks for the browser's WebGPU adapter, only when the backend may run on WebGPU. Absent: there is none (Node). */
  webgpuAdapter?: () => Promise<WebgpuAdapter>;
}

/** Why WebGPU was passed over for WASM. */
export type FallbackReason = { kind: 'no-adapter' } | { kind: 'no-shader-f16'; dtype: Dtype } | { kind: 'check-text'; detail: string };

/** One device passed over and why: onnxruntime-common's `[name] reason`. */
export interface Fallback {
  device: Device;
  reason: FallbackReason;
}

export interface DeviceChoice {
  device: Device;
  /** Whether the WebGPU adapter has shader-f16 (false off WebGPU). */
  shaderF16: boolean;
  fallbacks: Fallback[];
}

export interface ResolvedLoad extends DeviceChoice {
  request: LoadRequest;
  manifest: PairManifest;
  hub: HubClient;
  plan: PairPlan;
  /** The sentence the page shows when the load does not run where it was asked to (the last fallback's); undefined otherwise. */
  notice?: string;
}

/**
 * What the page says of each fallback. Asked for by name (`backend=webgpu`), a missing adapter is said;
 * under `auto` it is what auto means, and nothing is said.
 */
function noticeOf(reason: FallbackReason, backend: LoadRequest['backend']): string | undefined {
  switch (reason.kind) {
    case 'no-adapter':
      return backend === 'webgpu' ? 'WebGPU was requested, but this browser offers no WebGPU adapter: running on WASM.' : undefined;
    case 'no-shader-f16':
      return `${reason.dtype} computes in 16-bit floats, which this browser's WebGPU adapter cannot run (it lacks shader-f16): running on WASM.`;
    case 'check-text':
      return `WebGPU disagreed with WASM on a check text (${reason.detail}): running on WASM.`;
  }
}

/** The device a backend choice runs on, before its pair is known: WebGPU where the browser offers an adapter, else WASM. */
export async function resolveDevice(backend: LoadRequest['backend'], webgpuAdapter?: LoadContext['webgpuAdapter']): Promise<DeviceChoice> {
  if (backend === 'wasm' || backend === 'cpu') return { device: backend, shaderF16: false, fallbacks: [] };
  const adapter = await webgpuAdapter?.();
  if (adapter) return { device: 'webgpu', shaderF16: adapter.shaderF16, fallbacks: [] };
  return { device: 'wasm', shaderF16: false, fallbacks: [{ device: 'webgpu', reason: { kind: 'no-adapter' } }] };
}

/** Resolves a load request (see the top of this file); throws one sentence for an unknown pair, a bad Hub URL, a dtype the repos lack. */
export async function resolveLoad(request: LoadRequest, context: LoadContext): Promise<ResolvedLoad> {
  const hub = new HubClient({ baseUrl: request.hubUrl });
  const { device, shaderF16, fallbacks } = await resolveDevice(request.backend, context.webgpuAdapter);
  const manifest = await manifestFor(request.pairId, context.read);
  const plan = await planPair(manifest, hub, { device, shaderF16, dtype: request.dtype });
  const last = fallbacks.at(-1);
  const resolved: ResolvedLoad = { request, manifest, hub, device, shaderF16, plan, fallbacks, notice: last && noticeOf(last.reason, request.backend) };
  // onnxruntime's WebGPU kernels need the adapter's shader-f16 for half-float graphs (a software adapter has none:
  // "Program Gather requires f16"). WebGPU's preference never picks one without it, so the user asked for this
  // dtype (or the repos have no other): keep it and run it on WASM.
  if (device === 'webgpu' && !shaderF16 && isHalfFloat(plan.dtype)) return fallBackToWasm(resolved, { kind: 'no-shader-f16', dtype: plan.dtype });
  return resolved;
}

/** The same load on WASM, WebGPU passed over for `reason`: the dtype chosen again for WASM from the variants already found. */
export function fallBackToWasm(resolved: ResolvedLoad, reason: FallbackReason): ResolvedLoad {
  const plan = choosePlan(resolved.manifest, resolved.plan.variants, { device: 'wasm', dtype: resolved.request.dtype });
  const fallbacks = [...resolved.fallbacks, { device: resolved.device, reason }];
  return { ...resolved, device: 'wasm', shaderF16: false, plan, fallbacks, notice: noticeOf(reason, resolved.request.backend) };
}
