// ipsecgw/esp against Scapy's scapy.layers.ipsec, an ESP implementation nobody here wrote, through
// the JSON-lines bridge test/interop/scapy_esp.py (one python3 process for the whole file).
//
// 1. Scapy itself against the published vectors (test/util/esp-cases.ts): it decrypts each one to
//    the published inner packet and, given the published IV and sequence number, encrypts to the
//    published ESP bytes — so Scapy and our vectors vouch for each other before either judges the
//    engine.
// 2. The engine against Scapy, per suite × mode × IP versions × plain/UDP-encapsulated, several
//    packets each (payloads of 0 to 1400 bytes, sequence numbers from 1 to 2^32-2, and past 2^32
//    with ESN for the AEADs):
//    - espEncap's packet is decrypted by Scapy to the same inner packet;
//    - Scapy, given the IV espEncap used, builds the very same ESP bytes (RFC 4303 §2.4 default
//      padding on both sides; AEAD IVs are the 64-bit sequence number, RFC 4106 §3.1);
//    - Scapy's packet (its own random IV) is decapsulated by espDecap to Scapy's inner packet;
//    - Scapy's packet with one ciphertext bit flipped is dropped by espDecap.
// Scapy 2.5.0 leaves ESN out of the HMAC ICV (RFC 4303 §3.3.2.1 puts it in), so ESN is cross-checked
// with the AEADs only; test/esp-vectors.test.ts checks ESN with an HMAC against node:crypto.
//
// Without python3-scapy the tests skip locally with the install hint; with CI set they fail.

import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { espDecap, espEncap } from '../src/dataplane/esp.js';
import { ScapyBridge, type BridgeSa } from './interop/scapy-bridge.js';
import { hex, toHex } from './util/vectors.js';
import { concat, espPart, filler, ipHeader, innerPacket, PROTO } from './util/packets.js';
import { assertOuter, CASES, frame, framingsOf, RFC3602_INTEG_KEY } from './util/esp-cases.js';
import { RFC3602 } from './vectors/esp.js';

const opened = await ScapyBridge.open();
const bridge = opened instanceof ScapyBridge ? opened : null;
const unavailable = opened instanceof ScapyBridge ? '' : opened.unavailable;
after(async () => {
  await bridge?.close();
});

if (bridge) console.log(`# scapy ${bridge.hello.scapy}, cryptography ${bridge.hello.cryptography}, python ${bridge.hello.python}`);

/** Run `body` with the bridge, or skip (locally) / fail (CI) saying why there is none. */
function withScapy(body: (b: ScapyBridge, t: TestContext) => Promise<void>): (t: TestContext) => Promise<void> {
  return async (t) => {
    if (!bridge) {
      if (process.env.CI) assert.fail(`Scapy is required in CI: ${unavailable}`);
      t.skip(unavailable);
      return;
    }
    await body(bridge, t);
  };
}

const be64 = (v: bigint): Uint8Array => hex(v.toString(16).padStart(16, '0'));

// ─────────────────────────── 1. Scapy against the published vectors ───────────────────────────

describe('Scapy agrees with the published ESP vectors', () => {
  for (const c of CASES) {
    for (const f of framingsOf(c)) {
      const { sa, inner, outer } = frame(c, f);
      test(`${c.name} — ${f}`, withScapy(async (b) => {
        const got = await b.decrypt(sa, c.seq, outer);
        assert.equal(toHex(got.inner), toHex(inner), 'Scapy decrypts to the published inner packet');
        const enc = await b.encrypt(sa, c.seq, inner, c.iv);
        assert.equal(toHex(espPart(enc)), toHex(c.espBytes), 'Scapy encrypts to the published ESP bytes');
      }));
    }
  }
  // The RFC's own packets, with no ICV, through Scapy's encryption-only SA ('aes128': no integrity).
  for (const c of RFC3602) {
    test(`${c.name} — as published, encryption only`, withScapy(async (b) => {
      const sa: BridgeSa = { spi: c.spi, mode: c.mode, src: c.src, dst: c.dst, esp: 'aes128', key: hex(c.key) };
      const got = await b.decrypt(sa, BigInt(c.seq), concat(hex(c.outerHeader), hex(c.esp)));
      assert.equal(toHex(got.inner), toHex(hex(c.original)));
      const enc = await b.encrypt(sa, BigInt(c.seq), hex(c.original), hex(c.iv));
      assert.equal(toHex(espPart(enc)), toHex(hex(c.esp)));
    }));
  }
  test('RFC 3602 with HMAC-SHA1-96: Scapy computes the same ICV as node:crypto', withScapy(async (b) => {
    for (const c of CASES.filter((x) => x.esp === 'aes128-sha1')) {
      const { sa, inner } = frame(c, 'IPv4');
      const enc = await b.encrypt(sa, c.seq, inner, c.iv);
      assert.equal(toHex(espPart(enc).subarray(-12)), toHex(c.espBytes.subarray(-12)), c.name);
    }
    assert.equal(RFC3602_INTEG_KEY.length, 20);
  }));
});

// ─────────────────────────────── 2. the engine against Scapy ───────────────────────────────

interface Suite {
  esp: string;
  encKeyLength: number;
  integKeyLength: number;
  /** AEAD: IV is the 64-bit sequence number by default; CBC: a random block unless given. */
  ivLength: number;
  aead: boolean;
}

const SUITES: Suite[] = [
  { esp: 'aes128gcm16', encKeyLength: 16 + 4, integKeyLength: 0, ivLength: 8, aead: true },
  { esp: 'aes256gcm16', encKeyLength: 32 + 4, integKeyLength: 0, ivLength: 8, aead: true },
  { esp: 'chacha20poly1305', encKeyLength: 32 + 4, integKeyLength: 0, ivLength: 8, aead: true },
  { esp: 'aes128-sha1', encKeyLength: 16, integKeyLength: 20, ivLength: 16, aead: false },
  { esp: 'aes256-sha256', encKeyLength: 32, integKeyLength: 32, ivLength: 16, aead: false },
  { esp: 'aes128-sha384', encKeyLength: 16, integKeyLength: 48, ivLength: 16, aead: false },
  { esp: 'aes256-sha512', encKeyLength: 32, integKeyLength: 64, ivLength: 16, aead: false },
  { esp: '3des-sha1', encKeyLength: 24, integKeyLength: 20, ivLength: 8, aead: false },
];

interface Topology {
  name: string;
  mode: 'tunnel' | 'transport';
  /** SA (outer) addresses. */
  src: string;
  dst: string;
  /** Inner packet addresses (transport: the same as the SA's). */
  innerSrc: string;
  innerDst: string;
}

const V4 = { src: '192.0.2.1', dst: '198.51.100.2' };
const V6 = { src: '2001:db8::1', dst: '2001:db8:1::2' };
const IN4 = { innerSrc: '10.1.0.5', innerDst: '10.2.0.7' };
const IN6 = { innerSrc: 'fd00:1::5', innerDst: 'fd00:2::7' };

const TOPOLOGIES: Topology[] = [
  { name: 'tunnel, IPv4 in IPv4', mode: 'tunnel', ...V4, ...IN4 },
  { name: 'tunnel, IPv6 in IPv6', mode: 'tunnel', ...V6, ...IN6 },
  { name: 'tunnel, IPv4 in IPv6', mode: 'tunnel', ...V6, ...IN4 },
  { name: 'tunnel, IPv6 in IPv4', mode: 'tunnel', ...V4, ...IN6 },
  { name: 'transport, IPv4', mode: 'transport', ...V4, innerSrc: V4.src, innerDst: V4.dst },
  { name: 'transport, IPv6', mode: 'transport', ...V6, innerSrc: V6.src, innerDst: V6.dst },
];

/** Plain ESP, or ESP in UDP (RFC 3948): a peer behind NAT (source port rewritten) to port 4500. */
const ENCAPS: { name: string; encap?: { sport: number; dport: number } }[] = [
  { name: 'plain ESP' },
  { name: 'UDP-encapsulated', encap: { sport: 31337, dport: 4500 } },
];

/** Payload sizes and sequence numbers of the packets of one case, and the upper-layer protocol. */
const PACKETS: { size: number; seq: bigint; kind: 'udp' | 'tcp' | 'icmp'; df: boolean }[] = [
  { size: 0, seq: 1n, kind: 'udp', df: false },
  { size: 1, seq: 2n, kind: 'icmp', df: true },
  { size: 15, seq: 77n, kind: 'tcp', df: false },
  { size: 200, seq: 0x1_0000n, kind: 'udp', df: true },
  { size: 999, seq: 0x7fff_ffffn, kind: 'tcp', df: true },
  { size: 1400, seq: 0xffff_fffen, kind: 'udp', df: false },
];

/** With ESN (AEADs only): around and past 2^32, where the high half starts to matter. */
const ESN_PACKETS: { size: number; seq: bigint; kind: 'udp' | 'tcp' | 'icmp'; df: boolean }[] = [
  { size: 0, seq: 0xffff_ffffn, kind: 'udp', df: false },
  { size: 64, seq: 0x1_0000_0000n, kind: 'icmp', df: true },
  { size: 333, seq: 0x1_0000_0001n, kind: 'tcp', df: false },
  { size: 1400, seq: 0x1234_5678_9abc_def0n, kind: 'udp', df: true },
];

const seqArg = (esn: boolean, s: bigint): number | bigint => (esn ? s : Number(s));

/**
 * The inner packet as espDecap gives it back. In transport mode behind NAT, RFC 3948 §3.1.2 lets the
 * receiver fix the inner TCP/UDP checksum (recompute it — no change here, the addresses are those it
 * was computed with — or zero a UDP one): a zero UDP checksum is accepted there, nothing else.
 */
function assertSameInner(got: Uint8Array, want: Uint8Array, transportNatT: boolean, what: string): void {
  if (transportNatT && got.length === want.length) {
    const h = ipHeader(want);
    if (h.proto === PROTO.UDP && h.version === 4) {
      const ck = h.headerLength + 6;
      if (got[ck] === 0 && got[ck + 1] === 0) {
        const w = want.slice();
        w[ck] = 0;
        w[ck + 1] = 0;
        want = w;
      }
    }
  }
  assert.equal(toHex(got), toHex(want), what);
}

function crossCheck(suite: Suite, topo: Topology, encap: (typeof ENCAPS)[number], esn: boolean): void {
  const packets = esn ? ESN_PACKETS : PACKETS;
  test(`${suite.esp}, ${topo.name}, ${encap.name}${esn ? ', ESN' : ''}`, withScapy(async (b) => {
    const seed = [...`${suite.esp}${topo.name}${encap.name}${esn}`].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
    const key = filler(suite.encKeyLength + suite.integKeyLength, seed);
    const sa: BridgeSa = {
      spi: 0xc0000000 + (seed & 0xffffff), mode: topo.mode, src: topo.src, dst: topo.dst, esp: suite.esp, key,
      ...(encap.encap ? { encap: encap.encap } : {}), ...(esn ? { esn: true } : {}),
    };
    const transportNatT = topo.mode === 'transport' && !!encap.encap;
    for (const [i, p] of packets.entries()) {
      const what = `packet ${i}: ${p.kind}, ${p.size}-byte payload, seq 0x${p.seq.toString(16)}`;
      const inner = innerPacket(p.kind, topo.innerSrc, topo.innerDst, filler(p.size, seed + i), { df: p.df, id: 0x4000 + i });

      // espEncap → Scapy decrypts it.
      const iv = suite.aead ? undefined : filler(suite.ivLength, seed ^ (i + 1));
      const mine = espEncap({ ...sa, seq: seqArg(esn, p.seq), ...(iv ? { iv } : {}) }, inner);
      assertOuter(mine, sa, inner);
      const myEsp = espPart(mine);
      const usedIv = myEsp.subarray(8, 8 + suite.ivLength);
      if (suite.aead) assert.equal(toHex(usedIv), toHex(be64(p.seq)), `${what}: AEAD IV defaults to the 64-bit sequence number`);
      else assert.equal(toHex(usedIv), toHex(iv!), `${what}: the given IV is used`);
      const theirs = await b.decrypt(sa, p.seq, mine);
      assert.equal(theirs.spi, sa.spi, `${what}: SPI`);
      assert.equal(BigInt(theirs.seq), p.seq & 0xffff_ffffn, `${what}: Sequence Number field (low 32 bits)`);
      assert.equal(toHex(theirs.inner), toHex(inner), `${what}: Scapy decrypts espEncap's packet to the inner packet`);

      // Same IV, same sequence number → Scapy builds the same ESP bytes.
      const same = await b.encrypt(sa, p.seq, inner, usedIv);
      assert.equal(toHex(myEsp), toHex(espPart(same)), `${what}: espEncap and Scapy build the same ESP bytes`);

      // Scapy's packet (its own random IV) → espDecap.
      const scapyOuter = await b.encrypt(sa, p.seq, inner);
      const back = espDecap({ ...sa, seq: seqArg(esn, p.seq - 1n) }, scapyOuter);
      assert.ok(back instanceof Uint8Array, `${what}: espDecap dropped Scapy's packet: ${JSON.stringify(back)}`);
      assertSameInner(back, inner, transportNatT, `${what}: espDecap of Scapy's packet gives the inner packet`);

      if (i === packets.length - 1) {
        // One bit of ciphertext flipped: Scapy refuses it, and so must espDecap (RFC 4303 §3.4.4).
        const bad = scapyOuter.slice();
        bad[bad.length - 20] ^= 0x40;
        assert.notEqual(await b.decryptError(sa, p.seq, bad), null, `${what}: Scapy accepted a corrupted packet`);
        const dropped = espDecap({ ...sa, seq: seqArg(esn, p.seq - 1n) }, bad);
        assert.ok(!(dropped instanceof Uint8Array) && typeof dropped.drop === 'string', `${what}: a corrupted packet must be dropped`);
      }
    }
    if (!suite.aead) {
      // CBC IVs are random unless given (RFC 3602 §3): two packets, two IVs.
      const inner = innerPacket('udp', topo.innerSrc, topo.innerDst, filler(40, seed));
      const a = espPart(espEncap({ ...sa, seq: 1 }, inner)).subarray(8, 8 + suite.ivLength);
      const c = espPart(espEncap({ ...sa, seq: 1 }, inner)).subarray(8, 8 + suite.ivLength);
      assert.notEqual(toHex(a), toHex(c), 'CBC IV is random when none is given');
    }
  }));
}

describe('espEncap / espDecap interoperate with Scapy', () => {
  for (const suite of SUITES) {
    describe(suite.esp, () => {
      for (const topo of TOPOLOGIES) for (const encap of ENCAPS) crossCheck(suite, topo, encap, false);
      if (suite.aead) {
        for (const topo of [TOPOLOGIES[0], TOPOLOGIES[5]]) for (const encap of ENCAPS) crossCheck(suite, topo, encap, true);
      }
    });
  }
});

// ─────────────── the bridge against Scapy itself (no engine): its own round trips ───────────────

describe('the Scapy bridge round-trips its own packets', () => {
  for (const suite of SUITES) {
    test(suite.esp, withScapy(async (b) => {
      for (const topo of TOPOLOGIES) {
        for (const encap of ENCAPS) {
          for (const esn of suite.aead ? [false, true] : [false]) {
            const key = filler(suite.encKeyLength + suite.integKeyLength, 99);
            const sa: BridgeSa = { spi: 0x1000, mode: topo.mode, src: topo.src, dst: topo.dst, esp: suite.esp, key, ...(encap.encap ? { encap: encap.encap } : {}), esn };
            for (const p of esn ? ESN_PACKETS : PACKETS) {
              const inner = innerPacket(p.kind, topo.innerSrc, topo.innerDst, filler(p.size, p.size), { df: p.df });
              const outer = await b.encrypt(sa, p.seq, inner);
              const h = ipHeader(outer);
              assert.ok(h.checksumOk && h.totalLength === outer.length, 'Scapy outer header');
              if (encap.encap) assert.equal((outer[h.headerLength + 4] << 8) | outer[h.headerLength + 5], outer.length - h.headerLength, 'UDP length (bridge repairs Scapy 2.5 for IPv4)');
              const got = await b.decrypt(sa, p.seq, outer);
              assert.equal(toHex(got.inner), toHex(inner), `${topo.name}, ${encap.name}, seq ${p.seq}`);
            }
          }
        }
      }
    }));
  }
});
