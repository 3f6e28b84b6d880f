// Inbound processing (RFC 4301 §5.2; RFC 4303 §3.4; RFC 4302 §3.4), in place in the packet's slot:
// parse the outer header (and RFC 3948's UDP), find the SA by SPI, check the sequence number
// against the replay window, verify the ICV, only then slide the window, decrypt, check padding
// and next header, and finally check that the inner packet is one the SA may carry.
// Any failure is a drop with its reason; nothing is read outside the packet.
import { aesCbcDecrypt } from "../crypto/cbc";
import { chacha20Poly1305Open } from "../crypto/chacha20poly1305";
import { des3CbcDecrypt } from "../crypto/des";
import { gcmOpen } from "../crypto/gcm";
import { hmacVerify } from "../crypto/hmac";
import { AH_ICV_AT, scratch } from "../scratch";
import { aadLength, aeadAad, aeadNonce, esnHigh, esnHighLength } from "./aead";
import { ahMac } from "./encap";
import { FLOW_LEN, be16, be32, flow, ipv4Checksum, parseFlow, put16 } from "./ip";
import { fixTransportChecksum } from "./checksum";
import {
  CONTROL_IKE, DIR_IN, DROP_DUMMY, DROP_ICV, DROP_KEEPALIVE, DROP_MALFORMED, DROP_NO_SA,
  DROP_PADDING, DROP_POLICY, DROP_REPLAY, DROP_UNSUPPORTED, ENC_3DES_CBC, ENC_AES_CBC, ENC_AES_GCM,
  ENC_CHACHA20_POLY1305, FLAG_FIX_CHECKSUM, FLAG_PEER_MOVED, MODE_TUNNEL, SA_ACTIVE, SA_ALIGN,
  SA_BYTES, SA_CTX, SA_DIR, SA_ENC, SA_ENCAP, SA_ESN, SA_FLAGS, SA_ICV, SA_IV, SA_KEY, SA_MODE,
  SA_NSEL, SA_PACKETS, SA_PEER, SA_PEER_PORT, SA_REPLAY, SA_SEL, SA_SPORT, SA_SRC, SA_STATE,
  SA_USED, SA_WINDOW, SEL_SIZE, SLOT_LEN, SLOT_OFF, SLOT_SA,
} from "./layout";
import { esnInfer, replayCheck, replayUpdate } from "./replay";
import { macContext, saIndex, saLookup } from "./sad";
import { selectorMatches } from "./selector";

/** Returned by decapsulate() for packets that go to the control plane: CONTROL | CONTROL_*. */
export const CONTROL: u32 = 0x100;

// The outer packet, parsed by outer(): in module globals (per instance), like a small struct.
let l4: usize = 0; // the ESP / AH / UDP header
let end: usize = 0; // the end of the packet by its IP header
let proto: u32 = 0;
let v6: bool = false;
let ipHdr: usize = 0; // bytes of IP header before l4
let nhAt: usize = 0; // offset of the byte naming the protocol at l4

/** Parses the outer IP header. Returns 0 or a drop reason. */
function outer(p: usize, n: usize): u32 {
  if (n < 20) return DROP_MALFORMED;
  const version = load<u8>(p) >> 4;
  if (version == 4) {
    ipHdr = <usize>(load<u8>(p) & 15) << 2;
    const total = <usize>be16(p + 2);
    if (ipHdr < 20 || total < ipHdr || total > n) return DROP_MALFORMED;
    // The kernel hands raw and UDP sockets reassembled datagrams; a fragment here is not ours.
    if ((be16(p + 6) & 0x3fff) != 0) return DROP_UNSUPPORTED;
    proto = load<u8>(p + 9);
    nhAt = 9;
    end = p + total;
    v6 = false;
  } else if (version == 6) {
    if (n < 40) return DROP_MALFORMED;
    const total: usize = 40 + <usize>be16(p + 4);
    if (total > n) return DROP_MALFORMED;
    proto = load<u8>(p + 6);
    nhAt = 6;
    ipHdr = 40;
    // Hop-by-hop, routing and destination options may precede ESP / AH (RFC 4303 §3.1.1).
    while (proto == 0 || proto == 43 || proto == 60) {
      if (ipHdr + 8 > total) return DROP_MALFORMED;
      const extLen = (<usize>load<u8>(p + ipHdr + 1) + 1) << 3;
      if (ipHdr + extLen > total) return DROP_MALFORMED;
      nhAt = ipHdr;
      proto = load<u8>(p + ipHdr);
      ipHdr += extLen;
    }
    if (proto == 44) return DROP_UNSUPPORTED; // a fragment (see above)
    end = p + total;
    v6 = true;
  } else {
    return DROP_MALFORMED;
  }
  l4 = p + ipHdr;
  return 0;
}

/**
 * Processes the packet in slot. Returns 0 when the slot now holds the inner packet for the TUN
 * device, CONTROL | CONTROL_* for the control plane, else a DROP_* reason. *saOut gets the SA
 * that the drop counts against, if known.
 */
export function decapsulate(slot: usize, now: u64): u32 {
  const p = <usize>load<u32>(slot + SLOT_OFF);
  const n = <usize>load<u32>(slot + SLOT_LEN);
  store<u32>(slot + SLOT_SA, 0xffffffff);
  let r = outer(p, n);
  if (r) return r;
  let esp = l4;
  let udpSport: u32 = 0;
  const udp = proto == 17;
  if (udp) {
    // RFC 3948 §2: UDP port 4500 carries ESP, IKE behind a zero non-ESP marker, and keepalives.
    if (end - l4 < 8 || <usize>be16(l4 + 4) > end - l4 || be16(l4 + 4) < 8) return DROP_MALFORMED;
    end = l4 + <usize>be16(l4 + 4);
    udpSport = be16(l4);
    esp = l4 + 8;
    const len = end - esp;
    if (len == 1 && load<u8>(esp) == 0xff) return DROP_KEEPALIVE;
    if (len >= 4 && load<u32>(esp) == 0) return CONTROL | CONTROL_IKE;
  } else if (proto == 51) {
    return decapAh(slot, p, now);
  } else if (proto != 50) {
    return DROP_UNSUPPORTED;
  }
  if (end - esp < 8) return DROP_MALFORMED;
  const sa = saLookup(be32(esp), 50);
  if (!sa || load<u32>(sa + SA_STATE) != SA_ACTIVE || load<u8>(sa + SA_DIR) != DIR_IN) return DROP_NO_SA;
  store<u32>(slot + SLOT_SA, saIndex(sa));
  if ((load<u8>(sa + SA_ENCAP) != 0) != udp) return DROP_UNSUPPORTED;
  const ivLen = <usize>load<u8>(sa + SA_IV), icvLen = <usize>load<u8>(sa + SA_ICV);
  if (end - esp < 8 + ivLen + icvLen + 2) return DROP_MALFORMED;
  const ct = esp + 8 + ivLen;
  const ctLen = end - icvLen - ct;
  if (ctLen % <usize>load<u8>(sa + SA_ALIGN) != 0) return DROP_MALFORMED;
  // Replay check before the ICV check (§3.4.3).
  const esn = load<u8>(sa + SA_ESN) != 0;
  const window = load<u32>(sa + SA_WINDOW);
  const seq = esn ? esnInfer(sa + SA_REPLAY, window, be32(esp + 4)) : <u64>be32(esp + 4);
  if (!replayCheck(sa + SA_REPLAY, window, seq)) return DROP_REPLAY;
  if (!openPayload(sa, esp, ivLen, ct, ctLen, icvLen, seq)) return DROP_ICV;
  replayUpdate(sa + SA_REPLAY, seq); // only now: the packet is authentic
  notePeer(sa, p, udpSport);
  // Trailer (§2.4): pad length and next header; the padding must be 1, 2, 3, …
  const padLen = <usize>load<u8>(ct + ctLen - 2);
  const nextHeader = <u32>load<u8>(ct + ctLen - 1);
  if (padLen + 2 > ctLen) return DROP_PADDING;
  const dataLen = ctLen - 2 - padLen;
  for (let i: usize = 0; i < padLen; i++) if (load<u8>(ct + dataLen + i) != <u8>(i + 1)) return DROP_PADDING;
  if (nextHeader == 59) return DROP_DUMMY; // a TFC dummy packet (§2.6)
  r = deliver(slot, sa, p, ct, dataLen, nextHeader, udp);
  if (r) return r;
  account(sa, slot, now);
  return 0;
}

/** Verifies the ICV and decrypts in place (§3.4.4); false when the ICV does not verify. */
function openPayload(sa: usize, esp: usize, ivLen: usize, ct: usize, ctLen: usize, icvLen: usize, seq: u64): bool {
  const enc = load<u8>(sa + SA_ENC);
  if (enc == ENC_AES_GCM || enc == ENC_CHACHA20_POLY1305) {
    const nonce = aeadNonce(sa, esp), aad = aeadAad(sa, esp, seq), aadLen = aadLength(sa);
    return enc == ENC_AES_GCM
      ? gcmOpen(sa + SA_CTX, nonce, aad, aadLen, ct, ctLen, ct, <i32>icvLen) != 0
      : chacha20Poly1305Open(sa + SA_KEY, nonce, aad, aadLen, ct, ctLen, ct) != 0;
  }
  if (!hmacVerify(macContext(sa), esp, 8 + ivLen + ctLen, esnHigh(seq), esnHighLength(sa), ct + ctLen, icvLen)) return false;
  const iv = esp + 8;
  if (enc == ENC_AES_CBC) aesCbcDecrypt(sa + SA_CTX, iv, ct, ctLen, ct);
  else if (enc == ENC_3DES_CBC) des3CbcDecrypt(sa + SA_CTX, iv, ct, ctLen, ct);
  return true;
}

/**
 * An authenticated packet from another address (or port) than the SA's peer: a NAT mapping
 * changed or the peer roamed. Recorded for the control plane, which decides (RFC 4555, RFC 7296
 * §2.23); the SA keeps working meanwhile.
 */
function notePeer(sa: usize, p: usize, sport: u32): void {
  const alen: usize = v6 ? 16 : 4;
  const src = p + (v6 ? 8 : 12);
  if (memory.compare(src, sa + SA_SRC, alen) == 0 && (!sport || sport == <u32>load<u16>(sa + SA_SPORT))) return;
  memory.fill(sa + SA_PEER, 0, 16);
  memory.copy(sa + SA_PEER, src, alen);
  store<u16>(sa + SA_PEER_PORT, <u16>sport);
  store<u8>(sa + SA_FLAGS, load<u8>(sa + SA_FLAGS) | FLAG_PEER_MOVED);
}

/**
 * Puts the inner packet in the slot: in tunnel mode the decrypted IP packet (without TFC padding);
 * in transport mode the outer IP header moved up against the payload, with the protocol restored.
 */
function deliver(slot: usize, sa: usize, p: usize, data: usize, dataLen: usize, nextHeader: u32, udp: bool): u32 {
  let start = data, len = dataLen;
  if (load<u8>(sa + SA_MODE) == MODE_TUNNEL) {
    if (nextHeader != 4 && nextHeader != 41) return DROP_POLICY;
    if (!parseFlow(data, dataLen)) return DROP_MALFORMED;
    if ((nextHeader == 4) != (load<u8>(data) >> 4 == 4)) return DROP_MALFORMED;
    len = <usize>load<u32>(flow() + FLOW_LEN); // shorter than dataLen with TFC padding
  } else {
    start = data - ipHdr;
    memory.copy(start, p, ipHdr);
    len = ipHdr + dataLen;
    store<u8>(start + nhAt, <u8>nextHeader);
    if (v6) put16(start + 4, <u32>(len - 40));
    else {
      put16(start + 2, <u32>len);
      ipv4Checksum(start, ipHdr);
    }
    if (!parseFlow(start, len)) return DROP_MALFORMED;
    // Behind a NAT the upper layer's checksum covers addresses the NAT changed (RFC 3948 §3.1.2).
    if (udp && (load<u8>(sa + SA_FLAGS) & FLAG_FIX_CHECKSUM)) fixTransportChecksum(start, len);
  }
  if (!policyAllows(sa)) return DROP_POLICY;
  store<u32>(slot + SLOT_OFF, <u32>start);
  store<u32>(slot + SLOT_LEN, <u32>len);
  return 0;
}

/** RFC 4301 §5.2 step 4: the inner packet must match one of the SA's selectors. */
function policyAllows(sa: usize): bool {
  const count = load<u32>(sa + SA_NSEL);
  if (count == 0) return true; // an SA without selectors carries anything
  for (let i: u32 = 0; i < count; i++) {
    if (selectorMatches(sa + SA_SEL + <usize>i * <usize>SEL_SIZE, flow(), false)) return true;
  }
  return false;
}

function account(sa: usize, slot: usize, now: u64): void {
  store<u64>(sa + SA_PACKETS, load<u64>(sa + SA_PACKETS) + 1);
  store<u64>(sa + SA_BYTES, load<u64>(sa + SA_BYTES) + <u64>load<u32>(slot + SLOT_LEN));
  store<u64>(sa + SA_USED, now);
}

/** AH (RFC 4302 §3.4). */
function decapAh(slot: usize, p: usize, now: u64): u32 {
  const ah = l4;
  if (end - ah < 12) return DROP_MALFORMED;
  const ahLen = (<usize>load<u8>(ah + 1) + 2) << 2;
  if (ahLen > end - ah) return DROP_MALFORMED;
  const sa = saLookup(be32(ah + 4), 51);
  if (!sa || load<u32>(sa + SA_STATE) != SA_ACTIVE || load<u8>(sa + SA_DIR) != DIR_IN) return DROP_NO_SA;
  store<u32>(slot + SLOT_SA, saIndex(sa));
  const icvLen = <usize>load<u8>(sa + SA_ICV);
  const unit: usize = v6 ? 8 : 4;
  if (ahLen != ((12 + icvLen + unit - 1) & ~(unit - 1))) return DROP_MALFORMED;
  // The mutable fields we zero are those of a plain header (see encap.ts).
  if (ipHdr != (v6 ? 40 : 20)) return DROP_UNSUPPORTED;
  const esn = load<u8>(sa + SA_ESN) != 0;
  const window = load<u32>(sa + SA_WINDOW);
  const seq = esn ? esnInfer(sa + SA_REPLAY, window, be32(ah + 8)) : <u64>be32(ah + 8);
  if (!replayCheck(sa + SA_REPLAY, window, seq)) return DROP_REPLAY;
  // Keep the received ICV, zero the field, compute, compare without an early exit.
  const got = scratch() + AH_ICV_AT;
  memory.copy(got, ah + 12, icvLen);
  memory.fill(ah + 12, 0, icvLen);
  const want = ahMac(sa, p, end, v6, seq);
  let diff: u32 = 0;
  for (let i: usize = 0; i < icvLen; i++) diff |= <u32>(load<u8>(got + i) ^ load<u8>(want + i));
  memory.fill(got, 0, 32);
  if (diff != 0) return DROP_ICV;
  replayUpdate(sa + SA_REPLAY, seq);
  notePeer(sa, p, 0);
  const nextHeader = <u32>load<u8>(ah);
  const data = ah + ahLen;
  const r = deliver(slot, sa, p, data, end - data, nextHeader, false);
  if (r) return r;
  account(sa, slot, now);
  return 0;
}
