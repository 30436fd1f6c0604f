/**
 * Turning a single-file ONNX model into graph + external data as it streams in,
 * without copying its weights.
 *
 * onnxruntime-web copies a model given as one buffer into its WebAssembly heap,
 * parses it there and builds every initializer beside it: the heap holds ~2.5× the
 * file for good (bench/README.md, "realsize"). Given the graph and its weights as
 * external data, it copies each weight once into its tensor and keeps ~1.1×.
 *
 * The external data file here is the downloaded file itself, byte for byte: each
 * initializer's `raw_data` is left where it is and the graph says where (offset and
 * length in that file). So the data side is the network stream passed on as it is
 * (Content-Length known, nothing buffered twice), and only the graph without its
 * weights is rebuilt (a few MB for a 0.6B model). Field numbers are onnx.proto's.
 */

import { concatBytes } from './bytes';

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const DATA_LOCATION_EXTERNAL = 1;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LENGTH = 2;
const WIRE_32BIT = 5;

/** A field's key and length varints take at most 5 + 10 bytes. */
const LONGEST_HEAD = 15;

export class NotSplittableError extends Error {}

interface Frame {
  /** The message's field number in its parent (0 for the model). */
  number: number;
  kind: 'model' | 'graph' | 'tensor';
  /** Absolute offset where the message ends (the model: at the file's end). */
  end: number;
  /** The rebuilt message, in pieces. */
  parts: Uint8Array[];
  /** A tensor whose raw_data stays in the data file. */
  external?: { offset: number; length: number };
}

type Mode = { kind: 'head' } | { kind: 'copy'; remaining: number } | { kind: 'skip'; remaining: number };

/**
 * Push the file's bytes in order, then call finish() for the graph. Initializers
 * with at least `minBytes` of raw_data point into `location` (the same bytes);
 * smaller ones stay inline. Everything else is kept as it is, in order.
 */
export class ExternalDataSplitter {
  private pos = 0;
  private pending: Uint8Array = new Uint8Array(0);
  private mode: Mode = { kind: 'head' };
  private readonly stack: Frame[] = [{ number: 0, kind: 'model', end: Number.POSITIVE_INFINITY, parts: [] }];
  /** Initializers moved out, and their bytes. */
  movedTensors = 0;
  movedBytes = 0;

  constructor(
    private readonly location: string,
    private readonly minBytes = 1024,
  ) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const mode = this.mode;
      if (mode.kind !== 'head') {
        const n = Math.min(mode.remaining, chunk.length - i);
        if (mode.kind === 'copy') this.top.parts.push(chunk.slice(i, i + n));
        i += n;
        this.pos += n;
        mode.remaining -= n;
        if (mode.remaining === 0) this.mode = { kind: 'head' };
        continue;
      }
      this.closeEndedFrames();
      const window = joinBytes(this.pending, chunk.subarray(i, i + LONGEST_HEAD));
      const head = readHead(window);
      if (!head) {
        if (window.length >= LONGEST_HEAD) throw new NotSplittableError('a field key or length is malformed');
        i += window.length - this.pending.length;
        this.pending = window;
        continue;
      }
      i += head.headLength - this.pending.length;
      this.pending = new Uint8Array(0);
      this.field(window.subarray(0, head.headLength), head);
    }
  }

  /** The graph, once the whole file has been pushed. */
  finish(): Uint8Array {
    this.closeEndedFrames();
    if (this.stack.length !== 1 || this.pending.length > 0 || this.mode.kind !== 'head') {
      throw new NotSplittableError('the file ends in the middle of a field');
    }
    return joinBytes(...this.stack[0].parts);
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private field(headBytes: Uint8Array, head: Head): void {
    const start = this.pos;
    this.pos += head.headLength;
    const frame = this.top;
    if (head.wire === WIRE_VARINT) {
      frame.parts.push(headBytes.slice());
      return;
    }
    if (head.wire !== WIRE_LENGTH) {
      frame.parts.push(headBytes.slice());
      this.mode = { kind: 'copy', remaining: head.wire === WIRE_64BIT ? 8 : 4 };
      return;
    }
    const end = this.pos + head.length;
    if (end > frame.end) throw new NotSplittableError(`a field at byte ${start} runs past the end of its message`);
    const child =
      frame.kind === 'model' && head.number === MODEL_GRAPH ? 'graph' : frame.kind === 'graph' && head.number === GRAPH_INITIALIZER ? 'tensor' : undefined;
    if (child) {
      this.stack.push({ number: head.number, kind: child, end, parts: [] });
      return;
    }
    if (frame.kind === 'tensor' && head.number === TENSOR_RAW_DATA && head.length >= this.minBytes) {
      frame.external = { offset: this.pos, length: head.length };
      this.mode = { kind: 'skip', remaining: head.length };
      return;
    }
    frame.parts.push(headBytes.slice());
    if (head.length > 0) this.mode = { kind: 'copy', remaining: head.length };
  }

  private closeEndedFrames(): void {
    while (this.stack.length > 1 && this.top.end <= this.pos) {
      const frame = this.stack.pop()!;
      if (frame.end !== this.pos) throw new NotSplittableError('a message ends in the middle of a field');
      if (frame.external) {
        const { offset, length } = frame.external;
        for (const [key, value] of [
          ['location', this.location],
          ['offset', String(offset)],
          ['length', String(length)],
        ]) {
          frame.parts.push(lengthField(TENSOR_EXTERNAL_DATA, joinBytes(lengthField(ENTRY_KEY, utf8(key)), lengthField(ENTRY_VALUE, utf8(value)))));
        }
        frame.parts.push(varint(TENSOR_DATA_LOCATION * 8 + WIRE_VARINT), varint(DATA_LOCATION_EXTERNAL));
        this.movedTensors++;
        this.movedBytes += length;
      }
      this.top.parts.push(lengthField(frame.number, joinBytes(...frame.parts)));
    }
  }
}

interface Head {
  number: number;
  wire: number;
  /** Bytes of the key and, for length-delimited fields, the length (for varints: the whole field). */
  headLength: number;
  /** Payload length of a length-delimited field. */
  length: number;
}

/** The head of the field at the start of `bytes`, or undefined when it is not all there yet. */
function readHead(bytes: Uint8Array): Head | undefined {
  const key = readVarint(bytes, 0);
  if (!key) return undefined;
  const number = Math.floor(key.value / 8);
  const wire = key.value % 8;
  if (wire === WIRE_VARINT) {
    const value = readVarint(bytes, key.next);
    return value && { number, wire, headLength: value.next, length: 0 };
  }
  if (wire === WIRE_64BIT || wire === WIRE_32BIT) return { number, wire, headLength: key.next, length: 0 };
  if (wire !== WIRE_LENGTH) throw new NotSplittableError(`unknown wire type ${wire}: not an ONNX model`);
  const length = readVarint(bytes, key.next);
  return length && { number, wire, headLength: length.next, length: length.value };
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if (bytes[i] < 0x80) return { value, next: i + 1 };
    scale *= 128;
  }
  if (bytes.length >= at + 10) throw new NotSplittableError('a varint is longer than 10 bytes');
  return undefined;
}

function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function lengthField(number: number, payload: Uint8Array): Uint8Array {
  return joinBytes(varint(number * 8 + WIRE_LENGTH), varint(payload.length), payload);
}

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);
const joinBytes = (...arrays: Uint8Array[]) => concatBytes(arrays);
