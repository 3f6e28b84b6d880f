// Traffic selectors (RFC 7296 §3.13.1) to and from prefixes, ranges and text, and the set
// operations narrowing needs (§2.9): containment and intersection of single selectors. An
// IPv4/IPv6 range selector is [start, end] addresses × [startPort, endPort] × protocol (0 = any);
// OPAQUE (startPort 65535, endPort 0, §3.13.1) is an empty port range and intersects nothing.

import { formatAddress, parseAddress, parsePrefix, rangePrefixes, type Address, type Prefix } from '../../../dataplane/addr.js';
import { TS_TYPE } from './constants.js';
import type { TrafficSelector } from './ts.js';

export interface TsOptions {
  /** IP protocol, 0 = any. */
  protocol?: number;
  /** Default 0..65535. */
  startPort?: number;
  endPort?: number;
}

const width = (family: 4 | 6): number => (family === 4 ? 4 : 16);

function make(family: 4 | 6, start: Uint8Array, end: Uint8Array, o: TsOptions): TrafficSelector {
  return {
    tsType: family === 4 ? TS_TYPE.IPV4_ADDR_RANGE : TS_TYPE.IPV6_ADDR_RANGE,
    ipProtocol: o.protocol ?? 0, startPort: o.startPort ?? 0, endPort: o.endPort ?? 0xffff, start, end,
  };
}

/** The selector for a prefix ("10.1.0.0/24", "2001:db8::/32", a bare address, or a parsed Prefix). */
export function tsFromPrefix(prefix: string | Prefix | { address: string; length: number }, o: TsOptions = {}): TrafficSelector {
  const p: Prefix = typeof prefix === 'string' ? parsePrefix(prefix) : 'address' in prefix ? parsePrefix(`${prefix.address}/${prefix.length}`) : prefix;
  const w = width(p.family), start = new Uint8Array(w), end = new Uint8Array(w);
  for (let i = 0; i < w; i++) {
    const bits = Math.max(0, Math.min(8, p.len - 8 * i)), mask = (0xff << (8 - bits)) & 0xff;
    start[i] = p.bytes[i] & mask;
    end[i] = p.bytes[i] | (~mask & 0xff);
  }
  return make(p.family, start, end, o);
}

/** The selector for an address range "start".."end" (both included). */
export function tsFromRange(start: string | Address, end: string | Address, o: TsOptions = {}): TrafficSelector {
  const a = typeof start === 'string' ? parseAddress(start) : start, b = typeof end === 'string' ? parseAddress(end) : end;
  if (a.family !== b.family) throw new RangeError('a range needs two addresses of one family');
  const w = width(a.family);
  if (compare(a.bytes.subarray(0, w), b.bytes.subarray(0, w)) > 0) throw new RangeError(`range ${formatAddress(a)}-${formatAddress(b)} ends before it starts`);
  return make(a.family, a.bytes.slice(0, w), b.bytes.slice(0, w), o);
}

export interface TsRange {
  family: 4 | 6;
  start: Address;
  end: Address;
  protocol: number;
  startPort: number;
  endPort: number;
}

/** The selector as addresses (16-byte Address values, as the datapath keeps them); undefined for other TS types. */
export function tsToRange(ts: TrafficSelector): TsRange | undefined {
  const family = ts.tsType === TS_TYPE.IPV4_ADDR_RANGE ? 4 : ts.tsType === TS_TYPE.IPV6_ADDR_RANGE ? 6 : undefined;
  if (!family || ts.start.length !== width(family) || ts.end.length !== width(family)) return undefined;
  const addr = (b: Uint8Array): Address => {
    const bytes = new Uint8Array(16);
    bytes.set(b);
    return { family, bytes };
  };
  return { family, start: addr(ts.start), end: addr(ts.end), protocol: ts.ipProtocol, startPort: ts.startPort, endPort: ts.endPort };
}

/** The prefixes covering the selector's addresses exactly (one when it is a prefix). */
export function tsToPrefixes(ts: TrafficSelector): Prefix[] {
  const r = tsToRange(ts);
  return r && compare(ts.start, ts.end) <= 0 ? rangePrefixes(r.start, r.end) : [];
}

/** "10.1.0.0/24", "10.1.0.5..10.1.0.9", with "[proto/port]" or "[proto/lo-hi]" when not any — strongSwan's style. */
export function tsToString(ts: TrafficSelector): string {
  const r = tsToRange(ts);
  if (!r) return `TS type ${ts.tsType}`;
  const ps = tsToPrefixes(ts);
  const addr = ps.length === 1 ? `${formatAddress(ps[0])}/${ps[0].len}` : `${formatAddress(r.start)}..${formatAddress(r.end)}`;
  const anyPort = ts.startPort === 0 && ts.endPort === 0xffff;
  if (ts.ipProtocol === 0 && anyPort) return addr;
  const port = anyPort ? '' : ts.startPort === ts.endPort ? `/${ts.startPort}` : `/${ts.startPort}-${ts.endPort}`;
  return `${addr}[${ts.ipProtocol}${port}]`;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

const maxOf = (a: Uint8Array, b: Uint8Array): Uint8Array => (compare(a, b) >= 0 ? a : b);
const minOf = (a: Uint8Array, b: Uint8Array): Uint8Array => (compare(a, b) <= 0 ? a : b);

/** Whether `outer` contains every packet `inner` matches. */
export function tsContains(outer: TrafficSelector, inner: TrafficSelector): boolean {
  if (outer.tsType !== inner.tsType || !tsToRange(outer) || !tsToRange(inner)) return false;
  if (outer.ipProtocol !== 0 && outer.ipProtocol !== inner.ipProtocol) return false;
  return compare(outer.start, inner.start) <= 0 && compare(inner.end, outer.end) <= 0
    && outer.startPort <= inner.startPort && inner.endPort <= outer.endPort;
}

/** The selector both a and b match (narrowing, §2.9), or null when they don't overlap. */
export function tsIntersect(a: TrafficSelector, b: TrafficSelector): TrafficSelector | null {
  if (a.tsType !== b.tsType || !tsToRange(a) || !tsToRange(b)) return null;
  if (a.ipProtocol !== 0 && b.ipProtocol !== 0 && a.ipProtocol !== b.ipProtocol) return null;
  const start = maxOf(a.start, b.start), end = minOf(a.end, b.end);
  const startPort = Math.max(a.startPort, b.startPort), endPort = Math.min(a.endPort, b.endPort);
  if (compare(start, end) > 0 || startPort > endPort) return null;
  return { tsType: a.tsType, ipProtocol: a.ipProtocol || b.ipProtocol, startPort, endPort, start: start.slice(), end: end.slice() };
}
