// Decoder fuzz for the IKEv2 codec: strongSwan's real messages (test/vectors/ikev2-messages.ts) and
// their decrypted inner payloads, mutated (bit flips, random bytes, truncations, extensions,
// oversized length fields, spliced payloads), plus entirely random bytes. Whatever the input, the
// decoders may only return or throw DecodeError; what decodes must re-encode and decode to the same
// payloads; checkPayloads must answer for every kind; openMessage / openFragment on mutated
// encrypted messages must give null or DecodeError — only messages as sent open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPayloads, decodeMessage, decodePayloads, DecodeError, encodePayloads, HEADER_BYTES, openFragment, openMessage, PAYLOAD,
  type MessageKind, type SkKeys,
} from '../src/ike/codec/v2/index.js';
import { IKEV2_CAPTURES } from './vectors/ikev2-messages.js';
import { captureKeys, hex, toHex } from './util/ikev2.js';
import { rng } from './util/rng.js';

interface Seed {
  name: string;
  /** A whole message (outer) or an inner payload chain. */
  bytes: Uint8Array;
  inner: boolean;
  first: number;
  keys?: SkKeys;
  /** [start, end) of each payload (offsets into bytes). */
  spans: Array<[number, number]>;
}

const KINDS: MessageKind[] = ['init-req', 'init-resp', 'auth-req', 'auth-resp', 'child-req', 'child-resp', 'info-req', 'info-resp'];
const TYPES = [0, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 53, 1, 99, 200, 255];

function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const c of IKEV2_CAPTURES) {
    const keys = captureKeys(c);
    c.messages.forEach((m, i) => {
      const bytes = hex(m.hex);
      const { header, body } = decodeMessage(bytes);
      const spans = decodePayloads(header.nextPayload, body).map((d) => [d.raw.byteOffset - bytes.byteOffset, d.raw.byteOffset - bytes.byteOffset + d.raw.length] as [number, number]);
      out.push({ name: `${c.name}#${i}`, bytes, inner: false, first: header.nextPayload, keys: keys[m.from], spans });
      const o = header.nextPayload === PAYLOAD.SK ? openMessage(bytes, keys[m.from]) : null;
      if (o && o.plain.length) {
        const ds = decodePayloads(o.innerFirst, o.plain);
        out.push({
          name: `${c.name}#${i} inner`, bytes: o.plain, inner: true, first: o.innerFirst,
          spans: ds.map((d) => [d.raw.byteOffset - o.plain.byteOffset, d.raw.byteOffset - o.plain.byteOffset + d.raw.length]),
        });
      }
    });
  }
  return out;
}

test('IKEv2 decoders on mutated strongSwan messages and random bytes: only DecodeError escapes', (t) => {
  const r = rng(0x1e2c0dec);
  const all = seeds();
  let cases = 0, errors = 0, chains = 0, opened = 0, nulls = 0;
  const started = process.hrtime.bigint();

  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DecodeError) {
        errors++;
        return;
      }
      assert.fail(`${what}: ${(err as Error).stack ?? String(err)}`);
    }
  };
  /** A chain: decode; what decodes re-encodes to payloads that decode the same; the rules answer. */
  const runChain = (first: number, b: Uint8Array, what: string): void => guard(what, () => {
    const ds = decodePayloads(first, b);
    chains++;
    const ps = ds.map((d) => d.payload);
    const again = decodePayloads(ps[0]?.type ?? 0, encodePayloads(ps)).map((d) => d.payload);
    assert.deepEqual(again, ps, `${what}: re-encoding is stable`);
    for (const k of KINDS) {
      const why = checkPayloads(k, ds);
      assert.ok(why === null || typeof why === 'string');
    }
  });
  const sent = new Set(all.filter((x) => !x.inner).map((x) => toHex(x.bytes)));
  const runMessage = (b: Uint8Array, keys: SkKeys | undefined, what: string): void => guard(what, () => {
    const { header, body } = decodeMessage(b);
    runChain(header.nextPayload, body, `${what} (chain)`);
    if (keys && (header.nextPayload === PAYLOAD.SK || header.nextPayload === PAYLOAD.SKF)) {
      const o = header.nextPayload === PAYLOAD.SK ? openMessage(b, keys) : openFragment(b, keys);
      if (o) {
        // Every byte of an encrypted message is authenticated: only a message as strongSwan sent it
        // opens (a splice can recreate another fragment of the same message exactly).
        assert.ok(sent.has(toHex(b)), `${what}: a changed message opened`);
        opened++;
        runChain(o.innerFirst, o.plain, `${what} (opened)`);
      } else nulls++;
    }
  });
  const set16 = (b: Uint8Array, at: number, v: number): void => {
    if (at + 1 < b.length) {
      b[at] = v >> 8;
      b[at + 1] = v & 0xff;
    }
  };
  const fixLength = (b: Uint8Array, s: Seed): Uint8Array => {
    if (!s.inner && b.length >= HEADER_BYTES) new DataView(b.buffer, b.byteOffset).setUint32(24, b.length);
    return b;
  };

  const strategies: Array<(s: Seed) => [Uint8Array, string]> = [
    (s) => { // bit flips
      const b = s.bytes.slice(), n = 1 + r.int(4);
      for (let i = 0; i < n; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      return [b, `${n} bit flips`];
    },
    (s) => { // random bytes overwritten
      const b = s.bytes.slice(), n = 1 + r.int(8), at = r.int(b.length);
      for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = r.byte();
      return [b, `${n} random bytes at ${at}`];
    },
    (s) => { // truncation, Length fixed or not
      const n = r.int(s.bytes.length);
      const b = s.bytes.slice(0, n);
      return [r.int(2) ? fixLength(b, s) : b, `truncated to ${n}`];
    },
    (s) => { // extension with random bytes
      const b = new Uint8Array(s.bytes.length + 1 + r.int(64));
      b.set(s.bytes);
      b.set(r.bytes(b.length - s.bytes.length), s.bytes.length);
      return [r.int(2) ? fixLength(b, s) : b, 'extended'];
    },
    (s) => { // a payload or substructure length field oversized / undersized / random
      const b = s.bytes.slice();
      const [a] = s.spans.length ? r.pick(s.spans) : [0];
      const at = r.int(3) ? a + 2 : r.int(b.length);
      const v = r.pick([0, 1, 3, 4, 5, 0xffff, 0x8000, r.int(0x10000), (b[at] << 8 | b[at + 1]) + 1, (b[at] << 8 | b[at + 1]) - 1]);
      set16(b, at, v);
      return [b, `16 bits at ${at} := ${v}`];
    },
    (s) => { // the header's Length oversized
      const b = s.bytes.slice();
      if (!s.inner && b.length >= HEADER_BYTES) new DataView(b.buffer).setUint32(24, r.pick([0xffffffff, b.length + 1, 28, 0, r.next()]));
      return [b, 'header length'];
    },
    (s) => { // a payload spliced in from another seed of the same kind
      const o = r.pick(all.filter((x) => x.inner === s.inner));
      if (!s.spans.length || !o.spans.length) return [s.bytes.slice(), 'unchanged'];
      const [a, e] = r.pick(s.spans), [oa, oe] = r.pick(o.spans);
      return [fixLength(Uint8Array.from([...s.bytes.subarray(0, a), ...o.bytes.subarray(oa, oe), ...s.bytes.subarray(e)]), s), `payload ${a}-${e} from ${o.name}`];
    },
    (s) => { // a payload's type byte (the previous Next Payload) changed
      const b = s.bytes.slice();
      const i = s.spans.length ? r.int(s.spans.length) : 0;
      const at = i === 0 ? (s.inner ? -1 : 16) : s.spans[i - 1][0];
      if (at >= 0) b[at] = r.pick(TYPES);
      return [b, `next payload of #${i} changed`];
    },
    (s) => { // the critical bit set somewhere
      const b = s.bytes.slice();
      if (s.spans.length) b[r.pick(s.spans)[0] + 1] |= 0x80;
      return [b, 'C bit'];
    },
  ];

  while (cases < 100_000) {
    const s = r.pick(all);
    const [b, what] = r.pick(strategies)(s);
    const name = `${s.name}: ${what}`;
    cases++;
    if (s.inner) runChain(r.int(8) ? s.first : r.pick(TYPES), b, name);
    // Opening costs a MAC or an AEAD pass: one mutated encrypted message in 4.
    else runMessage(b, r.int(4) === 0 ? s.keys : undefined, name);
  }
  for (let i = 0; i < 10_000; i++, cases++) {
    const b = r.bytes(r.int(i % 2 ? 64 : 400));
    if (i % 2) runChain(r.pick(TYPES), b, `random chain ${toHex(b)}`);
    else {
      if (b.length >= HEADER_BYTES) {
        b[17] = 0x20;
        new DataView(b.buffer).setUint32(24, b.length);
        b[16] = r.pick(TYPES);
      }
      runMessage(b, r.pick(all).keys, `random message ${toHex(b)}`);
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.diagnostic(`${cases} cases from ${all.length} seeds in ${ms.toFixed(0)} ms: ${errors} DecodeErrors, ${chains} payload chains decoded ` +
    `(re-encoding checked), ${opened} "mutations" that gave back a sent message opened, ${nulls} refused by the ICV / tag`);
  assert.ok(cases >= 110_000);
  assert.ok(chains > 10_000, 'enough mutations decode for the stability check to mean something');
});
