// TUN offloads, the other way (the reverse of gso.ts): decapsulated TCP segments of one flow are
// joined into a GSO super-packet before they are written to the TUN device, so that the kernel
// handles one 64 KB packet instead of forty-odd 1400-byte ones — what Linux's GRO does on a NIC's
// receive path (dev_gro_receive, inet_gro_receive / ipv6_gro_receive, tcp_gro_receive) and what
// wireguard-go does in front of its TUN device. The kernel takes such a packet from a vnet TUN
// (virtio_net_hdr_to_skb) as a CHECKSUM_PARTIAL GSO skb, as if GRO had built it: delivered locally
// as one skb, or segmented again by software GSO / TSO when forwarded.
//
// groCoalesce reads n input slots (packets with their checksums done, at [OFF, OFF + LEN)) and
// writes output slots, each with a 12-byte virtio_net_hdr_v1 at BUF (virtio 1.2 §5.1.6; the
// layout of gso.ts, little-endian, num_buffers 0) and one packet at OFF:
//  - a packet copied as it is, with a header of zeros (flags 0, GSO_NONE): anything that is not
//    a TCP segment Linux would coalesce, and a segment that found no other to join;
//  - a TCP super-packet of 2..64 consecutive segments of one flow: the first segment's headers,
//    then the payloads in order; IPv4 total length and header checksum, or IPv6 payload length,
//    for the whole; PSH if the last segment had it (tcp_gro_receive: `tcp_flag_word(th2) |= flags
//    & (TCP_FLAG_FIN | TCP_FLAG_PSH)`); the TCP checksum field holding the folded pseudo-header
//    sum over the super-packet's TCP length, not complemented — what tcp4_gro_complete /
//    tcp6_gro_complete leave for CHECKSUM_PARTIAL (`th->check = ~tcp_v4_check(len, s, d, 0)`),
//    which tcp_gso_segment adjusts per segment; header: flags NEEDS_CSUM, gso_type TCPV4 (1) or
//    TCPV6 (4), hdr_len = IP + TCP header bytes, gso_size = the first segment's payload size,
//    csum_start = the IP header length, csum_offset = 16.
// gsoSplit (gso.ts) cuts such a super-packet back into the original segments, byte for byte (IPv4
// IDs included, unless the flow used one fixed ID — see canAppend).
//
// Which segments join (the conditions of Linux 6.18's GRO, include/net/gro.h and
// net/ipv4/tcp_offload.c; where this is stricter, it says so):
//  - same flow: version, addresses, protocol TCP, ports (inet_gro_receive's same_flow test,
//    ipv6_gro_receive's, tcp_gro_lookup's);
//  - IPv4: a 20-byte header (`*(u8 *)iph != 0x45` → not coalesced), not a fragment and no reserved
//    bit (`id & ~IP_DF` flushes), a valid header checksum (ip_fast_csum), total length = the
//    packet's; same TOS, TTL and DF (inet_gro_flush); ID = the first segment's + the number of
//    segments so far, or — with DF, decided at the second segment — the same ID throughout
//    (inet_gro_flush's ip_fixedid; Linux 6.18 no longer asks for DF there, this does: RFC 6864
//    §4.1 lets only atomic datagrams' IDs be rewritten, which the kernel's GSO will do);
//  - IPv6: next header TCP (extension headers: not coalesced, stricter than ipv6_gro_receive),
//    payload length = the packet's; same traffic class and hop limit (ipv6_gro_flush) and flow
//    label (ipv6_gro_receive's same_flow);
//  - TCP: sequence number = the previous one + its payload length; same ACK number, data offset,
//    flags and window (the flag word, PSH aside), same options bytes (tcp_gro_receive); same
//    urgent pointer (stricter: GSO copies the first segment's to all); a valid checksum
//    (tcp4_gro_receive / tcp6_gro_receive validate it before merging; it is summed while copying);
//    flags ACK, or ACK|PSH on a segment that then ends the super-packet. Anything else (SYN, FIN,
//    RST, URG, ECE, CWR, the reserved / AE bits; stricter than Linux for FIN and ECE) ends the
//    flow's super-packet and goes out alone, as does a segment without payload (`(len - 1) >= mss`);
//  - every payload gso_size bytes (the first segment's), the last one possibly shorter, which
//    ends the super-packet (`flush = len < mss`); at most 64 segments; the whole at most 65535
//    bytes (skb_gro_receive: `p->len + len >= gro_max_size` with the legacy 64 KB limit).
//
// Order: segments of a flow keep their order, and every packet of a flow is written after those
// that came before it (a packet that stops a super-packet goes after it). Packets of different
// flows may change order among themselves, as with GRO. A flow's output slot is taken when its
// first segment comes, so the output keeps the order of the flows' first packets.
//
// O(n): one pass over the slots and one over the batch; a flow is found in a direct-mapped table
// of GRO_FLOWS entries in the instance's scratch (GRO_AT); two flows that hash alike take turns
// (the one in the table is closed), which only costs coalescing. Every byte of the payloads is
// copied and summed once (copySum).
import { GRO_AT, scratch } from "../scratch";
import { be16, be32, csum, csumFinish, ipv4Checksum, pseudoSum, put16 } from "./ip";
import { SLOT_BUF, SLOT_CAP, SLOT_LEN, SLOT_OFF, SLOT_SIZE, SLOT_VERDICT, VERDICT_SEND } from "./layout";
import { copySum } from "./sum";

export const GRO_VNET_LEN: i32 = 12; // the virtio_net_hdr_v1 written at each output slot's BUF
export const GRO_NO_ROOM: i32 = -1; // too few output slots, one too small, or one overlapping the input
export const GRO_MALFORMED: i32 = -2; // an input slot's packet lies outside its buffer or memory
export const GRO_MAX_SEGS: u32 = 64;
export const GRO_MAX_LEN: u32 = 65535;

// The flow table: GRO_FLOWS entries of FLOW_BYTES. An open entry is a super-packet being built
// in output slot F_SLOT; its flow (addresses, ports) is read from the headers there.
const GRO_FLOWS: u32 = 16;
const FLOW_BYTES: usize = 32;
export const GRO_TABLE_SIZE: i32 = <i32>(GRO_FLOWS * <u32>FLOW_BYTES); // bytes at GRO_AT
const F_OPEN: usize = 0; // u8: 1 = open
const F_FAMILY: usize = 1; // u8: 4 | 6
const F_FIXED_ID: usize = 2; // u8: IPv4: 1 = every segment has the first one's ID
const F_PSH: usize = 3; // u8: the last segment had PSH
const F_SLOT: usize = 4; // u32: output slot index
const F_COUNT: usize = 8; // u32: segments so far
const F_MSS: usize = 12; // u32: payload bytes of the first segment (gso_size)
const F_NEXT: usize = 16; // u32: the sequence number the next segment must have
const F_LEN: usize = 20; // u32: bytes of the super-packet so far
const F_HDRS: usize = 24; // u32: IP + TCP header bytes
const F_L3: usize = 28; // u32: IP header bytes (20 | 40)

const VNET_NEEDS_CSUM: u8 = 1;
const GSO_TCPV4: u8 = 1;
const GSO_TCPV6: u8 = 4;
const TCP_PSH: u8 = 0x08;
const TCP_ACK: u8 = 0x10;
const IP_DF: u32 = 0x4000;

// Per call (globals belong to the instance, like scratch).
let outBase: usize = 0; // the output slot table
let outMax: u32 = 0;
let used: u32 = 0; // output slots written
let inLo: u64 = 0; // the span of the input packets, which no output buffer may overlap
let inHi: u64 = 0;
// What tcpCandidate() learned of the packet at hand.
let fam: u32 = 0;
let l3: usize = 0;
let hdrs: usize = 0;

// @ts-ignore: decorator
@inline function table(): usize {
  return scratch() + GRO_AT;
}

// @ts-ignore: decorator
@inline function srcAt(v4: bool): usize {
  return v4 ? 12 : 8;
}

// @ts-ignore: decorator
@inline function dstAt(v4: bool): usize {
  return v4 ? 16 : 24;
}

/**
 * Whether [p, p + len) is a TCP segment GRO would look at (see the list above): IPv4 with a
 * 20-byte header, not a fragment, a valid header checksum and the right total length; or IPv6
 * with TCP right after the fixed header and the right payload length; a TCP header that fits.
 * Sets fam, l3 and hdrs. Flags, payload and the TCP checksum are looked at by the caller.
 */
function tcpCandidate(p: usize, len: usize): bool {
  if (len < 40) return false;
  const version = load<u8>(p) >> 4;
  if (version == 4) {
    if (load<u8>(p) != 0x45 || load<u8>(p + 9) != 6 || <usize>be16(p + 2) != len) return false;
    if ((be16(p + 6) & ~IP_DF) != 0 || csumFinish(csum(p, 20, 0)) != 0) return false;
    fam = 4;
    l3 = 20;
  } else if (version == 6) {
    if (len < 60 || load<u8>(p + 6) != 6 || <usize>40 + <usize>be16(p + 4) != len) return false;
    fam = 6;
    l3 = 40;
  } else {
    return false;
  }
  const thl = <usize>(load<u8>(p + l3 + 12) >> 4) << 2;
  if (thl < 20 || l3 + thl > len) return false;
  hdrs = l3 + thl;
  return true;
}

/** The table entry of the flow of the candidate p (fam, l3 set): a hash of addresses and ports. */
function bucket(p: usize): usize {
  let h: u32;
  if (fam == 4) {
    h = load<u32>(p + 12) ^ rotl<u32>(load<u32>(p + 16), 11);
  } else {
    h = load<u32>(p + 8) ^ rotl<u32>(load<u32>(p + 12), 3) ^ rotl<u32>(load<u32>(p + 16), 6) ^ rotl<u32>(load<u32>(p + 20), 9) ^
      rotl<u32>(load<u32>(p + 24), 12) ^ rotl<u32>(load<u32>(p + 28), 15) ^ rotl<u32>(load<u32>(p + 32), 18) ^ rotl<u32>(load<u32>(p + 36), 21);
  }
  h ^= rotl<u32>(load<u32>(p + l3), 17); // the ports
  h *= 0x9e3779b1; // Fibonacci hashing: the top bits depend on all the others
  return table() + <usize>(h >> 28) * FLOW_BYTES;
}

/** The packet of output slot i. */
// @ts-ignore: decorator
@inline function outPacket(i: u32): usize {
  return <usize>load<u32>(outBase + <usize>i * SLOT_SIZE + SLOT_OFF);
}

/** Whether the open entry e holds the flow of the candidate p: family, addresses, ports. */
function sameFlow(e: usize, p: usize): bool {
  if (!load<u8>(e + F_OPEN) || <u32>load<u8>(e + F_FAMILY) != fam) return false;
  const d = outPacket(load<u32>(e + F_SLOT));
  if (load<u32>(d + l3) != load<u32>(p + l3)) return false;
  if (fam == 4) return load<u64>(d + 12) == load<u64>(p + 12);
  return load<u64>(d + 8) == load<u64>(p + 8) && load<u64>(d + 16) == load<u64>(p + 16) &&
    load<u64>(d + 24) == load<u64>(p + 24) && load<u64>(d + 32) == load<u64>(p + 32);
}

/**
 * Takes the next output slot for a packet of len bytes: it must exist, hold the virtio header
 * before OFF and the packet after it within its buffer and memory, and not overlap the input.
 * Writes the header as zeros, LEN and VERDICT_SEND. Returns the packet's address, 0 if none.
 */
function take(len: usize): usize {
  if (used >= outMax) return 0;
  const o = outBase + <usize>used * SLOT_SIZE;
  const buf = <u64>load<u32>(o + SLOT_BUF), off = <u64>load<u32>(o + SLOT_OFF);
  const end = buf + <u64>load<u32>(o + SLOT_CAP);
  if (off < buf + <u64>GRO_VNET_LEN || off + <u64>len > end || end > (<u64>memory.size() << 16)) return 0;
  if (buf < inHi && end > inLo) return 0;
  memory.fill(<usize>buf, 0, GRO_VNET_LEN);
  store<u32>(o + SLOT_LEN, <u32>len);
  store<u32>(o + SLOT_VERDICT, VERDICT_SEND);
  used++;
  return <usize>off;
}

/** Copies [p, p + len) alone into the next output slot. False when there is none for it. */
function alone(p: usize, len: usize): bool {
  const d = take(len);
  if (!d) return false;
  memory.copy(d, p, len);
  return true;
}

/**
 * Ends the super-packet of entry e (nothing when it is not open). One segment stays as it was
 * copied, with a header of zeros. Two or more get their lengths, PSH, the partial checksum and
 * the GSO header (see the top of this file).
 */
function close(e: usize): void {
  if (!load<u8>(e + F_OPEN)) return;
  store<u8>(e + F_OPEN, 0);
  if (load<u32>(e + F_COUNT) < 2) return;
  const o = outBase + <usize>load<u32>(e + F_SLOT) * SLOT_SIZE;
  const v = <usize>load<u32>(o + SLOT_BUF), d = <usize>load<u32>(o + SLOT_OFF);
  const total = load<u32>(e + F_LEN), ihl = <usize>load<u32>(e + F_L3);
  const v4 = load<u8>(e + F_FAMILY) == 4;
  if (v4) {
    put16(d + 2, total);
    ipv4Checksum(d, 20);
  } else {
    put16(d + 4, total - 40);
  }
  const t = d + ihl;
  if (load<u8>(e + F_PSH)) store<u8>(t + 13, load<u8>(t + 13) | TCP_PSH);
  // ~csumFinish = the folded sum, not complemented (tcp4_gro_complete: ~tcp_v4_check(…)).
  store<u16>(t + 16, ~csumFinish(pseudoSum(v4 ? 4 : 6, d + srcAt(v4), d + dstAt(v4), 6, total - <u32>ihl)));
  store<u8>(v, VNET_NEEDS_CSUM);
  store<u8>(v + 1, v4 ? GSO_TCPV4 : GSO_TCPV6);
  store<u16>(v + 2, <u16>load<u32>(e + F_HDRS)); // hdr_len
  store<u16>(v + 4, <u16>load<u32>(e + F_MSS)); // gso_size
  store<u16>(v + 6, <u16>ihl); // csum_start
  store<u16>(v + 8, 16); // csum_offset: the TCP checksum
  store<u16>(v + 10, 0); // num_buffers
}

/** Closes every open flow between the addresses of p (any ports): for packets that may be TCP but are no candidates. */
function closeAddresses(p: usize, len: usize): void {
  if (len < 20) return;
  const version = load<u8>(p) >> 4;
  let v4 = false;
  if (version == 4) {
    if (load<u8>(p + 9) != 6) return; // not TCP (a fragment of TCP says 6 too)
    v4 = true;
  } else if (version == 6) {
    if (len < 40) return;
    const nh = load<u8>(p + 6);
    if (nh == 17 || nh == 58) return; // UDP, ICMPv6; other next headers may lead to TCP
  } else {
    return;
  }
  const alen: usize = v4 ? 8 : 32, from = srcAt(v4);
  for (let i: u32 = 0; i < GRO_FLOWS; i++) {
    const e = table() + <usize>i * FLOW_BYTES;
    if (!load<u8>(e + F_OPEN) || load<u8>(e + F_FAMILY) != (v4 ? 4 : 6)) continue;
    if (memory.compare(outPacket(load<u32>(e + F_SLOT)) + from, p + from, alen) == 0) close(e);
  }
}

/**
 * Appends the candidate p (len bytes, `payload` of them after the headers) to the open super-
 * packet of its flow in entry e, if every rule above allows it; then closes it when p ends it.
 * False (and the entry as it was) when p may not join.
 */
function append(e: usize, p: usize, len: usize, payload: usize): bool {
  const o = outBase + <usize>load<u32>(e + F_SLOT) * SLOT_SIZE;
  const d = <usize>load<u32>(o + SLOT_OFF);
  const count = load<u32>(e + F_COUNT), mss = <usize>load<u32>(e + F_MSS), total = <usize>load<u32>(e + F_LEN);
  if (count >= GRO_MAX_SEGS || payload > mss || <usize>load<u32>(e + F_HDRS) != hdrs) return false;
  // The room: the 64 KB limit, and the slot's buffer (checked when it was taken for less).
  const room = <usize>load<u32>(o + SLOT_BUF) + <usize>load<u32>(o + SLOT_CAP) - d;
  if (total + payload > <usize>GRO_MAX_LEN || total + payload > room) return false;
  let fixed = load<u8>(e + F_FIXED_ID);
  if (fam == 4) {
    // TOS, TTL and the fragment field (DF alone, both) equal: inet_gro_flush.
    if (load<u8>(p + 1) != load<u8>(d + 1) || load<u8>(p + 8) != load<u8>(d + 8) || load<u16>(p + 6) != load<u16>(d + 6)) return false;
    const id = be16(p + 4), first = be16(d + 4);
    if (count == 1 && (be16(p + 6) & IP_DF) != 0 && id == first) fixed = 1;
    if (fixed ? id != first : id != ((first + count) & 0xffff)) return false;
  } else {
    // Version, traffic class, flow label; hop limit (ipv6_gro_flush, ipv6_gro_receive).
    if (load<u32>(p) != load<u32>(d) || load<u8>(p + 7) != load<u8>(d + 7)) return false;
  }
  const t = p + l3, h = d + l3;
  if (be32(t + 4) != load<u32>(e + F_NEXT)) return false;
  if (load<u32>(t + 8) != load<u32>(h + 8)) return false; // ACK number
  // Data offset, flags, window: equal but for PSH (FIN never gets here).
  if (((load<u32>(t + 12) ^ load<u32>(h + 12)) & ~(<u32>TCP_PSH << 8)) != 0) return false;
  if (load<u16>(t + 18) != load<u16>(h + 18)) return false; // urgent pointer
  for (let i: usize = 20; i < hdrs - l3; i += 4) {
    if (load<u32>(t + i) != load<u32>(h + i)) return false; // options
  }
  // Copy the payload after what is there, summing it; keep it only if p's checksum is right
  // (the pseudo-header over p's own TCP length, its header with its checksum, the payload).
  const v4 = fam == 4;
  let s = pseudoSum(fam, p + srcAt(v4), p + dstAt(v4), 6, <u32>(len - l3));
  s = copySum(d + total, p + hdrs, payload, csum(t, hdrs - l3, s));
  if (csumFinish(s) != 0) return false;
  store<u8>(e + F_FIXED_ID, fixed);
  store<u32>(e + F_COUNT, count + 1);
  store<u32>(e + F_NEXT, load<u32>(e + F_NEXT) + <u32>payload);
  store<u32>(e + F_LEN, <u32>(total + payload));
  store<u32>(o + SLOT_LEN, <u32>(total + payload));
  const psh = load<u8>(t + 13) & TCP_PSH;
  if (psh || payload < mss || count + 1 >= GRO_MAX_SEGS) {
    store<u8>(e + F_PSH, psh);
    close(e);
  }
  return true;
}

/**
 * Copies the candidate p into the next output slot and, when it may start a super-packet (valid
 * checksum, no PSH), opens entry e for its flow. False when there is no slot for it.
 */
function start(e: usize, p: usize, len: usize, payload: usize): bool {
  const d = take(len);
  if (!d) return false;
  const v4 = fam == 4;
  memory.copy(d, p, l3);
  const s = copySum(d + l3, p + l3, len - l3, pseudoSum(fam, p + srcAt(v4), p + dstAt(v4), 6, <u32>(len - l3)));
  // A bad checksum or PSH (tcp_gro_receive's final flush) leaves it a packet of its own.
  if (csumFinish(s) != 0 || (load<u8>(p + l3 + 13) & TCP_PSH) != 0) return true;
  store<u8>(e + F_OPEN, 1);
  store<u8>(e + F_FAMILY, <u8>fam);
  store<u8>(e + F_FIXED_ID, 0);
  store<u8>(e + F_PSH, 0);
  store<u32>(e + F_SLOT, used - 1);
  store<u32>(e + F_COUNT, 1);
  store<u32>(e + F_MSS, <u32>payload);
  store<u32>(e + F_NEXT, be32(p + l3 + 4) + <u32>payload);
  store<u32>(e + F_LEN, <u32>len);
  store<u32>(e + F_HDRS, <u32>hdrs);
  store<u32>(e + F_L3, <u32>l3);
  return true;
}

/**
 * Coalesces the VERDICT_SEND packets among the n slots at `slots` into the outMax output slots
 * at `out`, whose BUF, CAP and OFF the host has filled (OFF at least GRO_VNET_LEN bytes after
 * BUF; each buffer apart from every input packet; CAP enough for 64 KB after OFF to make the
 * most of it). Each output slot written gets the virtio header at BUF, its packet at OFF, LEN,
 * and VERDICT = VERDICT_SEND. The input is only read.
 *
 * Returns the number of output slots written; GRO_NO_ROOM (-1) when they do not suffice (more
 * packets than slots, a slot too small for a packet or overlapping the input) — the output is
 * then of no use and the host writes the input as it is; GRO_MALFORMED (-2, nothing written)
 * when an input packet lies outside its slot's buffer or outside memory.
 */
export function groCoalesce(slots: usize, n: u32, out: usize, max: u32): i32 {
  const memEnd = <u64>memory.size() << 16;
  inLo = u64.MAX_VALUE;
  inHi = 0;
  for (let i: u32 = 0; i < n; i++) {
    const s = slots + <usize>i * SLOT_SIZE;
    if (load<u32>(s + SLOT_VERDICT) != VERDICT_SEND) continue;
    const buf = <u64>load<u32>(s + SLOT_BUF), off = <u64>load<u32>(s + SLOT_OFF);
    const end = off + <u64>load<u32>(s + SLOT_LEN);
    if (off < buf || end > buf + <u64>load<u32>(s + SLOT_CAP) || end > memEnd) return GRO_MALFORMED;
    if (off < inLo) inLo = off;
    if (end > inHi) inHi = end;
  }
  outBase = out;
  outMax = max;
  used = 0;
  memory.fill(table(), 0, GRO_TABLE_SIZE);

  for (let i: u32 = 0; i < n; i++) {
    const s = slots + <usize>i * SLOT_SIZE;
    if (load<u32>(s + SLOT_VERDICT) != VERDICT_SEND) continue;
    const p = <usize>load<u32>(s + SLOT_OFF), len = <usize>load<u32>(s + SLOT_LEN);
    if (!tcpCandidate(p, len)) {
      closeAddresses(p, len);
      if (!alone(p, len)) return GRO_NO_ROOM;
      continue;
    }
    const payload = len - hdrs;
    // ACK, maybe PSH; nothing else, not even the reserved / AE bits of byte 12.
    const mergeable = payload > 0 && (load<u8>(p + l3 + 12) & 15) == 0 && (load<u8>(p + l3 + 13) & ~TCP_PSH) == TCP_ACK;
    const e = bucket(p);
    if (sameFlow(e, p)) {
      if (mergeable && append(e, p, len, payload)) continue;
      close(e); // p stops it: whatever p is, it goes after it
    } else if (mergeable) {
      close(e); // another flow's, or none: p takes the entry
    }
    if (!(mergeable ? start(e, p, len, payload) : alone(p, len))) return GRO_NO_ROOM;
  }
  for (let i: u32 = 0; i < GRO_FLOWS; i++) close(table() + <usize>i * FLOW_BYTES);
  return <i32>used;
}
