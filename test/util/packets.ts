// Building and reading IP packets in tests (RFC 791, RFC 8200, RFC 768, RFC 792).
import { parseAddress } from '../../src/dataplane/addr.js';

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** The Internet checksum (RFC 1071) of the bytes, as a number. */
export function checksum(b: Uint8Array, sum = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function addr(text: string): Uint8Array {
  const a = parseAddress(text);
  return a.bytes.subarray(0, a.family === 4 ? 4 : 16);
}

function pseudo(src: string, dst: string, proto: number, len: number): Uint8Array {
  const s = addr(src), d = addr(dst);
  const tail = new Uint8Array(s.length === 4 ? 4 : 8);
  const v = new DataView(tail.buffer);
  if (s.length === 4) {
    v.setUint8(1, proto);
    v.setUint16(2, len);
  } else {
    v.setUint32(0, len);
    v.setUint8(7, proto);
  }
  return cat(s, d, tail);
}

export interface IpOptions {
  ttl?: number;
  tos?: number;
  df?: boolean;
  id?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  v.setUint16(2, 20 + payload.length);
  v.setUint16(4, o.id ?? 0x1234);
  v.setUint16(6, o.df ? 0x4000 : 0);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  h.set(addr(src), 12);
  h.set(addr(dst), 16);
  v.setUint16(10, checksum(h));
  return cat(h, payload);
}

export function ipv6(src: string, dst: string, proto: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  const h = new Uint8Array(40);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x60000000 | ((o.tos ?? 0) << 20) | 0x12345);
  v.setUint16(4, payload.length);
  h[6] = proto;
  h[7] = o.ttl ?? 64;
  h.set(addr(src), 8);
  h.set(addr(dst), 24);
  return cat(h, payload);
}

/** An IP packet of the family of src, carrying `proto` with `payload`. */
export function ip(src: string, dst: string, proto: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  return src.includes(':') ? ipv6(src, dst, proto, payload, o) : ipv4(src, dst, proto, payload, o);
}

/** A UDP datagram in an IP packet, with its checksum. */
export function udp(src: string, dst: string, sport: number, dport: number, data: Uint8Array, o: IpOptions = {}): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, 8 + data.length);
  const body = cat(h, data);
  const c = checksum(cat(pseudo(src, dst, 17, body.length), body));
  new DataView(body.buffer).setUint16(6, c === 0 ? 0xffff : c);
  return ip(src, dst, 17, body, o);
}

/** A TCP segment (header only flags, no options) in an IP packet, with its checksum. */
export function tcp(src: string, dst: string, sport: number, dport: number, data: Uint8Array, o: IpOptions = {}): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, 1000);
  h[12] = 5 << 4;
  h[13] = 0x18; // PSH, ACK
  v.setUint16(14, 65535);
  const body = cat(h, data);
  new DataView(body.buffer).setUint16(16, checksum(cat(pseudo(src, dst, 6, body.length), body)));
  return ip(src, dst, 6, body, o);
}

/** An ICMP (or ICMPv6) echo request. */
export function ping(src: string, dst: string, data: Uint8Array, o: IpOptions = {}): Uint8Array {
  const v6 = src.includes(':');
  const body = cat(new Uint8Array([v6 ? 128 : 8, 0, 0, 0, 0x12, 0x34, 0, 1]), data);
  const c = v6 ? checksum(cat(pseudo(src, dst, 58, body.length), body)) : checksum(body);
  new DataView(body.buffer).setUint16(2, c);
  return ip(src, dst, v6 ? 58 : 1, body, o);
}

/** Whether the transport checksum (TCP or UDP) of an IPv4/IPv6 packet without extensions verifies. */
export function transportChecksumOk(p: Uint8Array): boolean {
  const v6 = p[0] >> 4 === 6;
  const hdr = v6 ? 40 : (p[0] & 15) * 4;
  const proto = v6 ? p[6] : p[9];
  const body = p.subarray(hdr, v6 ? 40 + ((p[4] << 8) | p[5]) : (p[2] << 8) | p[3]);
  const fmt = (b: Uint8Array): string => (v6 ? Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(':') : Array.from(b).join('.'));
  const src = fmt(p.subarray(v6 ? 8 : 12, v6 ? 24 : 16)), dst = fmt(p.subarray(v6 ? 24 : 16, v6 ? 40 : 20));
  return checksum(cat(pseudo(src, dst, proto, body.length), body)) === 0;
}

/** The fields of an outer header the tests look at. */
export function outerFields(p: Uint8Array): { v6: boolean; proto: number; total: number; ttl: number; tos: number; df: boolean; headerOk: boolean; hdr: number } {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (p[0] >> 4 === 6) {
    return { v6: true, proto: p[6], total: 40 + v.getUint16(4), ttl: p[7], tos: (v.getUint32(0) >>> 20) & 0xff, df: true, headerOk: true, hdr: 40 };
  }
  const hdr = (p[0] & 15) * 4;
  return { v6: false, proto: p[9], total: v.getUint16(2), ttl: p[8], tos: p[1], df: (v.getUint16(6) & 0x4000) !== 0, headerOk: checksum(p.subarray(0, hdr)) === 0, hdr };
}
