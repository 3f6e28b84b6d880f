// Fuzzing the IKEv1 decoders with mutations of strongSwan's own messages (test/vectors/
// ikev1-messages.ts, the encrypted ones also in decrypted form): bit flips, truncation at every
// length (with and without a matching header Length), length fields set to 0, 1-3, ±1, random and
// 0xffff, random next-payload types, payloads reordered (re-chained, and moved without fixing the
// chain), payloads spliced from other messages, overwritten bytes, and random bytes behind a
// plausible header. Deterministic: a seeded xorshift32.
//
// For every case: only DecodeError leaves decodeMessage, decodePayloads and header.decode; what
// decodes re-encodes without error and decodes to the same thing again (decode∘encode is stable);
// decoded views lie inside the bytes decoded. Every 8th case also runs on a guarded buffer (a
// Proxy that throws on an index or a subarray outside the bytes), which catches reads out of
// bounds that plain typed arrays would answer with `undefined` or silently clamp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import {
  DecodeError, FLAG, HEADER_BYTES, PAYLOAD, decodeMessage, decodePayloads, encodeMessage, encodePayloads, header,
  type Decoded, type Payload,
} from '../src/ike/codec/v1/index.js';
import { rng } from './util/rng.js';
import { IKEV1_CAPTURES } from './vectors/ikev1-messages.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---- seeds -------------------------------------------------------------------------------------

interface Field {
  at: number;
  size: 1 | 2 | 4;
  kind: string;
}

interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Length, count, size and type fields (from a walk of the valid message). */
  fields: Field[];
  /** The payloads' [start, end) in the message (cleartext seeds). */
  spans: Array<[number, number]>;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

/** The fields of a cleartext message that decodes: header, generic headers, SA substructures. */
function fieldsOf(msg: Uint8Array, decoded: Decoded[], bodyOffset: number): { fields: Field[]; spans: Array<[number, number]> } {
  const fields: Field[] = [{ at: 16, size: 1, kind: 'header next payload' }, { at: 24, size: 4, kind: 'header length' }];
  const spans: Array<[number, number]> = [];
  let at = bodyOffset;
  for (const d of decoded) {
    spans.push([at, at + d.raw.length]);
    fields.push({ at, size: 1, kind: 'next payload' }, { at: at + 2, size: 2, kind: 'payload length' });
    const b = at + 4, t = d.payload.type;
    if (t === PAYLOAD.SA) {
      let p = b + 8;
      while (p < at + d.raw.length) {
        fields.push({ at: p, size: 1, kind: 'proposal next' }, { at: p + 2, size: 2, kind: 'proposal length' },
          { at: p + 6, size: 1, kind: 'SPI size' }, { at: p + 7, size: 1, kind: '# of transforms' });
        const pEnd = p + u16(msg, p + 2);
        let x = p + 8 + msg[p + 6];
        while (x < pEnd) {
          fields.push({ at: x, size: 1, kind: 'transform next' }, { at: x + 2, size: 2, kind: 'transform length' });
          const xEnd = x + u16(msg, x + 2);
          for (let a = x + 8; a < xEnd;) {
            fields.push({ at: a, size: 2, kind: 'attribute type' });
            if (msg[a] & 0x80) a += 4;
            else {
              fields.push({ at: a + 2, size: 2, kind: 'attribute length' });
              a += 4 + u16(msg, a + 2);
            }
          }
          x = xEnd;
        }
        p = pEnd;
      }
    } else if (t === PAYLOAD.N || t === PAYLOAD.D) {
      fields.push({ at: b + 5, size: 1, kind: 'SPI size' });
      if (t === PAYLOAD.D) fields.push({ at: b + 6, size: 2, kind: '# of SPIs' });
    } else if (t === PAYLOAD.ID || t === PAYLOAD.NAT_OA || t === PAYLOAD.CERT || t === PAYLOAD.CR) {
      fields.push({ at: b, size: 1, kind: 'ID type / encoding' });
    }
    at += d.raw.length;
  }
  return { fields, spans };
}

function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const c of IKEV1_CAPTURES) {
    c.messages.forEach((m, i) => {
      const wire = hex(m.wire);
      const name = `${c.name}#${i + 1}`;
      const { header: h, body } = decodeMessage(wire);
      if (!m.plaintext) {
        out.push({ name, bytes: wire, ...fieldsOf(wire, decodePayloads(h.nextPayload, body), HEADER_BYTES) });
        return;
      }
      // As sent (a body of ciphertext: random bytes to the payload decoders) ...
      out.push({ name: `${name} (encrypted)`, bytes: wire, fields: [{ at: 16, size: 1, kind: 'header next payload' }, { at: 24, size: 4, kind: 'header length' }], spans: [] });
      // ... and decrypted, with and without its padding.
      const key = hex(c.key!), d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, hex(m.iv!));
      d.setAutoPadding(false);
      const plain = new Uint8Array(Buffer.concat([d.update(body), d.final()]));
      const decoded = decodePayloads(h.nextPayload, plain);
      const used = decoded.reduce((n, x) => n + x.raw.length, 0);
      const hdr = { ...h, flags: h.flags & ~FLAG.ENCRYPTION };
      for (const [suffix, content] of [['decrypted', plain.subarray(0, used)], ['decrypted, padded', plain]] as const) {
        const msg = encodeMessage(hdr, { nextPayload: h.nextPayload, body: content });
        out.push({ name: `${name} (${suffix})`, bytes: msg, ...fieldsOf(msg, decodePayloads(h.nextPayload, content), HEADER_BYTES) });
      }
    });
  }
  return out;
}

// ---- guarded buffers ---------------------------------------------------------------------------

class OutOfBounds extends Error {}

/** A view that throws OutOfBounds on an index or a subarray outside it (typed arrays return
 *  undefined, or clamp). Other properties pass through. */
function guarded(t: Uint8Array): Uint8Array {
  return new Proxy(t, {
    get(target, k) {
      if (typeof k === 'string' && /^\d+$/.test(k)) {
        if (Number(k) >= target.length) throw new OutOfBounds(`read [${k}] of ${target.length}`);
        return target[Number(k)];
      }
      if (k === 'subarray') {
        return (s = 0, e = target.length) => {
          if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > target.length) {
            throw new OutOfBounds(`subarray(${s}, ${e}) of ${target.length}`);
          }
          return guarded(target.subarray(s, e));
        };
      }
      const v = Reflect.get(target, k, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

// ---- one case ----------------------------------------------------------------------------------

/** Every Uint8Array in a decoded payload lies inside `within` (NAT-OA's address is a copy). */
function viewsInside(p: unknown, within: Uint8Array, path: string): void {
  if (p instanceof Uint8Array) {
    assert.ok(p.buffer === within.buffer && p.byteOffset >= within.byteOffset && p.byteOffset + p.length <= within.byteOffset + within.length,
      `${path}: a view outside the decoded bytes`);
  } else if (Array.isArray(p)) p.forEach((x, i) => viewsInside(x, within, `${path}[${i}]`));
  else if (p && typeof p === 'object') {
    for (const [k, v] of Object.entries(p)) if (k !== 'address') viewsInside(v, within, `${path}.${k}`);
  }
}

function stable(first: number, decoded: Decoded[], body: Uint8Array, label: string): void {
  let at = 0;
  for (const d of decoded) {
    assert.equal(d.raw.byteOffset - body.byteOffset, at, `${label}: raw views are consecutive`);
    assert.ok(d.raw.length >= 4 && at + d.raw.length <= body.length, label);
    viewsInside(d.payload, body, label);
    at += d.raw.length;
  }
  const payloads: Payload[] = decoded.map((d) => d.payload);
  if (payloads.length) assert.equal(payloads[0].type, first, label);
  const re = encodePayloads(payloads);
  const again = decodePayloads(payloads.length ? payloads[0].type : PAYLOAD.NONE, re);
  assert.deepStrictEqual(again.map((d) => d.payload), payloads, `${label}: decode(encode(x)) = x`);
  assert.equal(toHex(encodePayloads(again.map((d) => d.payload))), toHex(re), `${label}: encoding is a fixed point`);
}

let errors = 0, decodedMessages = 0, decodedChains = 0;

function expectDecodeError(err: unknown, label: string, bytes: Uint8Array): void {
  if (err instanceof DecodeError) {
    assert.ok(Number.isInteger(err.notify) && err.notify >= 1 && err.notify <= 30, `${label}: notify ${err.notify}`);
    errors++;
    return;
  }
  assert.fail(`${label}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n  input ${toHex(bytes)}`);
}

/** Runs the decoders on a message; with `guard`, on a guarded view of it and without the stability checks. */
function runMessage(bytes: Uint8Array, label: string, guard: boolean): void {
  const input = guard ? guarded(bytes) : bytes;
  let msg: ReturnType<typeof decodeMessage>;
  try {
    msg = decodeMessage(input);
  } catch (err) {
    return expectDecodeError(err, label, bytes);
  }
  decodedMessages++;
  if (!guard) assert.equal(toHex(header.encode(msg.header)), toHex(bytes.subarray(0, HEADER_BYTES)), `${label}: header re-encodes`);
  let decoded: Decoded[];
  try {
    decoded = decodePayloads(msg.header.nextPayload, msg.body);
  } catch (err) {
    return expectDecodeError(err, label, bytes);
  }
  decodedChains++;
  if (!guard) stable(msg.header.nextPayload, decoded, msg.body, label);
}

function runChain(first: number, body: Uint8Array, label: string, guard: boolean): void {
  let decoded: Decoded[];
  try {
    decoded = decodePayloads(first, guard ? guarded(body) : body);
  } catch (err) {
    return expectDecodeError(err, label, body);
  }
  decodedChains++;
  if (!guard) stable(first, decoded, body, label);
}

function runHeader(bytes: Uint8Array, offset: number, label: string): void {
  try {
    const h = header.decode(bytes, offset);
    assert.ok(h.length >= HEADER_BYTES && offset + h.length <= bytes.length, label);
  } catch (err) {
    expectDecodeError(err, label, bytes);
  }
}

// ---- mutations ---------------------------------------------------------------------------------

const withLength = (b: Uint8Array): Uint8Array => {
  if (b.length >= HEADER_BYTES) new DataView(b.buffer, b.byteOffset).setUint32(24, b.length);
  return b;
};

function setField(b: Uint8Array, f: Field, v: number): void {
  if (f.size === 1) b[f.at] = v & 0xff;
  else if (f.size === 2) new DataView(b.buffer, b.byteOffset).setUint16(f.at, v & 0xffff);
  else new DataView(b.buffer, b.byteOffset).setUint32(f.at, v >>> 0);
}
function getField(b: Uint8Array, f: Field): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  return f.size === 1 ? b[f.at] : f.size === 2 ? dv.getUint16(f.at) : dv.getUint32(f.at);
}

const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 21, 130, 131, 132, 255];

test('fuzz: only DecodeError escapes, decode∘encode is stable, no reads out of bounds', (t) => {
  const started = process.hrtime.bigint();
  const all = seeds();
  const r = rng(0x1ce5eed);
  let cases = 0;
  const run = (bytes: Uint8Array, label: string): void => {
    cases++;
    runMessage(bytes, label, false);
    if (cases % 8 === 0) runMessage(bytes, `${label} (guarded)`, true);
  };

  // The seeds themselves decode.
  for (const s of all) {
    runMessage(s.bytes, s.name, false);
    assert.ok(decodedMessages > 0);
  }

  // 1. Truncation at every length, with the header's Length left alone (refused by the header)
  //    and set to the truncated size (the chain is cut instead).
  for (const s of all) {
    for (let n = 0; n < s.bytes.length; n++) {
      run(s.bytes.slice(0, n), `${s.name} cut to ${n}`);
      run(withLength(s.bytes.slice(0, n)), `${s.name} cut to ${n}, Length fixed`);
    }
  }

  // 2. Random mutations until at least 120,000 cases in all.
  const strategies: Array<(s: Seed) => [Uint8Array, string]> = [
    (s) => { // bit flips
      const b = s.bytes.slice(), n = 1 + r.int(4), at: number[] = [];
      for (let i = 0; i < n; i++) {
        const bit = r.int(b.length * 8);
        b[bit >> 3] ^= 1 << (bit & 7);
        at.push(bit);
      }
      return [b, `flip bits ${at.join(',')}`];
    },
    (s) => { // a length, count or size field set to a boundary or random value
      const b = s.bytes.slice(), f = r.pick(s.fields), orig = getField(b, f);
      const max = f.size === 1 ? 0xff : f.size === 2 ? 0xffff : 0xffffffff;
      const v = r.pick([0, 1, 2, 3, 4, 5, 7, 8, orig - 1, orig + 1, orig + 4, orig - 4, max, r.int(max + 1), r.int(64), b.length, b.length - f.at]);
      setField(b, f, v);
      return [b, `${f.kind} at ${f.at}: ${orig} → ${getField(b, f)}`];
    },
    (s) => { // a next-payload byte set to another type
      const nexts = s.fields.filter((f) => f.kind.includes('next'));
      const f = r.pick(nexts), b = s.bytes.slice();
      b[f.at] = r.int(3) === 0 ? r.byte() : r.pick(TYPES);
      return [b, `${f.kind} at ${f.at} → ${b[f.at]}`];
    },
    (s) => { // payloads moved without fixing the chain: every body is read as the wrong type
      if (s.spans.length < 2) return [s.bytes.slice(), 'unchanged'];
      const parts = s.spans.map(([a, e]) => s.bytes.subarray(a, e));
      for (let i = parts.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [parts[i], parts[j]] = [parts[j], parts[i]];
      }
      const b = new Uint8Array(s.bytes.length);
      b.set(s.bytes.subarray(0, s.spans[0][0]));
      let at = s.spans[0][0];
      for (const p of parts) {
        b.set(p, at);
        at += p.length;
      }
      b.set(s.bytes.subarray(at), at);
      return [b, 'payloads shuffled, chain not fixed'];
    },
    (s) => { // payloads reordered, dropped or duplicated, chain re-linked (a well-formed message)
      const m = decodeMessage(s.bytes);
      let ps: Payload[];
      try {
        ps = decodePayloads(m.header.nextPayload, m.body).map((d) => d.payload);
      } catch {
        return [s.bytes.slice(), 'unchanged'];
      }
      const out: Payload[] = [];
      for (let i = 0; i < ps.length + r.int(3); i++) out.push(r.pick(ps.length ? ps : [{ type: 99, data: new Uint8Array(0) }]));
      return [encodeMessage(m.header, out), `re-chained ${out.map((p) => p.type).join(',')}`];
    },
    (s) => { // a payload spliced in from another message
      const o = r.pick(all);
      if (!s.spans.length || !o.spans.length) return [s.bytes.slice(), 'unchanged'];
      const [a, e] = r.pick(s.spans), [oa, oe] = r.pick(o.spans);
      const b = withLength(new Uint8Array([...s.bytes.subarray(0, a), ...o.bytes.subarray(oa, oe), ...s.bytes.subarray(e)]));
      return [b, `payload ${a}-${e} replaced by ${o.name} ${oa}-${oe}`];
    },
    (s) => { // bytes overwritten
      const b = s.bytes.slice(), n = 1 + r.int(8), at = r.int(b.length);
      for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = r.byte();
      return [b, `${n} random bytes at ${at}`];
    },
    (s) => { // random bytes behind the seed's header
      const b = new Uint8Array(HEADER_BYTES + r.int(300));
      b.set(s.bytes.subarray(0, HEADER_BYTES));
      b.set(r.bytes(b.length - HEADER_BYTES), HEADER_BYTES);
      b[16] = r.pick(TYPES);
      return [withLength(b), 'random body'];
    },
    (s) => { // garbage padding after the message (inside Length)
      const b = new Uint8Array(s.bytes.length + 1 + r.int(32));
      b.set(s.bytes);
      b.set(r.bytes(b.length - s.bytes.length), s.bytes.length);
      return [withLength(b), 'random trailing bytes'];
    },
  ];
  while (cases < 120_000) {
    const s = r.pick(all);
    const k = r.int(strategies.length);
    const [b, what] = strategies[k](s);
    run(b, `${s.name}: ${what}`);
    // The payload decoders directly, with any first type, on the mutated body.
    if (cases % 4 === 0 && b.length > HEADER_BYTES) {
      cases++;
      runChain(r.pick(TYPES), b.subarray(HEADER_BYTES), `${s.name}: ${what}, chain only`, cases % 8 === 0);
    }
    if (cases % 16 === 0) {
      cases++;
      runHeader(b, r.int(4), `${s.name}: ${what}, header at an offset`);
    }
  }
  // Entirely random buffers.
  for (let i = 0; i < 5_000; i++, cases++) {
    const b = r.bytes(r.int(200));
    runMessage(b, `random ${toHex(b)}`, i % 2 === 0);
    runChain(r.pick(TYPES), b, `random chain ${toHex(b)}`, i % 2 === 1);
  }

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.diagnostic(`${cases} cases from ${all.length} seeds in ${ms.toFixed(0)} ms: ${errors} DecodeErrors, ` +
    `${decodedMessages} headers and ${decodedChains} payload chains decoded (and checked for stability)`);
  assert.ok(cases >= 100_000);
  assert.ok(decodedChains > 10_000, 'enough mutations decode for the stability check to mean something');
});
