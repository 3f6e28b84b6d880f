// The published ESP vectors of test/vectors/esp.ts, reduced to what an ESP implementation sees —
// SA, inner packet, outer packet — in each of four framings (IPv4, IPv6, each plain or
// UDP-encapsulated). Shared by test/esp-vectors.test.ts (our engine) and test/esp-scapy.test.ts
// (Scapy), so both are held to the very same bytes.
//
// What the sources leave open is filled in here, the same way for every vector:
// - draft-mcgrew-gcm-test-01 gives ESP packets without an IP header, and every case carries Next
//   Header 1: they run in transport mode behind an IPv4 (or IPv6) header built here.
// - RFC 3602's SAs have no integrity algorithm and our engine requires one with CBC: they run as
//   aes128-sha1 with an HMAC-SHA1-96 ICV (RFC 2404) appended, computed with node:crypto under a
//   fixed integrity key. The encrypted part is the RFC's, byte for byte; the ICV is ours.
// - Every vector also runs behind an IPv6 header and UDP-encapsulated (RFC 3948): the ESP bytes do
//   not depend on the outer header (RFC 4303 §3.1).

import assert from 'node:assert/strict';
import type { EspSa } from '../../src/dataplane/esp.js';
import { MCGREW_GCM, RFC3602, RFC7634_ESP } from '../vectors/esp.js';
import { hex, toHex } from './vectors.js';
import { addrBytes, concat, espPart, family, ip, ipHeader, PROTO, udp } from './packets.js';
import { hmacIcv, parseTrailer } from './esp-reference.js';

/** Integrity key under which the RFC 3602 packets get their (our) HMAC-SHA1-96 ICV. */
export const RFC3602_INTEG_KEY = hex('c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3');

/** One vector, reduced to what the engine sees. */
export interface VectorCase {
  name: string;
  esp: string;
  key: Uint8Array;
  spi: number;
  /** The full sequence number the packet carries (64-bit with ESN). */
  seq: bigint;
  esn: boolean;
  iv: Uint8Array;
  mode: 'tunnel' | 'transport';
  /** tunnel: the inner IP packet. */
  inner?: Uint8Array;
  /** transport: the upper-layer protocol and its bytes (what follows the IP header). */
  proto?: number;
  payload?: Uint8Array;
  /** The ESP part every framing must carry: SPI … ICV. */
  espBytes: Uint8Array;
  /** The IPv4 framing the source prints, where it prints one. */
  published?: { src: string; dst: string; id: number; ttl: number };
}

export const CASES: VectorCase[] = [
  ...RFC3602.map((c): VectorCase => {
    const original = hex(c.original), esp = hex(c.esp);
    return {
      name: c.name,
      esp: 'aes128-sha1',
      key: concat(hex(c.key), RFC3602_INTEG_KEY),
      spi: c.spi,
      seq: BigInt(c.seq),
      esn: false,
      iv: hex(c.iv),
      mode: c.mode,
      ...(c.mode === 'tunnel' ? { inner: original } : { proto: original[9], payload: original.subarray(20) }),
      espBytes: concat(esp, hmacIcv('sha1', RFC3602_INTEG_KEY, esp)),
      published: { src: c.src, dst: c.dst, id: (hex(c.outerHeader)[4] << 8) | hex(c.outerHeader)[5], ttl: hex(c.outerHeader)[8] },
    };
  }),
  ...MCGREW_GCM.map((v): VectorCase => {
    const key = hex(v.key), nonce = hex(v.nonce), seq = hex(v.seq);
    return {
      name: v.name,
      esp: `aes${key.length * 8}gcm16`,
      key: concat(key, nonce.subarray(0, 4)),
      spi: parseInt(v.spi, 16),
      seq: BigInt('0x' + v.seq),
      esn: seq.length === 8,
      iv: nonce.subarray(4),
      mode: 'transport',
      proto: PROTO.ICMP,
      payload: parseTrailer(hex(v.plaintext)).payload,
      espBytes: hex(v.packet),
    };
  }),
  (() => {
    const v = RFC7634_ESP, packet = hex(v.espPacket);
    return {
      name: v.name,
      esp: 'chacha20poly1305',
      key: hex(v.keymat),
      spi: v.spi,
      seq: BigInt(v.seq),
      esn: false,
      iv: hex(v.iv),
      mode: 'tunnel' as const,
      inner: hex(v.sourcePacket),
      espBytes: espPart(packet),
      published: { src: v.src, dst: v.dst, id: (packet[4] << 8) | packet[5], ttl: packet[8] },
    };
  })(),
];

export type Framing = 'IPv4' | 'IPv6' | 'IPv4, UDP-encapsulated' | 'IPv6, UDP-encapsulated';
export const FRAMINGS: Framing[] = ['IPv4', 'IPv6', 'IPv4, UDP-encapsulated', 'IPv6, UDP-encapsulated'];

/**
 * The framings a vector can take. SPI 0 cannot go in UDP: its four zero bytes are the non-ESP marker
 * that says "IKE, not ESP" (RFC 3948 §2.2) — draft-mcgrew-gcm-test-01's page-10 case has SPI 0.
 */
export const framingsOf = (c: VectorCase): Framing[] => (c.spi === 0 ? FRAMINGS.filter((f) => !f.endsWith('UDP-encapsulated')) : FRAMINGS);
export const NATT = { sport: 4500, dport: 4500 };

/** The SA, the inner packet and the outer packet of a vector in one framing. */
export function frame(c: VectorCase, f: Framing): { sa: Omit<EspSa, 'seq'>; inner: Uint8Array; outer: Uint8Array } {
  const v6 = f.startsWith('IPv6');
  const encap = f.endsWith('UDP-encapsulated');
  const src = v6 ? '2001:db8::1' : c.published?.src ?? '192.0.2.1';
  const dst = v6 ? '2001:db8:1::2' : c.published?.dst ?? '198.51.100.2';
  const id = c.published?.id ?? 0x1234;
  const ttl = c.published?.ttl ?? 64;
  let inner: Uint8Array;
  let extra: { id: number; ttl: number; df?: boolean };
  if (c.mode === 'tunnel') {
    inner = c.inner!;
    // RFC 4303 §3.1.2 leaves the outer header to the implementation; the contract: TTL 64, DF copied.
    extra = { id, ttl: 64, df: ipHeader(inner).df };
  } else {
    extra = { id, ttl };
    inner = ip(src, dst, c.proto!, c.payload!, extra);
  }
  // RFC 3948 §2.1: UDP checksum zero for IPv4; IPv6 gets a real one (RFC 8200 §8.1).
  const body = encap
    ? v6 ? udp(src, dst, NATT.sport, NATT.dport, c.espBytes) : concat(hex('11941194'), hex((8 + c.espBytes.length).toString(16).padStart(4, '0')), hex('0000'), c.espBytes)
    : c.espBytes;
  const outer = ip(src, dst, encap ? PROTO.UDP : PROTO.ESP, body, extra);
  const sa = { spi: c.spi, mode: c.mode, src, dst, esp: c.esp, key: c.key, esn: c.esn, ...(encap ? { encap: NATT } : {}) };
  return { sa, inner, outer };
}

/** EspSa.seq: a number while it fits 32 bits, a bigint with ESN. */
export const seqOf = (c: VectorCase, s: bigint): number | bigint => (c.esn ? s : Number(s));

export function assertOuter(outer: Uint8Array, sa: Omit<EspSa, 'seq'>, inner: Uint8Array): void {
  const h = ipHeader(outer);
  assert.equal(h.version, family(sa.src), 'outer IP version follows the SA addresses');
  assert.equal(h.totalLength, outer.length, 'outer length field = packet length');
  assert.ok(h.checksumOk, 'outer IPv4 header checksum');
  assert.equal(toHex(h.src), toHex(addrBytes(sa.src)), 'outer source');
  assert.equal(toHex(h.dst), toHex(addrBytes(sa.dst)), 'outer destination');
  assert.equal(h.proto, sa.encap ? PROTO.UDP : PROTO.ESP, 'outer protocol');
  if (sa.encap) {
    const u = outer.subarray(h.headerLength);
    assert.deepEqual([(u[0] << 8) | u[1], (u[2] << 8) | u[3]], [sa.encap.sport, sa.encap.dport], 'UDP ports (RFC 3948 §2.1)');
    assert.equal((u[4] << 8) | u[5], u.length, 'UDP length');
  }
  if (sa.mode === 'tunnel' && h.version === 4 && ipHeader(inner).version === 4) {
    assert.equal(h.ttl, 64, 'tunnel outer TTL 64 (contract)');
    assert.equal(h.df, ipHeader(inner).df, 'tunnel outer DF copied from the inner packet (contract)');
  }
}

