// Prefix arithmetic for the checks on traffic selectors: masking, containment, overlap.

import { formatAddress, type Address, type Prefix } from '../dataplane/addr.js';

/** The prefix with its host bits cleared. */
export function maskPrefix(p: Prefix): Prefix {
  const bytes = new Uint8Array(16);
  const width = p.family === 4 ? 4 : 16;
  for (let i = 0; i < width; i++) {
    const keep = Math.max(0, Math.min(8, p.len - 8 * i));
    bytes[i] = p.bytes[i] & ((0xff << (8 - keep)) & 0xff);
  }
  return { family: p.family, bytes, len: p.len };
}

/** Whether the first `len` bits of a and b agree. */
function samePrefixBits(a: Uint8Array, b: Uint8Array, len: number): boolean {
  for (let i = 0; i * 8 < len; i++) {
    const bits = Math.min(8, len - 8 * i);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

/** Two prefixes of one family overlap when the shorter one contains the longer one. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && samePrefixBits(a.bytes, b.bytes, Math.min(a.len, b.len));
}

export function contains(p: Prefix, a: Address): boolean {
  return p.family === a.family && samePrefixBits(p.bytes, a.bytes, p.len);
}

export function hostPrefix(a: Address): Prefix {
  return { family: a.family, bytes: a.bytes, len: a.family === 4 ? 32 : 128 };
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}

export function isUnspecified(a: Address): boolean {
  return a.bytes.every((x) => x === 0);
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p)}/${p.len}`;
}
