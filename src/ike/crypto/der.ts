// The little DER (X.690 §8, §10) the IKE crypto needs, instead of an ASN.1 library: walking a
// certificate's TBSCertificate (RFC 5280 §4.1) to the subject Name, the validity dates and the
// extensions, and building the few AlgorithmIdentifiers of RFC 7427. Strict where it matters:
// lengths must be definite and inside their parent, and high tag numbers are refused (X.509 never
// uses them).

export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface Tlv {
  /** The identifier octet: class, constructed bit and tag number (< 31). */
  tag: number;
  /** Offsets in the buffer: the TLV starts at `start`, its contents at `body`, and it ends at `end`. */
  start: number;
  body: number;
  end: number;
}

/** The TLV at `offset`, which must end by `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated DER at offset ${offset}`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high-tag-number form at offset ${offset}`);
  let len = buf[offset + 1];
  let body = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // n = 0 is the indefinite form (BER only); lengths above 2^32 make no sense here.
    if (n === 0 || n > 4) throw new DerError(`unsupported length form at offset ${offset}`);
    if (body + n > limit) throw new DerError(`truncated DER length at offset ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i];
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new DerError(`DER value at offset ${offset} runs past its container`);
  return { tag, start: offset, body, end };
}

/** The TLVs inside a constructed value, in order. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let o = parent.body; o < parent.end;) {
    const t = readTlv(buf, o, parent.end);
    out.push(t);
    o = t.end;
  }
  return out;
}

export const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31,
} as const;

/** Context-specific tag [n]: constructed (EXPLICIT, or IMPLICIT of a constructed type) or primitive. */
export const context = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

/** Dotted OID text of an OBJECT IDENTIFIER's contents (X.690 §8.19). */
export function oidText(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.body; i < t.end; i++) {
    v = v * 128 + (buf[i] & 0x7f);
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime or GeneralizedTime in the forms RFC 5280 §4.1.2.5 allows (Z, seconds, no fractions). */
export function time(buf: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(buf.subarray(t.body, t.end)).toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === TAG.UTC_TIME && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (t.tag === TAG.GENERALIZED_TIME && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError(`not an RFC 5280 time: '${s}'`);
}

// ---- Encoding ---------------------------------------------------------------------------------------

/** tag ‖ length ‖ contents, with the shortest definite length (X.690 §10.1). */
export function encode(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const n = contents.reduce((a, c) => a + c.length, 0);
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : undefined;
  if (!len) throw new DerError('DER value too long to encode here');
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const c of contents) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** An OBJECT IDENTIFIER from dotted text (X.690 §8.19). */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const v of values) {
    const seven: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) seven.unshift((x & 0x7f) | 0x80);
    bytes.push(...seven);
  }
  return encode(TAG.OID, Uint8Array.from(bytes));
}

/** A small non-negative INTEGER. */
export function integer(v: number): Uint8Array {
  const bytes: number[] = [];
  for (let x = v; ; x = Math.floor(x / 256)) {
    bytes.unshift(x & 0xff);
    if (x < 256) break;
  }
  if (bytes[0] & 0x80) bytes.unshift(0);
  return encode(TAG.INTEGER, Uint8Array.from(bytes));
}

export const NULL = Uint8Array.of(TAG.NULL, 0);
