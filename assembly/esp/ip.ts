// IPv4 (RFC 791) and IPv6 (RFC 8200) headers: parsing a packet into its flow (the selector fields
// of RFC 4301 §4.4.1.1), the Internet checksum (RFC 1071), and big-endian loads and stores.
// Every read is bounded by the packet length the host gave: a malformed packet is refused, never
// read past.
import { FLOW_AT, scratch } from "../scratch";

// The parsed packet ("flow"), in the instance's scratch.
export const FLOW_FAMILY: usize = 0; // u8: 4 | 6
export const FLOW_PROTO: usize = 1; // u8: upper-layer protocol (after IPv6 extension headers)
export const FLOW_OPAQUE: usize = 2; // u8: 1 = a non-first fragment: ports unknown (RFC 4301 §4.4.1.1)
export const FLOW_TOS: usize = 3; // u8: IPv4 TOS / IPv6 traffic class
export const FLOW_SPORT: usize = 4; // u16
export const FLOW_DPORT: usize = 6; // u16
export const FLOW_HDR: usize = 8; // u32: bytes before the upper-layer header (where transport-mode ESP goes)
export const FLOW_NH: usize = 12; // u32: offset of the byte naming the upper-layer protocol
export const FLOW_SRC: usize = 16; // 16 bytes
export const FLOW_DST: usize = 32; // 16 bytes
export const FLOW_LEN: usize = 48; // u32: the packet's length by its own header
export const FLOW_DF: usize = 52; // u8: IPv4 don't-fragment
export const FLOW_SIZE: i32 = 64;

// @ts-ignore: decorator
@inline export function flow(): usize {
  return scratch() + FLOW_AT;
}

// @ts-ignore: decorator
@inline export function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

// @ts-ignore: decorator
@inline export function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

// @ts-ignore: decorator
@inline export function put16(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}

// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}

/** The ones' complement sum of len bytes (RFC 1071), folded to 16 bits, added to `sum`. */
export function csum(p: usize, len: usize, sum: u64): u64 {
  // Sum 32-bit words in a 64-bit accumulator; byte order does not matter until the fold,
  // as long as the result is stored the same way it was read (RFC 1071 §2 (B)).
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) sum += <u64>load<u32>(p + i);
  if (i + 2 <= len) {
    sum += <u64>load<u16>(p + i);
    i += 2;
  }
  if (i < len) sum += <u64>load<u8>(p + i);
  return sum;
}

/** Folds a sum from csum() and complements it: the checksum, in memory byte order. */
export function csumFinish(sum: u64): u16 {
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffffffff) + (sum >> 32);
  let s = <u32>sum;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return <u16>~s;
}

/** Writes the IPv4 header checksum of the header at p (ihl bytes). */
export function ipv4Checksum(p: usize, ihl: usize): void {
  store<u16>(p + 10, 0);
  store<u16>(p + 10, csumFinish(csum(p, ihl, 0)));
}

/** The pseudo-header sum of an upper-layer checksum (RFC 768, RFC 8200 §8.1), in memory order. */
export function pseudoSum(family: u32, src: usize, dst: usize, proto: u32, len: u32): u64 {
  const alen: usize = family == 4 ? 4 : 16;
  let sum = csum(src, alen, 0);
  sum = csum(dst, alen, sum);
  // proto and length as big-endian 16-bit words, added in memory order.
  return sum + <u64>bswap<u16>(<u16>proto) + <u64>bswap<u16>(<u16>len) + <u64>bswap<u16>(<u16>(len >> 16));
}

/** Whether an IPv6 next-header value is an extension header to walk past (RFC 8200 §4). */
// @ts-ignore: decorator
@inline function isExtension(nh: u32): bool {
  return nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

/** Upper-layer protocols whose first four bytes are the two ports. */
// @ts-ignore: decorator
@inline function hasPorts(proto: u32): bool {
  return proto == 6 || proto == 17 || proto == 132 || proto == 136; // TCP, UDP, SCTP, UDP-Lite
}

/**
 * Parses the IP packet of `len` bytes at p into flow(). Returns false when it is not a
 * well-formed IPv4 or IPv6 packet (lengths are checked before anything is read).
 */
export function parseFlow(p: usize, len: usize): bool {
  const f = flow();
  if (len < 1) return false;
  const version = load<u8>(p) >> 4;
  let hdr: usize;
  let proto: u32;
  let total: usize;
  let opaque: u8 = 0;
  if (version == 4) {
    if (len < 20) return false;
    hdr = <usize>(load<u8>(p) & 15) << 2;
    total = be16(p + 2);
    if (hdr < 20 || total < hdr || total > len) return false;
    proto = load<u8>(p + 9);
    const frag = be16(p + 6);
    if ((frag & 0x1fff) != 0) opaque = 1;
    store<u8>(f + FLOW_FAMILY, 4);
    store<u8>(f + FLOW_TOS, load<u8>(p + 1));
    store<u8>(f + FLOW_DF, <u8>((frag >> 14) & 1));
    store<u32>(f + FLOW_NH, 9);
    memory.fill(f + FLOW_SRC, 0, 32);
    store<u32>(f + FLOW_SRC, load<u32>(p + 12));
    store<u32>(f + FLOW_DST, load<u32>(p + 16));
  } else if (version == 6) {
    if (len < 40) return false;
    total = 40 + <usize>be16(p + 4);
    if (total > len) return false;
    proto = load<u8>(p + 6);
    let nhAt: usize = 6;
    hdr = 40;
    // Walk the extension headers (RFC 8200 §4): each starts with next header and length.
    while (isExtension(proto)) {
      if (hdr + 8 > total) return false;
      const extLen: usize = proto == 44 ? 8 : (<usize>load<u8>(p + hdr + 1) + 1) << 3;
      if (proto == 44 && (be16(p + hdr + 2) & 0xfff8) != 0) opaque = 1; // not the first fragment
      if (hdr + extLen > total) return false;
      nhAt = hdr;
      proto = load<u8>(p + hdr);
      hdr += extLen;
    }
    store<u8>(f + FLOW_FAMILY, 6);
    store<u8>(f + FLOW_TOS, <u8>((be16(p) >> 4) & 0xff));
    store<u8>(f + FLOW_DF, 1);
    store<u32>(f + FLOW_NH, <u32>nhAt);
    memory.copy(f + FLOW_SRC, p + 8, 16);
    memory.copy(f + FLOW_DST, p + 24, 16);
  } else {
    return false;
  }
  store<u8>(f + FLOW_PROTO, <u8>proto);
  store<u8>(f + FLOW_OPAQUE, opaque);
  store<u32>(f + FLOW_HDR, <u32>hdr);
  store<u32>(f + FLOW_LEN, <u32>total);
  let sport: u32 = 0;
  let dport: u32 = 0;
  if (hasPorts(proto) && !opaque && hdr + 4 <= total) {
    sport = be16(p + hdr);
    dport = be16(p + hdr + 2);
  } else if ((proto == 1 || proto == 58) && !opaque && hdr + 2 <= total) {
    // ICMP / ICMPv6: type and code stand in for the ports (RFC 4301 §4.4.1.3).
    sport = load<u8>(p + hdr);
    dport = load<u8>(p + hdr + 1);
  }
  store<u16>(f + FLOW_SPORT, <u16>sport);
  store<u16>(f + FLOW_DPORT, <u16>dport);
  return true;
}
