/**
 * Turning a single-file ONNX model into graph + external data as it streams in,
 * without copying its weights.
 *
 * onnxruntime-web copies a model given as one buffer into its WebAssembly heap,
 * parses it there and builds every initializer beside it: the heap holds ~2.5× the
 * file for good (docs/benchmarks.md, "realsize"). Given the graph and its weights as
 * external data, it copies each weight once into its tensor and keeps ~1.1×.
 *
 * The external data file here is the downloaded file itself, byte for byte: each
 * initializer's `raw_data` is left where it is and the graph says where (offset and
 * length in that file). So the data side is the network stream passed on as it is
 * (Content-Length known, nothing buffered twice), and only the graph without its
 * weights is rebuilt (a few MB for a 0.6B model). Field numbers are onnx.proto's.
 */

import { concatBytes } from './bytes';
import { ENUM, FIELD, type FieldHead, lengthField, NotOnnxError, readFieldHead, varintField, WIRE } from './onnx/wire';

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
    if (head.wire === WIRE.varint) {
      frame.parts.push(headBytes.slice());
      return;
    }
    if (head.wire !== WIRE.length) {
      frame.parts.push(headBytes.slice());
      this.mode = { kind: 'copy', remaining: head.wire === WIRE.fixed64 ? 8 : 4 };
      return;
    }
    const end = this.pos + head.length;
    if (end > frame.end) throw new NotSplittableError(`a field at byte ${start} runs past the end of its message`);
    const child =
      frame.kind === 'model' && head.number === FIELD.model.graph
        ? 'graph'
        : frame.kind === 'graph' && head.number === FIELD.graph.initializer
          ? 'tensor'
          : undefined;
    if (child) {
      this.stack.push({ number: head.number, kind: child, end, parts: [] });
      return;
    }
    if (frame.kind === 'tensor' && head.number === FIELD.tensor.rawData && head.length >= this.minBytes) {
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
          frame.parts.push(
            lengthField(FIELD.tensor.externalData, joinBytes(lengthField(FIELD.stringStringEntry.key, key), lengthField(FIELD.stringStringEntry.value, value))),
          );
        }
        frame.parts.push(varintField(FIELD.tensor.dataLocation, ENUM.dataLocationExternal));
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
  let field: FieldHead | undefined;
  try {
    field = readFieldHead(bytes, 0);
  } catch (error) {
    throw error instanceof NotOnnxError ? new NotSplittableError(error.message, { cause: error }) : error;
  }
  if (!field) return undefined;
  const { number, wire, payloadStart, end } = field;
  if (wire === WIRE.length) return { number, wire, headLength: payloadStart, length: end - payloadStart };
  return { number, wire, headLength: wire === WIRE.varint ? end : payloadStart, length: 0 };
}

const joinBytes = (...arrays: Uint8Array[]) => concatBytes(arrays);
