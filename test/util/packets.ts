// IP packets for the ESP tests, built byte by byte: IPv4 (RFC 791), IPv6 (RFC 8200), UDP (RFC 768),
// ICMP echo (RFC 792 / RFC 4443) and a bare TCP segment (RFC 9293), with their checksums (RFC 1071).
// Nothing here knows ESP; the tests use it to make inner packets and to wrap published ESP bytes in
// outer headers.

import { isIPv4, isIPv6 } from 'node:net';
import { rng } from './rng.js';

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Address text → 4 or 16 bytes. IPv6 text may use '::' and an embedded dotted quad (RFC 4291 §2.2). */
export function addrBytes(text: string): Uint8Array {
  if (isIPv4(text)) return new Uint8Array(text.split('.').map(Number));
  if (!isIPv6(text)) throw new Error(`not an IP address: ${text}`);
  // A trailing dotted quad becomes two hex groups.
  const s = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const halves = s.split('::');
  const part = (x: string): string[] => (x === '' ? [] : x.split(':'));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8) throw new Error(`bad IPv6 address: ${text}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const w = parseInt(g, 16);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export const family = (text: string): 4 | 6 => (isIPv4(text) ? 4 : 6);

/** RFC 1071 Internet checksum of the concatenated parts. */
export function inetChecksum(...parts: Uint8Array[]): number {
  const data = concat(...parts);
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length & 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536); // no >>> : sums may pass 2^32
  return ~sum & 0xffff;
}

const be16 = (v: number): Uint8Array => new Uint8Array([v >> 8, v & 0xff]);

/** Pseudo-header for TCP/UDP/ICMPv6 checksums: RFC 768 (IPv4), RFC 8200 §8.1 (IPv6). */
function pseudoHeader(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length === 4) return concat(src, dst, new Uint8Array([0, proto]), be16(length));
  return concat(src, dst, new Uint8Array([length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, proto]));
}

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  payload: Uint8Array;
  id?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
}

/** RFC 791 §3.1: a 20-byte header (no options), header checksum filled in. */
export function ipv4(o: Ipv4Options): Uint8Array {
  const h = new Uint8Array(20);
  const len = 20 + o.payload.length;
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  h.set(be16(len), 2);
  h.set(be16(o.id ?? 0x1234), 4);
  h[6] = o.df ? 0x40 : 0;
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(addrBytes(o.src), 12);
  h.set(addrBytes(o.dst), 16);
  h.set(be16(inetChecksum(h)), 10);
  return concat(h, o.payload);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  nh: number;
  payload: Uint8Array;
  hlim?: number;
  tc?: number;
  flow?: number;
}

/** RFC 8200 §3: the fixed 40-byte header, no extension headers. */
export function ipv6(o: Ipv6Options): Uint8Array {
  const h = new Uint8Array(40);
  const tc = o.tc ?? 0;
  const flow = o.flow ?? 0;
  h[0] = 0x60 | (tc >> 4);
  h[1] = ((tc & 0x0f) << 4) | ((flow >> 16) & 0x0f);
  h.set(be16(flow & 0xffff), 2);
  h.set(be16(o.payload.length), 4);
  h[6] = o.nh;
  h[7] = o.hlim ?? 64;
  h.set(addrBytes(o.src), 8);
  h.set(addrBytes(o.dst), 24);
  return concat(h, o.payload);
}

export interface IpExtra {
  id?: number;
  df?: boolean;
  ttl?: number;
  /** IPv4 TOS, or IPv6 traffic class. */
  tos?: number;
}

/** An IP packet of the family of src carrying `proto` (IPv4 protocol / IPv6 next header). */
export function ip(src: string, dst: string, proto: number, payload: Uint8Array, extra: IpExtra = {}): Uint8Array {
  return family(src) === 4 ? ipv4({ src, dst, proto, payload, ...extra }) : ipv6({ src, dst, nh: proto, payload, hlim: extra.ttl, tc: extra.tos });
}

/** RFC 768 datagram with its checksum over the pseudo-header (never 0: 0xffff instead). */
export function udp(src: string, dst: string, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const len = 8 + data.length;
  const seg = concat(be16(sport), be16(dport), be16(len), be16(0), data);
  let ck = inetChecksum(pseudoHeader(addrBytes(src), addrBytes(dst), 17, len), seg);
  if (ck === 0) ck = 0xffff;
  seg.set(be16(ck), 6);
  return seg;
}

/** A TCP segment (RFC 9293 §3.1), 20-byte header, ACK|PSH, with its checksum. */
export function tcp(src: string, dst: string, sport: number, dport: number, seq: number, data: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  h.set(be16(sport), 0);
  h.set(be16(dport), 2);
  h.set([seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff], 4);
  h[12] = 5 << 4;
  h[13] = 0x18;
  h.set(be16(0xffff), 14);
  const seg = concat(h, data);
  seg.set(be16(inetChecksum(pseudoHeader(addrBytes(src), addrBytes(dst), 6, seg.length), seg)), 16);
  return seg;
}

/** ICMP echo request: RFC 792 for IPv4 (type 8), RFC 4443 §4.1 for IPv6 (type 128, pseudo-header). */
export function icmpEcho(src: string, dst: string, ident: number, seq: number, data: Uint8Array): Uint8Array {
  const v6 = family(src) === 6;
  const msg = concat(new Uint8Array([v6 ? 128 : 8, 0, 0, 0]), be16(ident), be16(seq), data);
  const ck = v6 ? inetChecksum(pseudoHeader(addrBytes(src), addrBytes(dst), 58, msg.length), msg) : inetChecksum(msg);
  msg.set(be16(ck), 2);
  return msg;
}

/** Layer-4 protocol numbers used here. */
export const PROTO = { ICMP: 1, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, ESP: 50, ICMPV6: 58 } as const;

/** A whole inner packet: IPv4/IPv6 carrying UDP, TCP or ICMP echo with `size` bytes of data. */
export function innerPacket(kind: 'udp' | 'tcp' | 'icmp', src: string, dst: string, data: Uint8Array, extra: IpExtra = {}): Uint8Array {
  const v6 = family(src) === 6;
  switch (kind) {
    case 'udp':
      return ip(src, dst, PROTO.UDP, udp(src, dst, 40000 + (data.length % 1000), 53, data), extra);
    case 'tcp':
      return ip(src, dst, PROTO.TCP, tcp(src, dst, 40001, 443, 0x01020304 + data.length, data), extra);
    case 'icmp':
      return ip(src, dst, v6 ? PROTO.ICMPV6 : PROTO.ICMP, icmpEcho(src, dst, 0x4242, data.length, data), extra);
  }
}

/** Deterministic filler bytes (a seeded xorshift), so failures are reproducible. */
export const filler = (n: number, seed: number): Uint8Array => rng((seed * 2654435761) >>> 0).bytes(n);

/** Where the IP header ends and what it says, for IPv4 and IPv6 without extension headers. */
export interface IpHeaderView {
  version: 4 | 6;
  headerLength: number;
  proto: number;
  totalLength: number;
  src: Uint8Array;
  dst: Uint8Array;
  ttl: number;
  df: boolean;
  checksumOk: boolean;
}

export function ipHeader(p: Uint8Array): IpHeaderView {
  const version = p[0] >> 4;
  if (version === 4) {
    const hl = (p[0] & 0x0f) * 4;
    return {
      version: 4, headerLength: hl, proto: p[9], totalLength: (p[2] << 8) | p[3],
      src: p.subarray(12, 16), dst: p.subarray(16, 20), ttl: p[8], df: (p[6] & 0x40) !== 0,
      checksumOk: inetChecksum(p.subarray(0, hl)) === 0,
    };
  }
  if (version === 6) {
    return {
      version: 6, headerLength: 40, proto: p[6], totalLength: 40 + ((p[4] << 8) | p[5]),
      src: p.subarray(8, 24), dst: p.subarray(24, 40), ttl: p[7], df: false, checksumOk: true,
    };
  }
  throw new Error(`not an IP packet (version ${version})`);
}

/**
 * The ESP part of an outer packet (from the SPI to the end of the ICV), after the IP header and, with
 * UDP encapsulation (RFC 3948 §2.2), after the 8-byte UDP header.
 */
export function espPart(outer: Uint8Array): Uint8Array {
  const h = ipHeader(outer);
  const body = outer.subarray(h.headerLength, h.totalLength);
  return h.proto === PROTO.UDP ? body.subarray(8) : body;
}

/** A UDP datagram in an IP packet. */
export const udpPacket = (src: string, dst: string, sport: number, dport: number, data: Uint8Array, extra: IpExtra = {}): Uint8Array =>
  ip(src, dst, PROTO.UDP, udp(src, dst, sport, dport, data), extra);

/** A TCP segment in an IP packet. */
export const tcpPacket = (src: string, dst: string, sport: number, dport: number, data: Uint8Array, extra: IpExtra = {}): Uint8Array =>
  ip(src, dst, PROTO.TCP, tcp(src, dst, sport, dport, 1000, data), extra);

/** Whether the TCP or UDP checksum of an IPv4 / IPv6 packet (no extension headers) verifies. */
export function transportChecksumOk(p: Uint8Array): boolean {
  const h = ipHeader(p);
  const body = p.subarray(h.headerLength, h.totalLength);
  return inetChecksum(pseudoHeader(h.src, h.dst, h.proto, body.length), body) === 0;
}

/** The outer header fields the ESP tests look at, TOS / traffic class included. */
export function outerFields(p: Uint8Array): IpHeaderView & { tos: number } {
  const h = ipHeader(p);
  return { ...h, tos: h.version === 4 ? p[1] : ((p[0] & 0x0f) << 4) | (p[1] >> 4) };
}
