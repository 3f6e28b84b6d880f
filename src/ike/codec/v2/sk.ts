// Sealing and opening the Encrypted payload SK (RFC 7296 §3.14) and Encrypted Fragment payloads SKF
// (RFC 7383 §2.5), with classic ciphers (encrypt, then HMAC over the whole message) and AEADs
// (RFC 5282 §5: AAD = the IKE header through the end of the SK / SKF payload header — for SKF
// including Fragment Number and Total Fragments, RFC 7383 §2.5).
//
// Plaintext = inner payloads | Padding | Pad Length (§3.14). We pad with zeros, to the block for
// CBC and not at all for AEADs (RFC 5282 §3 needs no alignment). On receipt the padding's content
// is ignored (§3.14: it "MAY contain any value"); only that Pad Length fits is checked.
//
// Opening: the ICV is checked first, in constant time (HMAC over header .. ciphertext, §3.14), and
// only then decrypted; for AEADs node:crypto releases nothing until final() verified the tag. A bad
// ICV or tag gives null (§2.21.2: drop silently); framing errors throw DecodeError (INVALID_SYNTAX).
//
// Fragmentation (RFC 7383 §2.5): with opts.fragmentSize, a message that would be larger is split
// into SKF messages of at most fragmentSize bytes each (the IKE message, not the UDP datagram: on
// port 4500 the non-ESP marker adds 4). The inner payload bytes are cut at arbitrary points; each
// fragment is encrypted and authenticated on its own; fragment 1 names the first inner payload.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { random } from '../../crypto/bytes.js';
import { equalConstantTime, u8 } from '../../crypto/bytes.js';
import { prf } from '../../crypto/prf.js';
import { PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import { header, HEADER_BYTES, VERSION_2_0, type Header } from './header.js';
import type { HeaderFields } from './message.js';
import { decodeMessage } from './message.js';
import { decodePayloads, encodePayloads, GENERIC_HEADER_BYTES, type Payload } from './payload.js';
import { SKF_HEADER, type SkfPayload, type SkPayload } from './encrypted.js';
import { put16 } from './wire.js';
import { suiteOf, type AeadSuite, type SkKeys, type Suite } from './sk-suite.js';

export type { SkKeys } from './sk-suite.js';

export interface SealOptions {
  /** RFC 7383: emit SKF fragments of at most this many bytes if the message would be larger. */
  fragmentSize?: number;
}

export interface Opened {
  header: Header;
  innerFirst: number;
  /** The inner payload bytes, padding removed: decodePayloads(innerFirst, plain). */
  plain: Uint8Array;
}

export interface OpenedFragment extends Opened {
  fragmentNumber: number;
  totalFragments: number;
}

const MAX_FRAGMENTS = 0xffff;

const nonceOf = (s: AeadSuite, iv: Uint8Array): Buffer => Buffer.concat([s.salt, iv]);

// node:crypto's typings split GCM / CCM / ChaCha20-Poly1305 by literal names; one cast covers all three.
const aeadEncrypt = (s: AeadSuite, iv: Uint8Array) => createCipheriv(s.cipher as 'aes-128-gcm', s.key, nonceOf(s, iv), { authTagLength: s.icv });
const aeadDecrypt = (s: AeadSuite, iv: Uint8Array) => createDecipheriv(s.cipher as 'aes-128-gcm', s.key, nonceOf(s, iv), { authTagLength: s.icv });

/** Bytes of padding so that plain + padding + Pad Length fills whole blocks (none for AEADs). */
const padFor = (s: Suite, n: number): number => (s.block - ((n + 1) % s.block)) % s.block;

/**
 * One SK (fragment undefined) or SKF message: header, generic header, [fragment fields], IV,
 * ciphertext of plain | padding | pad length, ICV.
 */
function sealOne(h: HeaderFields, s: Suite, next: number, plain: Uint8Array, fragment?: { num: number; total: number }): Uint8Array {
  const pad = padFor(s, plain.length);
  const encLen = plain.length + pad + 1;
  const aadEnd = HEADER_BYTES + GENERIC_HEADER_BYTES + (fragment ? SKF_HEADER : 0);
  const length = aadEnd + s.iv + encLen + s.icv;
  if (length > 0xffff + HEADER_BYTES) throw new RangeError(`encrypted payload of ${length - HEADER_BYTES} bytes is too long`);
  const out = new Uint8Array(length);
  header.encode({ ...h, version: VERSION_2_0, nextPayload: fragment ? PAYLOAD.SKF : PAYLOAD.SK, length }, out);
  out[HEADER_BYTES] = next;
  put16(out, HEADER_BYTES + 2, length - HEADER_BYTES);
  if (fragment) {
    put16(out, HEADER_BYTES + 4, fragment.num);
    put16(out, HEADER_BYTES + 6, fragment.total);
  }
  const iv = random(s.iv);
  out.set(iv, aadEnd);
  const clear = new Uint8Array(encLen);
  clear.set(plain);
  clear[encLen - 1] = pad;
  const ctAt = aadEnd + s.iv;
  if (s.aead) {
    const c = aeadEncrypt(s, iv);
    c.setAAD(out.subarray(0, aadEnd), { plaintextLength: encLen });
    const ct = Buffer.concat([c.update(clear), c.final()]);
    out.set(ct, ctAt);
    out.set(c.getAuthTag(), ctAt + encLen);
  } else {
    const c = createCipheriv(s.cipher, s.key, iv).setAutoPadding(false);
    out.set(Buffer.concat([c.update(clear), c.final()]), ctAt);
    out.set(prf(s.hash, s.ka, out.subarray(0, length - s.icv)).subarray(0, s.icv), length - s.icv);
  }
  clear.fill(0);
  return out;
}

/** How many inner bytes fit into one fragment of `size` bytes. */
function fragmentCapacity(s: Suite, size: number): number {
  const avail = size - HEADER_BYTES - GENERIC_HEADER_BYTES - SKF_HEADER - s.iv - s.icv;
  return Math.floor(avail / s.block) * s.block - 1;
}

/** The message with `inner` in an SK payload — or, with opts.fragmentSize and too long for it, the SKF fragments. */
export function sealMessage(h: HeaderFields, inner: Payload[], keys: SkKeys, opts: SealOptions = {}): Uint8Array[] {
  const s = suiteOf(keys);
  const plain = encodePayloads(inner);
  const innerFirst = inner.length ? inner[0].type : PAYLOAD.NONE;
  try {
    const whole = sealOne(h, s, innerFirst, plain);
    const size = opts.fragmentSize;
    if (size === undefined || whole.length <= size) return [whole];
    const cap = fragmentCapacity(s, size);
    if (cap < 1) throw new RangeError(`fragment size ${size} leaves no room for content`);
    const total = Math.ceil(plain.length / cap);
    if (total > MAX_FRAGMENTS) throw new RangeError(`${total} fragments (at most ${MAX_FRAGMENTS})`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < total; i++) {
      out.push(sealOne(h, s, i === 0 ? innerFirst : PAYLOAD.NONE, plain.subarray(i * cap, (i + 1) * cap), { num: i + 1, total }));
    }
    return out;
  } finally {
    plain.fill(0);
  }
}

/** Checks and removes Pad Length and padding (§3.14). */
function unpad(clear: Uint8Array, what: string): Uint8Array {
  if (clear.length < 1) throw new DecodeError(`${what}: no Pad Length`);
  const pad = clear[clear.length - 1];
  if (pad + 1 > clear.length) throw new DecodeError(`${what}: Pad Length ${pad} with ${clear.length} bytes decrypted`);
  return clear.subarray(0, clear.length - 1 - pad);
}

/** Verifies and decrypts the encrypted part data = IV | ciphertext | ICV; aadEnd is where the IV starts in `message`. */
function open(message: Uint8Array, aadEnd: number, s: Suite, what: string): Uint8Array | null {
  const data = message.subarray(aadEnd);
  const ctLen = data.length - s.iv - s.icv;
  if (ctLen < 1 || ctLen % s.block !== 0) {
    throw new DecodeError(`${what}: ${data.length} bytes don't hold an IV of ${s.iv}, whole blocks of ${s.block} and an ICV of ${s.icv}`);
  }
  const iv = data.subarray(0, s.iv), ct = data.subarray(s.iv, s.iv + ctLen), icv = data.subarray(s.iv + ctLen);
  let clear: Uint8Array;
  if (s.aead) {
    const d = aeadDecrypt(s, iv);
    d.setAuthTag(icv);
    d.setAAD(message.subarray(0, aadEnd), { plaintextLength: ctLen });
    const first = d.update(ct);
    try {
      clear = u8(Buffer.concat([first, d.final()]));
    } catch {
      first.fill(0);
      return null;
    }
  } else {
    const mac = prf(s.hash, s.ka, message.subarray(0, message.length - s.icv)).subarray(0, s.icv);
    if (!equalConstantTime(mac, icv)) return null;
    const d = createDecipheriv(s.cipher, s.key, iv).setAutoPadding(false);
    clear = u8(Buffer.concat([d.update(ct), d.final()]));
  }
  return unpad(clear, what);
}

/** Frames the message, finds its last payload (which must be `type`) and where its encrypted part starts. */
function frame(message: Uint8Array, type: typeof PAYLOAD.SK | typeof PAYLOAD.SKF) {
  const { header: h, body } = decodeMessage(message);
  const ds = decodePayloads(h.nextPayload, body);
  const last = ds[ds.length - 1];
  if (!last || last.payload.type !== type) {
    throw new DecodeError(`no ${type === PAYLOAD.SK ? 'SK' : 'SKF'} payload (first payload ${h.nextPayload})`);
  }
  const at = last.raw.byteOffset - message.byteOffset;
  return { header: h, payload: last.payload as SkPayload | SkfPayload, aadEnd: at + GENERIC_HEADER_BYTES + (type === PAYLOAD.SKF ? SKF_HEADER : 0) };
}

/** Verifies and decrypts a message whose last payload is SK. null: the ICV / tag is wrong. */
export function openMessage(message: Uint8Array, keys: SkKeys): Opened | null {
  const s = suiteOf(keys);
  const f = frame(message, PAYLOAD.SK);
  const plain = open(message, f.aadEnd, s, 'SK payload');
  return plain && { header: f.header, innerFirst: f.payload.innerFirst, plain };
}

/** Verifies and decrypts one SKF fragment (RFC 7383 §2.6). null: the ICV / tag is wrong. */
export function openFragment(message: Uint8Array, keys: SkKeys): OpenedFragment | null {
  const s = suiteOf(keys);
  const f = frame(message, PAYLOAD.SKF);
  const p = f.payload as SkfPayload;
  // RFC 7383 §2.5: Next Payload is 0 after the first fragment; Reassembly takes fragment 1's only.
  const plain = open(message, f.aadEnd, s, `SKF fragment ${p.fragmentNumber}/${p.totalFragments}`);
  return plain && { header: f.header, fragmentNumber: p.fragmentNumber, totalFragments: p.totalFragments, innerFirst: p.innerFirst, plain };
}
