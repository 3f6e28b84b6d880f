// GSO super-packets as a TUN device with IFF_VNET_HDR hands them over, and a reference
// segmentation written from the RFCs and Linux's software GSO, independently of assembly/esp/gso.ts:
// plain TypeScript over DataView, checksums by RFC 1071 (packets.ts inetChecksum).
//
// What the kernel hands over (seen on this machine's 6.18 kernel, test/util/gso-captured.ts):
// a 10-byte virtio_net_hdr (flags = NEEDS_CSUM, gso_type, hdr_len = the header bytes, gso_size,
// csum_start = the TCP/UDP header's offset, csum_offset = 16 / 6), then one IP packet whose length
// fields cover the whole super-packet and whose TCP/UDP checksum field holds the folded sum of the
// pseudo-header (with the super-packet's L4 length), not complemented.
import { addrBytes, concat, inetChecksum } from './packets.js';

export const VNET = { NEEDS_CSUM: 1, DATA_VALID: 2, NONE: 0, TCPV4: 1, UDP: 3, TCPV6: 4, UDP_L4: 5, ECN: 0x80 } as const;
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export interface VnetHeader {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

/** struct virtio_net_hdr (10 bytes) or virtio_net_hdr_v1 (12, num_buffers = 0), little-endian. */
export function vnetBytes(h: VnetHeader, size: 10 | 12 = 10): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, h.flags);
  dv.setUint8(1, h.gsoType);
  dv.setUint16(2, h.hdrLen, true);
  dv.setUint16(4, h.gsoSize, true);
  dv.setUint16(6, h.csumStart, true);
  dv.setUint16(8, h.csumOffset, true);
  return b;
}

export function parseVnet(b: Uint8Array): VnetHeader {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { flags: b[0], gsoType: b[1], hdrLen: dv.getUint16(2, true), gsoSize: dv.getUint16(4, true), csumStart: dv.getUint16(6, true), csumOffset: dv.getUint16(8, true) };
}

const u16 = (v: number): Uint8Array => new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);
const u32 = (v: number): Uint8Array => new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);

/** The pseudo-header of RFC 768 / RFC 9293 §3.1 (IPv4, 12 bytes) or RFC 8200 §8.1 (IPv6, 40 bytes). */
export function pseudo(src: Uint8Array, dst: Uint8Array, proto: number, l4len: number): Uint8Array {
  return src.length === 4
    ? concat(src, dst, new Uint8Array([0, proto]), u16(l4len))
    : concat(src, dst, u32(l4len), new Uint8Array([0, 0, 0, proto]));
}

/** Where things are in an IP packet: the L4 header offset and protocol, after any IPv6 extension headers. */
export function layout(ip: Uint8Array): { v: 4 | 6; l3: number; proto: number; l4h: number; src: Uint8Array; dst: Uint8Array } {
  const v = ip[0] >> 4;
  let l3: number, proto: number;
  if (v === 4) {
    l3 = (ip[0] & 15) * 4;
    proto = ip[9];
  } else {
    l3 = 40;
    proto = ip[6];
    while (proto === 0 || proto === 43 || proto === 44 || proto === 60) {
      proto = ip[l3];
      l3 += proto === 44 ? 8 : (ip[l3 + 1] + 1) * 8;
    }
  }
  const l4h = proto === 6 ? (ip[l3 + 12] >> 4) * 4 : 8;
  const src = v === 4 ? ip.slice(12, 16) : ip.slice(8, 24);
  const dst = v === 4 ? ip.slice(16, 20) : ip.slice(24, 40);
  return { v: v === 4 ? 4 : 6, l3, proto, l4h, src, dst };
}

export interface SuperOptions {
  family: 4 | 6;
  proto: 'tcp' | 'udp';
  payload: Uint8Array;
  gsoSize: number;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  /** IPv4 identification of the super-packet (the first segment's). */
  id?: number;
  df?: boolean;
  /** IPv4 TOS / IPv6 traffic class (ECN in the low two bits). */
  tos?: number;
  seq?: number;
  ack?: number;
  /** TCP flags of the super-packet; ACK|PSH when not given. */
  flags?: number;
  /** TCP options (a multiple of 4 bytes). */
  tcpOptions?: Uint8Array;
  /** IPv4 options (a multiple of 4 bytes). */
  ipv4Options?: Uint8Array;
  /** IPv6 extension headers, in order: type and body (the body after next header and length, 6 + 8k bytes). */
  ipv6Ext?: Array<{ type: number; body: Uint8Array }>;
  /** Set VIRTIO_NET_HDR_GSO_ECN (CWR is set in the flags by the caller). */
  ecn?: boolean;
  /** hdr_len: 'exact' (this kernel), 'headlen' (older kernels: skb_headlen, here the whole packet), or a number. */
  hdrLen?: 'exact' | 'headlen' | number;
  vnetSize?: 10 | 12;
}

/** A super-packet as the TUN device gives it: the virtio_net_hdr and the IP packet. */
export function superPacket(o: SuperOptions): { vnet: Uint8Array; packet: Uint8Array; hdrs: number } {
  const v4 = o.family === 4;
  const src = addrBytes(o.src ?? (v4 ? '10.1.0.2' : '2001:db8:1::2'));
  const dst = addrBytes(o.dst ?? (v4 ? '10.2.0.9' : '2001:db8:2::9'));
  const protoNum = o.proto === 'tcp' ? 6 : 17;
  let l4: Uint8Array;
  if (o.proto === 'tcp') {
    const opts = o.tcpOptions ?? new Uint8Array(0);
    const h = new Uint8Array(20 + opts.length);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, o.sport ?? 40001);
    dv.setUint16(2, o.dport ?? 443);
    dv.setUint32(4, (o.seq ?? 0x11223344) >>> 0);
    dv.setUint32(8, (o.ack ?? 0x55667788) >>> 0);
    h[12] = (h.length / 4) << 4;
    h[13] = o.flags ?? TCP_FLAGS.ACK | TCP_FLAGS.PSH;
    dv.setUint16(14, 502);
    h.set(opts, 20);
    l4 = concat(h, o.payload);
  } else {
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, o.sport ?? 40002);
    dv.setUint16(2, o.dport ?? 4433);
    dv.setUint16(4, (8 + o.payload.length) & 0xffff);
    l4 = concat(h, o.payload);
  }
  // The kernel's partial checksum: the pseudo-header's folded sum, over the whole L4 length.
  const partial = ~inetChecksum(pseudo(src, dst, protoNum, l4.length)) & 0xffff;
  l4.set(u16(partial), o.proto === 'tcp' ? 16 : 6);
  let ipHdr: Uint8Array;
  if (v4) {
    const opts = o.ipv4Options ?? new Uint8Array(0);
    ipHdr = new Uint8Array(20 + opts.length);
    const dv = new DataView(ipHdr.buffer);
    ipHdr[0] = 0x40 | (ipHdr.length / 4);
    ipHdr[1] = o.tos ?? 0;
    dv.setUint16(2, ipHdr.length + l4.length);
    dv.setUint16(4, o.id ?? 0x4d21);
    dv.setUint16(6, o.df === false ? 0 : 0x4000);
    ipHdr[8] = 64;
    ipHdr[9] = protoNum;
    ipHdr.set(src, 12);
    ipHdr.set(dst, 16);
    ipHdr.set(opts, 20);
    dv.setUint16(10, inetChecksum(ipHdr));
  } else {
    const ext = o.ipv6Ext ?? [];
    const chain: Uint8Array[] = ext.map((e, i) => {
      const next = i + 1 < ext.length ? ext[i + 1].type : protoNum;
      return concat(new Uint8Array([next, (2 + e.body.length) / 8 - 1]), e.body);
    });
    const extBytes = concat(...chain);
    const base = new Uint8Array(40);
    const tc = o.tos ?? 0;
    base[0] = 0x60 | (tc >> 4);
    base[1] = (tc & 15) << 4 | 0x0a; // a flow label too
    base[2] = 0xbc;
    base[3] = 0xde;
    new DataView(base.buffer).setUint16(4, extBytes.length + l4.length);
    base[6] = ext.length ? ext[0].type : protoNum;
    base[7] = 64;
    base.set(src, 8);
    base.set(dst, 24);
    ipHdr = concat(base, extBytes);
  }
  const packet = concat(ipHdr, l4);
  const hdrs = ipHdr.length + (o.proto === 'tcp' ? 20 + (o.tcpOptions?.length ?? 0) : 8);
  const hdrLen = o.hdrLen === undefined || o.hdrLen === 'exact' ? hdrs : o.hdrLen === 'headlen' ? packet.length : o.hdrLen;
  const gsoType = o.proto === 'udp' ? VNET.UDP_L4 : v4 ? VNET.TCPV4 : VNET.TCPV6;
  const vnet = vnetBytes({
    flags: VNET.NEEDS_CSUM, gsoType: gsoType | (o.ecn ? VNET.ECN : 0), hdrLen, gsoSize: o.gsoSize,
    csumStart: ipHdr.length, csumOffset: o.proto === 'tcp' ? 16 : 6,
  }, o.vnetSize ?? 10);
  return { vnet, packet, hdrs };
}

/**
 * The segments Linux's software GSO makes of the super-packet `ip` (inet_gso_segment /
 * ipv6_gso_segment, tcp_gso_segment, __udp_gso_segment): the headers, then gso_size bytes of
 * payload each; IPv4 total length, ID + i and header checksum, or IPv6 payload length; TCP
 * sequence number + i × gso_size, FIN and PSH on the last only, CWR on the first only; UDP length;
 * TCP/UDP checksums over the pseudo-header (UDP: 0 sent as 0xffff).
 */
export function referenceSegments(ip: Uint8Array, gsoSize: number): Uint8Array[] {
  const { v, l3, proto, l4h, src, dst } = layout(ip);
  const hdr = ip.subarray(0, l3 + l4h);
  const payload = ip.subarray(l3 + l4h);
  const n = Math.ceil(payload.length / gsoSize);
  const id = (ip[4] << 8) | ip[5];
  const seq = new DataView(ip.buffer, ip.byteOffset).getUint32(l3 + 4);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const seg = concat(hdr, payload.subarray(i * gsoSize, (i + 1) * gsoSize));
    const dv = new DataView(seg.buffer);
    if (v === 4) {
      dv.setUint16(2, seg.length);
      dv.setUint16(4, (id + i) & 0xffff);
      dv.setUint16(10, 0);
      dv.setUint16(10, inetChecksum(seg.subarray(0, l3)));
    } else {
      dv.setUint16(4, seg.length - 40);
    }
    const l4len = seg.length - l3;
    if (proto === 6) {
      dv.setUint32(l3 + 4, (seq + i * gsoSize) >>> 0);
      let f = seg[l3 + 13];
      if (i < n - 1) f &= ~(TCP_FLAGS.FIN | TCP_FLAGS.PSH);
      if (i > 0) f &= ~TCP_FLAGS.CWR;
      seg[l3 + 13] = f;
      dv.setUint16(l3 + 16, 0);
      dv.setUint16(l3 + 16, inetChecksum(pseudo(src, dst, 6, l4len), seg.subarray(l3)));
    } else {
      dv.setUint16(l3 + 4, l4len);
      dv.setUint16(l3 + 6, 0);
      dv.setUint16(l3 + 6, inetChecksum(pseudo(src, dst, 17, l4len), seg.subarray(l3)) || 0xffff);
    }
    out.push(seg);
  }
  return out;
}

/** Whether a packet's IPv4 header checksum and its TCP/UDP checksum verify (RFC 1071: the sum is all ones). */
export function checksumsVerify(ip: Uint8Array): { ip: boolean; l4: boolean; lengths: boolean } {
  const { v, l3, proto, src, dst } = layout(ip);
  const dv = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const lengths = v === 4 ? dv.getUint16(2) === ip.length : dv.getUint16(4) + 40 === ip.length;
  const ipOk = v === 6 || inetChecksum(ip.subarray(0, l3)) === 0;
  const l4 = ip.subarray(l3);
  const at = proto === 6 ? 16 : 6;
  const udpLenOk = proto !== 17 || dv.getUint16(l3 + 4) === l4.length;
  const l4Ok = inetChecksum(pseudo(src, dst, proto, l4.length), l4) === 0 && !(proto === 17 && dv.getUint16(l3 + at) === 0);
  return { ip: ipOk, l4: l4Ok, lengths: lengths && udpLenOk };
}
