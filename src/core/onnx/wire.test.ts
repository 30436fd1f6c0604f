import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD, fields, lengthField, MAX_VARINT_BYTES, message, NotOnnxError, readFieldHead, readVarint, strings, varint, varintField, WIRE } from './wire';

/** Any integer a double holds exactly, below 2^64: the whole range a varint read into a number returns exactly. */
const integerBelow2to64 = fc
  .tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 63 }))
  .map(([n, shift]) => Number(n >> BigInt(shift)))
  .filter((x) => x < 2 ** 64);

describe('varint', () => {
  it('round-trips every integer below 2^53 and every integer-valued double below 2^64', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), integerBelow2to64), (value) => {
        const bytes = varint(value);
        expect(readVarint(bytes, 0)).toEqual({ value, next: bytes.length });
      }),
    );
  });

  it('takes one byte more at each 7-bit boundary, and 10 bytes from 2^63 to the largest double below 2^64', () => {
    for (let bytes = 1; bytes < MAX_VARINT_BYTES; bytes++) {
      const first = bytes === 1 ? 0 : 2 ** (7 * (bytes - 1));
      // The largest double below 2^(7·bytes) (2^(7·bytes) − 1 itself, up to 7 bytes).
      const last = 2 ** (7 * bytes) - 2 ** Math.max(0, 7 * bytes - 53);
      for (const value of [first, last]) {
        expect(varint(value)).toHaveLength(bytes);
        expect(readVarint(varint(value), 0)).toEqual({ value, next: bytes });
      }
    }
    for (const value of [2 ** 63, 2 ** 64 - 2 ** 11]) {
      expect(varint(value)).toHaveLength(MAX_VARINT_BYTES);
      expect(readVarint(varint(value), 0)?.value).toBe(value);
    }
    expect(Array.from(varint(127))).toEqual([0x7f]);
    expect(Array.from(varint(128))).toEqual([0x80, 0x01]);
    expect(Array.from(varint(300))).toEqual([0xac, 0x02]);
    expect(Array.from(varint(2 ** 63))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('reads a varint at an offset, says when the bytes end inside it, and refuses one longer than 10 bytes', () => {
    const bytes = Uint8Array.from([0xff, 0xac, 0x02, 0x05]);
    expect(readVarint(bytes, 1)).toEqual({ value: 300, next: 3 });
    expect(readVarint(bytes.subarray(0, 2), 1)).toBeUndefined();
    expect(readVarint(new Uint8Array(0), 0)).toBeUndefined();
    expect(readVarint(new Uint8Array(9).fill(0x80), 0)).toBeUndefined();
    expect(() => readVarint(new Uint8Array(10).fill(0x80), 0)).toThrow(NotOnnxError);
  });
});

describe('fields', () => {
  it('reads back the fields it writes, of every wire type', () => {
    const fixed32 = Uint8Array.from([(3 << 3) | WIRE.fixed32, 1, 2, 3, 4]);
    const fixed64 = Uint8Array.from([(4 << 3) | WIRE.fixed64, 1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = Uint8Array.from([...lengthField(1, 'héllo'), ...varintField(2, 300), ...fixed32, ...fixed64, ...lengthField(1, 'again')]);
    const read = [...fields(bytes)].map((f) => ({ number: f.number, wire: f.wire, payload: Array.from(f.payload), raw: f.raw.length }));
    expect(read).toEqual([
      { number: 1, wire: WIRE.length, payload: Array.from(new TextEncoder().encode('héllo')), raw: 8 },
      { number: 2, wire: WIRE.varint, payload: [0xac, 0x02], raw: 3 },
      { number: 3, wire: WIRE.fixed32, payload: [1, 2, 3, 4], raw: 5 },
      { number: 4, wire: WIRE.fixed64, payload: [1, 2, 3, 4, 5, 6, 7, 8], raw: 9 },
      { number: 1, wire: WIRE.length, payload: Array.from(new TextEncoder().encode('again')), raw: 7 },
    ]);
    expect(strings(bytes, 1)).toEqual(['héllo', 'again']);
  });

  it('nests messages', () => {
    const node = message([
      [FIELD.node.input, 'x'],
      [FIELD.node.output, 'y'],
    ]);
    const model = message([[FIELD.model.graph, message([[FIELD.graph.node, node]])]]);
    const [graph] = fields(model);
    const [nodeField] = fields(graph.payload);
    expect(strings(nodeField.payload, FIELD.node.output)).toEqual(['y']);
  });

  it('gives the head of a field not all there, and refuses a message that ends inside one', () => {
    const field = lengthField(FIELD.model.graph, new Uint8Array(200));
    expect(readFieldHead(field, 0)).toEqual({ number: FIELD.model.graph, wire: WIRE.length, payloadStart: 3, end: 203 });
    expect(readFieldHead(field.subarray(0, 3), 0)).toEqual({ number: FIELD.model.graph, wire: WIRE.length, payloadStart: 3, end: 203 });
    expect(readFieldHead(field.subarray(0, 2), 0)).toBeUndefined();
    expect(() => [...fields(field.subarray(0, 100))]).toThrow(NotOnnxError);
    expect(() => readFieldHead(Uint8Array.from([(1 << 3) | 3]), 0)).toThrow(/unknown wire type 3/);
  });
});
