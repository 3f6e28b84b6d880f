// A TCP segment in an IPv4 or IPv6 packet with every field a GRO test wants to vary: RFC 9293
// §3.1 (TCP header, options, checksum over the pseudo-header), RFC 791 §3.1 (IPv4: TOS, ID, DF,
// TTL, header checksum), RFC 8200 §3 (IPv6: traffic class, flow label, hop limit). Checksums by
// RFC 1071 (packets.ts inetChecksum); nothing here is shared with assembly/.
import { addrBytes, concat, family, inetChecksum } from './packets.js';
import { pseudo } from './gso-reference.js';

export interface SegmentOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** TCP flags (byte 13); ACK when not given. */
  flags?: number;
  /** The low four bits of byte 12 (reserved, AE). */
  reserved?: number;
  window?: number;
  urgent?: number;
  /** TCP options, a multiple of 4 bytes. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** IPv4 identification. */
  id?: number;
  /** IPv4 don't-fragment (default true). */
  df?: boolean;
  /** IPv4: the whole fragment field instead (flags and offset), overriding df. */
  frag?: number;
  /** IPv4 TOS or IPv6 traffic class. */
  tos?: number;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl?: number;
  /** IPv6 flow label. */
  flow?: number;
  /** IPv4 options (a multiple of 4 bytes). */
  ipv4Options?: Uint8Array;
  /** Spoil the TCP checksum (add 1). */
  badChecksum?: boolean;
}

const be16 = (v: number): Uint8Array => new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);

/** The IP packet carrying the segment, checksums right (unless badChecksum). */
export function tcpSegment(o: SegmentOptions): Uint8Array {
  const src = addrBytes(o.src), dst = addrBytes(o.dst);
  const opts = o.options ?? new Uint8Array(0);
  const payload = o.payload ?? new Uint8Array(0);
  const h = new Uint8Array(20 + opts.length);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint32(4, o.seq >>> 0);
  dv.setUint32(8, (o.ack ?? 0x5a5a0001) >>> 0);
  h[12] = ((h.length / 4) << 4) | ((o.reserved ?? 0) & 15);
  h[13] = o.flags ?? 0x10;
  dv.setUint16(14, o.window ?? 502);
  dv.setUint16(18, o.urgent ?? 0);
  h.set(opts, 20);
  const l4 = concat(h, payload);
  const c = (inetChecksum(pseudo(src, dst, 6, l4.length), l4) + (o.badChecksum ? 1 : 0)) & 0xffff;
  l4.set(be16(c), 16);
  if (family(o.src) === 4) {
    const io = o.ipv4Options ?? new Uint8Array(0);
    const ip = new Uint8Array(20 + io.length);
    ip[0] = 0x40 | (ip.length / 4);
    ip[1] = o.tos ?? 0;
    ip.set(be16(ip.length + l4.length), 2);
    ip.set(be16(o.id ?? 0x1000), 4);
    ip.set(be16(o.frag ?? (o.df === false ? 0 : 0x4000)), 6);
    ip[8] = o.ttl ?? 64;
    ip[9] = 6;
    ip.set(src, 12);
    ip.set(dst, 16);
    ip.set(io, 20);
    ip.set(be16(inetChecksum(ip)), 10);
    return concat(ip, l4);
  }
  const ip = new Uint8Array(40);
  const tc = o.tos ?? 0, flow = o.flow ?? 0;
  ip[0] = 0x60 | (tc >> 4);
  ip[1] = ((tc & 15) << 4) | ((flow >>> 16) & 15);
  ip.set(be16(flow & 0xffff), 2);
  ip.set(be16(l4.length), 4);
  ip[6] = 6;
  ip[7] = o.ttl ?? 64;
  ip.set(src, 8);
  ip.set(dst, 24);
  return concat(ip, l4);
}

/** A run of `sizes.length` consecutive segments of one flow: sequence numbers and IPv4 IDs counting up. */
export function tcpRun(o: SegmentOptions, sizes: number[], seed = 1): Uint8Array[] {
  let seq = o.seq, id = o.id ?? 0x1000;
  return sizes.map((n, i) => {
    const p = tcpSegment({ ...o, seq, id, payload: filler2(n, seed * 1000 + i) });
    seq = (seq + n) >>> 0;
    id = (id + 1) & 0xffff;
    return p;
  });
}

// Deterministic bytes, different for every segment (so that segments can be told apart).
function filler2(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
