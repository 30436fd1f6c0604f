/**
 * The protobuf wire format, as much of it as this app reads and writes in ONNX files:
 * varints, field keys and lengths, and the onnx.proto field numbers it uses.
 *
 * A protobuf message is a run of fields, each a key varint (field number · 8 + wire
 * type) and a payload: a varint, 8 or 4 fixed bytes, or a length varint and that many
 * bytes (a string, bytes, or a nested message). No schema is needed to walk one, which
 * is all the readers and editors beside this file do (no protobuf library).
 */

import { concatBytes } from '../bytes';

/** How a field's payload is laid out (the low 3 bits of its key). Groups (3, 4) are not used by onnx.proto. */
export const WIRE = Object.freeze({
  /** A varint: ints, enums, bools. */
  varint: 0,
  /** 8 little-endian bytes: double, fixed64. */
  fixed64: 1,
  /** A length varint, then that many bytes: strings, bytes, nested messages, packed repeated fields. */
  length: 2,
  /** 4 little-endian bytes: float, fixed32. */
  fixed32: 5,
});

/** The field numbers of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) read or written here. */
export const FIELD = Object.freeze({
  /** ModelProto: the file. */
  model: Object.freeze({
    /** GraphProto graph. A file may hold it more than once: protobuf merges the occurrences. */
    graph: 7,
  }),
  /** GraphProto. Exporters write the nodes first and the initializers (the weights) after them. */
  graph: Object.freeze({
    /** repeated NodeProto node, in topological order. */
    node: 1,
    /** repeated TensorProto initializer: the weights. */
    initializer: 5,
    /** repeated ValueInfoProto output. */
    output: 12,
  }),
  /** NodeProto. */
  node: Object.freeze({
    /** repeated string input: tensor names ('' for an omitted optional input). */
    input: 1,
    /** repeated string output: tensor names. */
    output: 2,
    /** string name. */
    name: 3,
    /** string op_type, e.g. 'MatMul'. */
    opType: 4,
    /** repeated AttributeProto attribute. */
    attribute: 5,
  }),
  /** ValueInfoProto (a graph input or output). */
  valueInfo: Object.freeze({
    /** string name. */
    name: 1,
  }),
  /** AttributeProto. */
  attribute: Object.freeze({
    /** string name, e.g. 'epsilon'. */
    name: 1,
    /** float f: the value of a FLOAT attribute. */
    float: 2,
    /** TensorProto t: the value of a TENSOR attribute. */
    tensor: 5,
    /** AttributeType type. */
    type: 20,
  }),
  /** TensorProto. */
  tensor: Object.freeze({
    /** int32 data_type (a TensorProto.DataType). */
    dataType: 2,
    /** string name: how nodes refer to an initializer. */
    name: 8,
    /** bytes raw_data: the values, little-endian. */
    rawData: 9,
    /** repeated StringStringEntryProto external_data: location, offset, length of values kept in another file. */
    externalData: 13,
    /** DataLocation data_location. */
    dataLocation: 14,
  }),
  /** StringStringEntryProto (a key–value pair, as in TensorProto.external_data). */
  stringStringEntry: Object.freeze({
    /** string key. */
    key: 1,
    /** string value. */
    value: 2,
  }),
});

/** Values of the onnx.proto enums written here. */
export const ENUM = Object.freeze({
  /** AttributeProto.AttributeType.TENSOR. */
  attributeTypeTensor: 4,
  /** TensorProto.DataType.FLOAT (float32). */
  dataTypeFloat: 1,
  /** TensorProto.DataLocation.EXTERNAL: the values are in external_data, not in the tensor. */
  dataLocationExternal: 1,
});

/** A varint encodes a 64-bit value in 7-bit groups: ⌈64 / 7⌉ = 10 bytes at most. */
export const MAX_VARINT_BYTES = 10;

/** Not a protobuf-encoded ONNX model: the bytes end mid-field or use an unknown wire type. */
export class NotOnnxError extends Error {}

/**
 * The varint at `at`: its value and the position after it, or undefined when the
 * bytes end before it does. Values are JavaScript numbers: exact below 2^53 (every
 * offset and length in a file), and for any integer-valued double up to 2^64.
 */
export function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + MAX_VARINT_BYTES; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if (bytes[i] < 0x80) return { value, next: i + 1 };
    scale *= 128;
  }
  if (bytes.length >= at + MAX_VARINT_BYTES) throw new NotOnnxError(`a varint is longer than ${MAX_VARINT_BYTES} bytes`);
  return undefined;
}

/** `value` (a non-negative integer) as a varint. */
export function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Where a field lies: its number and wire type, where its payload starts, and where the field ends. */
export interface FieldHead {
  number: number;
  wire: number;
  /** Offset of the payload (after the key, and after the length of a length-delimited field). */
  payloadStart: number;
  /** Offset just past the field (may lie past the bytes at hand: the head says how far the field goes). */
  end: number;
}

/** The head of the field at `pos`, or undefined when its key, varint value or length is not all there yet. */
export function readFieldHead(bytes: Uint8Array, pos: number): FieldHead | undefined {
  const key = readVarint(bytes, pos);
  if (!key) return undefined;
  const number = Math.floor(key.value / 8);
  const wire = key.value % 8;
  const payloadStart = key.next;
  if (wire === WIRE.varint) {
    const value = readVarint(bytes, payloadStart);
    return value && { number, wire, payloadStart, end: value.next };
  }
  if (wire === WIRE.fixed64) return { number, wire, payloadStart, end: payloadStart + 8 };
  if (wire === WIRE.fixed32) return { number, wire, payloadStart, end: payloadStart + 4 };
  if (wire !== WIRE.length) throw new NotOnnxError(`unknown wire type ${wire}`);
  const length = readVarint(bytes, payloadStart);
  return length && { number, wire, payloadStart: length.next, end: length.next + length.value };
}

/** A field of a complete message. */
export interface Field {
  number: number;
  wire: number;
  /** The payload: the varint's bytes, the fixed bytes, or the length-delimited bytes. */
  payload: Uint8Array;
  /** The whole field, key included (to copy it into a rebuilt message as it is). */
  raw: Uint8Array;
}

/** The fields of a complete message, in order. */
export function* fields(message: Uint8Array): Generator<Field> {
  for (let pos = 0; pos < message.length; ) {
    const head = readFieldHead(message, pos);
    if (!head || head.end > message.length) throw new NotOnnxError('a field runs past the end of the file');
    yield { number: head.number, wire: head.wire, payload: message.subarray(head.payloadStart, head.end), raw: message.subarray(pos, head.end) };
    pos = head.end;
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The values of string field `number` of a message (every occurrence, in order). */
export function strings(message: Uint8Array, number: number): string[] {
  const out: string[] = [];
  for (const field of fields(message)) if (field.number === number && field.wire === WIRE.length) out.push(decoder.decode(field.payload));
  return out;
}

/** A varint field, serialized. */
export function varintField(number: number, value: number): Uint8Array {
  return concatBytes([varint(number * 8 + WIRE.varint), varint(value)]);
}

/** A length-delimited field (a string as UTF-8, bytes, or a serialized message), serialized. */
export function lengthField(number: number, payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  return concatBytes([varint(number * 8 + WIRE.length), varint(bytes.length), bytes]);
}

/** A message of length-delimited fields, serialized in the order given. */
export function message(entries: readonly (readonly [number, string | Uint8Array])[]): Uint8Array {
  return concatBytes(entries.map(([number, payload]) => lengthField(number, payload)));
}
