// IP addresses and prefixes as the datapath stores them: 16 bytes, IPv4 in the first four.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Address {
  family: Family;
  /** 16 bytes; an IPv4 address fills the first 4. */
  bytes: Uint8Array;
}

export interface Prefix extends Address {
  len: number;
}

/** Parses an IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"). */
export function parseAddress(text: string): Address {
  const bytes = new Uint8Array(16);
  if (isIPv4(text)) {
    text.split('.').forEach((part, i) => { bytes[i] = Number(part); });
    return { family: 4, bytes };
  }
  if (!isIPv6(text)) throw new RangeError(`not an IP address: '${text}'`);
  // RFC 4291 §2.2: groups of 16 bits, one "::" for a run of zeros, an IPv4 tail allowed.
  let groups = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = tail[1].split('.').map(Number);
    groups = `${text.slice(0, tail.index)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, rest] = groups.split('::');
  const a = head ? head.split(':') : [];
  const b = rest === undefined ? [] : rest ? rest.split(':') : [];
  const words = rest === undefined ? a : [...a, ...Array(8 - a.length - b.length).fill('0'), ...b];
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  });
  return { family: 6, bytes };
}

/** Parses "address/len" (or a bare address: a host prefix). */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  const max = addr.family === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) {
    throw new RangeError(`bad prefix length in '${text}' (0..${max})`);
  }
  return { ...addr, len };
}

export function formatAddress(a: Address): string {
  const b = a.bytes;
  if (a.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The shortest list of prefixes that covers the range [from, to] exactly (one family; from ≤ to). */
export function rangePrefixes(from: Address, to: Address): Prefix[] {
  const bits = from.family === 4 ? 32 : 128;
  const toBig = (a: Address): bigint => a.bytes.subarray(0, bits / 8).reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  const fromBig = (n: bigint): Uint8Array => {
    const out = new Uint8Array(16);
    for (let i = bits / 8 - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
    return out;
  };
  const out: Prefix[] = [];
  let lo = toBig(from);
  const hi = toBig(to);
  while (lo <= hi) {
    // The largest aligned block starting at lo that does not pass hi.
    let size = 0;
    while (size < bits && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push({ family: from.family, bytes: fromBig(lo), len: bits - size });
    lo += 1n << BigInt(size);
  }
  return out;
}
