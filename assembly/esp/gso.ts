// TUN offloads, undone: with IFF_VNET_HDR and TUNSETOFFLOAD, a read from the TUN device returns a
// virtio_net_hdr and a packet that may be a TCP or UDP "super-packet" of up to 64 KB (GSO), whose
// TCP/UDP checksum is left for the device to finish (NEEDS_CSUM). The ESP engine wants ordinary
// packets with correct checksums: gsoSplit cuts a super-packet into segments the way Linux's
// software GSO does (tcp_gso_segment, __udp_gso_segment, inet_gso_segment, ipv6_gso_segment), and
// vnetFinish finishes the checksum of a packet that needs no cutting (skb_checksum_help).
//
// The input slot holds the virtio_net_hdr at SLOT_BUF and the IP packet at [SLOT_OFF, SLOT_OFF +
// SLOT_LEN). The header (virtio 1.2 §5.1.6, struct virtio_net_hdr; all fields little-endian):
//   +0 u8 flags       bit 0 NEEDS_CSUM: the checksum from csum_start to the end is left to us;
//                     bit 1 DATA_VALID (nothing to do), other bits ignored
//   +1 u8 gso_type    0 NONE, 1 TCPV4, 4 TCPV6, 5 UDP_L4; bit 7 ECN (TCP only)
//   +2 le16 hdr_len   a hint only (virtio 1.0 notes it "is not useful as a guarantee of the transport
//                     header size"; Linux put skb_headlen() there for years): checked to lie within
//                     the packet, never used — the header lengths are read from the headers
//   +4 le16 gso_size  payload bytes per segment (the MSS)
//   +6 le16 csum_start, +8 le16 csum_offset
// Only these first 10 bytes are read: the TUN default (vnet_hdr_sz 10, what this kernel hands out)
// and the 12-byte virtio_net_hdr_v1 (num_buffers after them) both work.
//
// Every read is checked against the slot first, and everything is checked before anything is
// written: GSO_NO_ROOM and GSO_MALFORMED leave memory as it was. A packet that is not what the kernel
// sends is refused; so are, not handled: IPv4 fragments and source routes, IPv6 Routing and Fragment
// headers (see parse()), UFO (gso_type 3), tunnels (gso_type bits beyond ECN).
import { csum, csumFinish, ipv4Checksum, pseudoSum, be16, be32, put16, put32 } from "./ip";
import { SLOT_BUF, SLOT_CAP, SLOT_LEN, SLOT_OFF, SLOT_SIZE } from "./layout";
import { copySum, sum128 } from "./sum";

export const VNET_HDR_LEN: i32 = 10; // bytes of the virtio_net_hdr read (before num_buffers)
export const GSO_NO_ROOM: i32 = -1; // more segments than output slots, or a segment its slot can't hold
export const GSO_MALFORMED: i32 = -2;

const F_NEEDS_CSUM: u8 = 1;
const GSO_NONE: u32 = 0;
const GSO_TCPV4: u32 = 1;
const GSO_TCPV6: u32 = 4;
const GSO_UDP_L4: u32 = 5;
const GSO_ECN: u32 = 0x80;

const TCP_FIN: u8 = 0x01;
const TCP_PSH: u8 = 0x08;
const TCP_CWR: u8 = 0x80;

/** Whether [OFF, OFF + len) lies in the slot's buffer after `head` bytes of it, and the buffer in memory. */
function fits(slot: usize, len: u64, head: u64): bool {
  const buf = <u64>load<u32>(slot + SLOT_BUF), off = <u64>load<u32>(slot + SLOT_OFF);
  const end = buf + <u64>load<u32>(slot + SLOT_CAP);
  return off >= buf + head && off + len <= end && end <= (<u64>memory.size() << 16);
}

/**
 * Finishes the checksum of a packet that is not GSO (virtio 1.2 §5.1.6.2, Linux skb_checksum_help):
 * when NEEDS_CSUM is set, the ones' complement sum of the bytes from csum_start to the end of the
 * packet — the checksum field among them, which holds the pseudo-header's sum as the kernel left it
 * (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1) — is complemented and stored at csum_start + csum_offset;
 * 0 is stored as 0xffff (Linux's CSUM_MANGLED_0; RFC 768 requires it for UDP, and to TCP both are
 * zero). Then NEEDS_CSUM is cleared, so a second call changes nothing.
 * Returns 0, or GSO_MALFORMED (nothing written) when the checksum field is not within the packet or
 * not at an even distance from csum_start (its bytes would straddle two of the words summed).
 */
export function vnetFinish(slot: usize): i32 {
  const len = load<u32>(slot + SLOT_LEN);
  if (!fits(slot, len, VNET_HDR_LEN)) return GSO_MALFORMED;
  const v = <usize>load<u32>(slot + SLOT_BUF), p = <usize>load<u32>(slot + SLOT_OFF);
  const flags = load<u8>(v);
  if (!(flags & F_NEEDS_CSUM)) return 0;
  const start = <u32>load<u16>(v + 6), at = start + <u32>load<u16>(v + 8);
  if ((at - start) & 1 || at + 2 > len) return GSO_MALFORMED;
  const c = csumFinish(sum128(p + start, len - start, 0));
  store<u16>(p + at, c ? c : 0xffff);
  store<u8>(v, flags & ~F_NEEDS_CSUM);
  return 0;
}

// What parse() learns of a super-packet: offsets into it, and its L4 protocol. Globals belong to
// the instance (assembly/scratch.ts): per-instance state, set and used within one gsoSplit call.
let l3len: usize = 0; // bytes before the TCP/UDP header: IPv4 with options, or IPv6 with extensions
let hdrs: usize = 0; // bytes of headers copied into every segment: l3len + the TCP/UDP header
let proto: u32 = 0;

/**
 * Reads the headers of the super-packet [p, p + len): IPv4 (RFC 791) or IPv6 (RFC 8200), then TCP
 * (RFC 9293) or UDP (RFC 768). Refuses what the kernel does not send as GSO, or what this cannot
 * checksum from the packet alone: fragments; IPv4 source routes, and IPv6 Routing headers, which
 * would put the final destination in the pseudo-header instead of the header's (RFC 8200 §8.1);
 * lengths in the IP header that disagree with the read.
 */
function parse(p: usize, len: usize, v4: bool): bool {
  if (v4) {
    if (len < 20 || load<u8>(p) >> 4 != 4) return false;
    l3len = <usize>(load<u8>(p) & 15) << 2;
    if (l3len < 20 || l3len > len || <usize>be16(p + 2) != len || (be16(p + 6) & 0x3fff) != 0) return false;
    proto = load<u8>(p + 9);
    // Options (RFC 791 §3.1): type, then length and data except for End (0) and No-op (1).
    for (let o: usize = 20; o < l3len;) {
      const t = load<u8>(p + o);
      if (t == 0) break;
      if (t == 1) {
        o++;
        continue;
      }
      if (o + 2 > l3len) return false;
      const n = <usize>load<u8>(p + o + 1);
      if (n < 2 || o + n > l3len || t == 131 || t == 137) return false; // LSRR, SSRR
      o += n;
    }
  } else {
    if (len < 40 || load<u8>(p) >> 4 != 6 || <usize>40 + <usize>be16(p + 4) != len) return false;
    proto = load<u8>(p + 6);
    l3len = 40;
    // Hop-by-Hop (0, first only) and Destination Options (60) headers: copied into every segment,
    // as Linux does. Anything else before TCP/UDP is refused below.
    let first = true;
    while (proto == 60 || (proto == 0 && first)) {
      if (l3len + 8 > len) return false;
      const n = (<usize>load<u8>(p + l3len + 1) + 1) << 3;
      if (l3len + n > len) return false;
      proto = load<u8>(p + l3len);
      l3len += n;
      first = false;
    }
  }
  if (proto == 6) {
    if (l3len + 20 > len) return false;
    const thl = <usize>(load<u8>(p + l3len + 12) >> 4) << 2;
    if (thl < 20 || l3len + thl > len) return false;
    hdrs = l3len + thl;
  } else if (proto == 17) {
    if (l3len + 8 > len) return false;
    hdrs = l3len + 8;
  } else {
    return false;
  }
  return true;
}

/**
 * Splits the super-packet of the input slot into the outMax output slots at `out`, whose BUF, CAP
 * and OFF the host has filled: each segment is copied to its slot's OFF and its length set in LEN.
 * Returns the number of segments (1 or more); 0 when the packet is not GSO — then its checksum is
 * finished in place (vnetFinish) and the input slot is to be used as it is; GSO_NO_ROOM (nothing
 * useful written) when there are more than outMax segments or a slot is too small for its segment
 * or overlaps the input; GSO_MALFORMED (nothing written) for an input the kernel would not send.
 *
 * Each segment is the headers of the super-packet followed by the next gso_size bytes of its
 * payload (the last one shorter), with:
 *  - IPv4 (RFC 791; inet_gso_segment): total length; identification = the super-packet's + i (mod
 *    2^16) for segment i — the kernel reserves one ID per segment, and a TUN device, lacking
 *    NETIF_F_TSO_MANGLEID, never gets a fixed-ID (SKB_GSO_TCP_FIXEDID) super-packet: those are
 *    segmented before they reach it; the header checksum. Applies to UDP_L4 as well.
 *  - IPv6 (RFC 8200 §3; ipv6_gso_segment): payload length (extension headers included).
 *  - TCP (RFC 9293 §3.1; tcp_gso_segment): sequence number + i × gso_size; FIN and PSH kept on the
 *    last segment only, CWR on the first only (RFC 3168 §6.1.2; the ECN bit of gso_type only says
 *    CWR may be set); all other fields copied; the checksum over the pseudo-header and the segment.
 *  - UDP (RFC 768; __udp_gso_segment): length, and the checksum over the pseudo-header and the
 *    datagram, 0xffff when it comes to 0.
 * The checksums are computed from the bytes, not derived from the pseudo-header sum the kernel
 * leaves in the checksum field (whose length convention differs between senders); csum_start and
 * csum_offset, when NEEDS_CSUM is set, must point at the TCP/UDP checksum field. A super-packet
 * whose payload fits in one segment gives that one segment (Linux's GSO refuses it; the kernel does
 * not send one); one with no payload is refused.
 */
export function gsoSplit(input: usize, out: usize, outMax: u32): i32 {
  const len = <usize>load<u32>(input + SLOT_LEN);
  if (!fits(input, len, VNET_HDR_LEN)) return GSO_MALFORMED;
  const v = <usize>load<u32>(input + SLOT_BUF), p = <usize>load<u32>(input + SLOT_OFF);
  const type = <u32>load<u8>(v + 1);
  if (type == GSO_NONE) return vnetFinish(input);
  const kind = type & ~GSO_ECN;
  const tcp = kind == GSO_TCPV4 || kind == GSO_TCPV6;
  if (!tcp && (kind != GSO_UDP_L4 || type & GSO_ECN)) return GSO_MALFORMED;
  const gso = <usize>load<u16>(v + 4);
  if (gso == 0 || <usize>load<u16>(v + 2) > len || len < 1) return GSO_MALFORMED;
  const v4 = kind == GSO_TCPV4 || (kind == GSO_UDP_L4 && load<u8>(p) >> 4 == 4);
  if (!parse(p, len, v4) || proto != (tcp ? 6 : 17)) return GSO_MALFORMED;
  const csumAt: usize = tcp ? 16 : 6; // the checksum field, in the TCP / UDP header
  if (load<u8>(v) & F_NEEDS_CSUM && (<usize>load<u16>(v + 6) != l3len || <usize>load<u16>(v + 8) != csumAt)) {
    return GSO_MALFORMED;
  }
  const payload = len - hdrs;
  if (payload == 0) return GSO_MALFORMED;
  const n = (payload + gso - 1) / gso;
  if (n > <usize>outMax) return GSO_NO_ROOM;

  // Every segment's slot must hold it, away from the input, before anything is written.
  const inStart = <u64>v, inEnd = <u64>p + <u64>len;
  for (let i: usize = 0; i < n; i++) {
    const o = out + i * SLOT_SIZE;
    const seg = <u64>(hdrs + min(gso, payload - i * gso));
    const d = <u64>load<u32>(o + SLOT_OFF);
    if (!fits(o, seg, 0) || (d < inEnd && d + seg > inStart)) return GSO_NO_ROOM;
  }

  const l4 = l3len, thl = hdrs - l3len;
  const id = be16(p + 4), seq = tcp ? be32(p + l4 + 4) : 0;
  const src = v4 ? 12 : 8, dst = v4 ? 16 : 24;
  for (let i: usize = 0; i < n; i++) {
    const o = out + i * SLOT_SIZE;
    const d = <usize>load<u32>(o + SLOT_OFF);
    const chunk = min(gso, payload - i * gso), seg = hdrs + chunk;
    memory.copy(d, p, hdrs);
    if (v4) {
      put16(d + 2, <u32>seg);
      put16(d + 4, id + <u32>i);
      ipv4Checksum(d, l3len);
    } else {
      put16(d + 4, <u32>(seg - 40));
    }
    const t = d + l4;
    if (tcp) {
      put32(t + 4, seq + <u32>(i * gso));
      let flags = load<u8>(t + 13);
      if (i + 1 < n) flags &= ~(TCP_FIN | TCP_PSH);
      if (i > 0) flags &= ~TCP_CWR;
      store<u8>(t + 13, flags);
    } else {
      put16(t + 4, <u32>(seg - l4));
    }
    store<u16>(t + csumAt, 0);
    let s = pseudoSum(v4 ? 4 : 6, d + src, d + dst, proto, <u32>(seg - l4));
    s = copySum(d + hdrs, p + hdrs + i * gso, chunk, csum(t, thl, s));
    const c = csumFinish(s);
    store<u16>(t + csumAt, c == 0 && !tcp ? 0xffff : c);
    store<u32>(o + SLOT_LEN, <u32>seg);
  }
  return <i32>n;
}
