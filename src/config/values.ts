// Readers for the value types of the configuration: addresses, prefixes, durations, SPIs.

import { isScalar, type Node, type Scalar } from 'yaml';
import { parseAddress, type Address, type Prefix } from '../dataplane/addr.js';
import { asString, scalarText, type Ctx } from './reader.js';
import { formatPrefix, maskPrefix } from './prefix.js';

export function readAddress(ctx: Ctx, node: Node, label: string): Address | undefined {
  const text = asString(ctx, node, label);
  if (text === undefined) return undefined;
  try {
    return parseAddress(text);
  } catch {
    ctx.r.error(node, `'${label}': '${text}' is not an IPv4 or IPv6 address` +
      (text.includes('/') ? ' (a single address here, not a prefix)' : text.includes(',') ? '; write a list: [a, b]' : ''));
    return undefined;
  }
}

/** "address/len", or a bare address as a host prefix. Host bits are cleared, with a warning. */
export function readPrefix(ctx: Ctx, node: Node, label: string): Prefix | undefined {
  const text = asString(ctx, node, label);
  if (text === undefined) return undefined;
  const slash = text.indexOf('/');
  let addr: Address;
  try {
    // swanctl separates list items with commas; in YAML that is one string.
    if (text.includes(',')) throw new RangeError('a list in one string');
    addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  } catch {
    ctx.r.error(node, `'${label}': '${text}' is not an IPv4 or IPv6 prefix (e.g. 10.1.0.0/24 or 2001:db8::/64)` +
      (text.includes(',') ? '; write a list: [a, b]' : ''));
    return undefined;
  }
  const max = addr.family === 4 ? 32 : 128;
  const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
  const len = Number(lenText);
  if (!/^\d{1,3}$/.test(lenText) || len > max) {
    ctx.r.error(node, `'${label}': prefix length in '${text}' must be 0..${max}`);
    return undefined;
  }
  const prefix: Prefix = { ...addr, len };
  const masked = maskPrefix(prefix);
  if (!masked.bytes.every((b, i) => b === prefix.bytes[i])) {
    // strongSwan masks such selectors silently; say so, since the writer may have meant a host.
    ctx.r.warn(node, `'${label}': '${text}' has host bits set; it means ${formatPrefix(masked)}`);
  }
  return masked;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration as swanctl writes them: plain seconds, or a number with s, m, h or d. In seconds. */
export function readDuration(ctx: Ctx, node: Node, label: string, min = 0): number | undefined {
  const text = isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'string') ? scalarText(node).trim() : undefined;
  const m = text === undefined ? null : /^(\d+)\s*([smhd]?)$/.exec(text);
  if (!m) {
    ctx.r.error(node, `'${label}' must be a duration like 30s, 10m, 8h or 1d (or plain seconds)`);
    return undefined;
  }
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] || 's'];
  if (!Number.isSafeInteger(seconds) || seconds < min) {
    ctx.r.error(node, `'${label}' must be at least ${min}s`);
    return undefined;
  }
  return seconds;
}

/**
 * An SPI: a YAML integer (0xc0010001 is one) or a hex string in quotes. 0 and 1..255 are
 * reserved (RFC 4303 §2.1: 0 for local use, 1..255 by IANA).
 */
export function readSpi(ctx: Ctx, node: Node, label: string): number | undefined {
  let value: number | undefined;
  if (isScalar(node) && typeof node.value === 'number') value = node.value;
  else if (isScalar(node) && typeof node.value === 'string' && /^(0x[0-9a-f]{1,8}|\d+)$/i.test(node.value.trim())) value = Number(node.value.trim());
  if (value === undefined || !Number.isInteger(value)) {
    ctx.r.error(node, `'${label}' must be a 32-bit integer, e.g. 0xc0010001`);
    return undefined;
  }
  if (value < 256 || value > 0xffffffff) {
    ctx.r.error(node, value > 0xffffffff ? `'${label}' ${scalarText(node as Scalar)} does not fit in 32 bits`
      : `'${label}' ${scalarText(node as Scalar)} is reserved (RFC 4303 §2.1: SPIs 0 and 1..255); use 256..0xffffffff`);
    return undefined;
  }
  return value;
}
