// Identification Data (RFC 2407 §4.6.2.2-4.6.2.12) to and from the strings people write, and the
// address-type IDs of Quick Mode as traffic selectors (RFC 2409 §5.5 IDci / IDcr).
//
// idFromString reads an identity the way strongSwan 5.9 reads `id =` in swanctl.conf
// (libstrongswan identification_create_from_string), in this order:
//   1. a type prefix, case-insensitive: ipv4: ipv6: ipv4net: ipv6net: ipv4range: ipv6range:
//      fqdn: dns: email: rfc822: userfqdn: keyid: asn1dn:, or a number as {9}: — followed by
//      "#" and hex for raw bytes, else the text. (strongSwan copies the text of the address
//      prefixes verbatim, i.e. as ASCII; we parse it as an address, which is what anyone means.)
//   2. containing '=': a distinguished name, "C=CH, O=Lab, CN=gw" (',' separates RDNs, or '/' when
//      the string starts with one: "/C=CH/O=Lab/CN=gw"); an unknown attribute name makes the
//      whole string a KEY_ID, as strongSwan does;
//   3. no '@': an IPv4 address, "a.b.c.d/bits" subnet or "a-b" range, else an FQDN; with a ':' an
//      IPv6 address, subnet or range, else a KEY_ID. The "any" forms ('', '%any', '%any6', '*',
//      '0.0.0.0', '::', '0::0') match any peer and are no identity to send: RangeError;
//   4. with '@': "@#hex" a KEY_ID, "@@user" a USER_FQDN, "@host" an FQDN (without the '@'),
//      anything else ("user@host") a USER_FQDN.
//
// DN encoding (DER, X.501 Name: SEQUENCE OF SET OF AttributeTypeAndValue, one attribute per SET):
// strongSwan writes every value as PrintableString when its characters allow (A-Z a-z 0-9 space
// and '()+,-./:=?), else UTF8String — except E/emailAddress and UN/unstructuredName, always
// IA5String. That is the default here, so an ID we send is byte-identical to strongSwan's (checked
// against a captured aggressive-mode IDii). `{ dn: 'openssl' }` instead writes what
// `openssl req -subj` writes with its default string_mask utf8only: PrintableString for C,
// IA5String for E, UN and DC, UTF8String for the rest — the usual encoding of a certificate's
// subject. Peers compare DNs attribute by attribute (strongSwan's compare_dn ignores the string
// type), but HASH_I / HASH_R cover the ID payload bytes, so both ends must use the bytes as sent.

import { isIPv4, isIPv6 } from 'node:net';
import { formatAddress, parseAddress, type Address, type Family, type Prefix } from '../../../dataplane/addr.js';
import { ID_TYPE, NOTIFY, PAYLOAD } from './constants.js';
import { DecodeError } from './errors.js';
import type { IdPayload } from './id.js';

export interface IdData {
  /** ID_TYPE.* */
  idType: number;
  data: Uint8Array;
}

export interface IdFromStringOptions {
  /** How to encode DN values: as strongSwan does (default) or as OpenSSL does for certificates. */
  dn?: 'strongswan' | 'openssl';
}

// ---- DER, as little as a Name needs -------------------------------------------------------------

const TAG = { UTF8: 0x0c, PRINTABLE: 0x13, T61: 0x14, IA5: 0x16, BMP: 0x1e, OID: 0x06, SEQUENCE: 0x30, SET: 0x31 } as const;

function der(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function oidBytes(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const base128 = (v: number): void => {
    const chunk = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  };
  base128(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) base128(a);
  return Uint8Array.from(out);
}

function oidText(b: Uint8Array): string | undefined {
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(b[i] & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === b.length - 1) return undefined;
  }
  return arcs.length ? arcs.join('.') : undefined;
}

interface Tlv {
  tag: number;
  value: Uint8Array;
  end: number;
}

/** One DER TLV at `at`, or undefined when it doesn't fit before `end` (never throws). */
function readTlv(b: Uint8Array, at: number, end: number): Tlv | undefined {
  if (end - at < 2) return undefined;
  const tag = b[at];
  let len = b[at + 1], head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || end - at < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i];
    head += n;
  }
  if (at + head + len > end) return undefined;
  return { tag, value: b.subarray(at + head, at + head + len), end: at + head + len };
}

// ---- distinguished names ------------------------------------------------------------------------

// [names (the first is printed), OID, strongSwan's string type, OpenSSL's (utf8only)]
type StrKind = 'printable' | 'ia5' | 'utf8';
const RDNS: ReadonlyArray<readonly [readonly string[], string, StrKind, StrKind]> = [
  [['CN'], '2.5.4.3', 'printable', 'utf8'],
  [['S'], '2.5.4.4', 'printable', 'utf8'], // surname
  [['SN', 'serialNumber'], '2.5.4.5', 'printable', 'printable'],
  [['C'], '2.5.4.6', 'printable', 'printable'],
  [['L'], '2.5.4.7', 'printable', 'utf8'],
  [['ST'], '2.5.4.8', 'printable', 'utf8'],
  [['STREET'], '2.5.4.9', 'printable', 'utf8'],
  [['O'], '2.5.4.10', 'printable', 'utf8'],
  [['OU'], '2.5.4.11', 'printable', 'utf8'],
  [['T'], '2.5.4.12', 'printable', 'utf8'], // title
  [['D'], '2.5.4.13', 'printable', 'utf8'], // description
  [['postalCode'], '2.5.4.17', 'printable', 'utf8'],
  [['N'], '2.5.4.41', 'printable', 'utf8'], // name
  [['G'], '2.5.4.42', 'printable', 'utf8'], // givenName
  [['I'], '2.5.4.43', 'printable', 'utf8'], // initials
  [['dnQualifier'], '2.5.4.46', 'printable', 'printable'],
  [['pseudonym'], '2.5.4.65', 'printable', 'utf8'],
  [['UID'], '0.9.2342.19200300.100.1.1', 'printable', 'utf8'],
  [['DC'], '0.9.2342.19200300.100.1.25', 'printable', 'ia5'],
  [['E', 'Email', 'emailAddress'], '1.2.840.113549.1.9.1', 'ia5', 'ia5'],
  [['UN', 'unstructuredName'], '1.2.840.113549.1.9.2', 'ia5', 'ia5'],
];
const RDN_BY_NAME = new Map(RDNS.flatMap((r) => r[0].map((n) => [n.toLowerCase(), r] as const)));
const RDN_BY_OID = new Map(RDNS.map((r) => [r[1], r] as const));
const RDN_MAX = 20; // strongSwan's atodn limit

/** The characters of an ASN.1 PrintableString (X.680). */
const isPrintableString = (s: string): boolean => /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);

function dnValue(text: string, kind: StrKind): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (kind === 'ia5') return der(TAG.IA5, bytes);
  if (kind === 'printable' && isPrintableString(text)) return der(TAG.PRINTABLE, bytes);
  return der(TAG.UTF8, bytes);
}

/** The DER Name of a DN string, or undefined where strongSwan's atodn fails (unknown attribute,
 *  unterminated attribute name, more than 20 RDNs). */
export function dnFromString(s: string, mode: 'strongswan' | 'openssl' = 'strongswan'): Uint8Array | undefined {
  // strongSwan's atodn state machine: attribute names end at ' ' or '='; values end at the
  // separator, lose trailing spaces, and may be empty.
  const rdns: Uint8Array[] = [];
  let sep = '';
  let state: 'searchOid' | 'readOid' | 'searchName' | 'readName' = 'searchOid';
  let start = 0, rdn: (typeof RDNS)[number] | undefined;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s[i] : '';
    switch (state) {
      case 'searchOid':
        if (!sep && c === '/') sep = '/';
        else if (c !== ' ' && c !== '') {
          sep ||= ',';
          start = i;
          state = 'readOid';
        }
        break;
      case 'readOid':
        if (c !== ' ' && c !== '=' && c !== '') break;
        if (c === '') return undefined; // unterminated attribute name
        rdn = RDN_BY_NAME.get(s.slice(start, i).toLowerCase());
        if (!rdn) return undefined;
        state = 'searchName';
        break;
      case 'searchName':
        if (c === ' ' || c === '=') break;
        start = i;
        state = 'readName';
        if (c !== sep && c !== '') break;
      // falls through: an empty value
      case 'readName':
        if (c !== sep && c !== '') break;
        if (rdns.length === RDN_MAX) return undefined;
        rdns.push(der(TAG.SET, der(TAG.SEQUENCE, concat([
          der(TAG.OID, oidBytes(rdn![1])),
          dnValue(s.slice(start, i).replace(/ +$/, ''), mode === 'openssl' ? rdn![3] : rdn![2]),
        ]))));
        state = 'searchOid';
        break;
    }
  }
  return der(TAG.SEQUENCE, concat(rdns));
}

function dnStringValue(tag: number, v: Uint8Array): string {
  let text: string;
  if (tag === TAG.UTF8 || tag === TAG.PRINTABLE || tag === TAG.IA5) text = new TextDecoder().decode(v);
  else if (tag === TAG.T61) text = String.fromCharCode(...v);
  else if (tag === TAG.BMP && v.length % 2 === 0) text = String.fromCharCode(...Array.from({ length: v.length / 2 }, (_, i) => (v[2 * i] << 8) | v[2 * i + 1]));
  else return `#${hexOf(v)}`;
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** "C=CH, O=Lab, CN=gw" for a DER Name, or undefined when it isn't one. */
export function dnToString(b: Uint8Array): string | undefined {
  const seq = readTlv(b, 0, b.length);
  if (!seq || seq.tag !== TAG.SEQUENCE || seq.end !== b.length) return undefined;
  const parts: string[] = [];
  const v = seq.value;
  for (let at = 0; at < v.length;) {
    const set = readTlv(v, at, v.length);
    if (!set || set.tag !== TAG.SET) return undefined;
    for (let k = 0; k < set.value.length;) {
      const atv = readTlv(set.value, k, set.value.length);
      if (!atv || atv.tag !== TAG.SEQUENCE) return undefined;
      const oid = readTlv(atv.value, 0, atv.value.length);
      if (!oid || oid.tag !== TAG.OID) return undefined;
      const val = readTlv(atv.value, oid.end, atv.value.length);
      if (!val || val.end !== atv.value.length) return undefined;
      const dotted = oidText(oid.value);
      if (!dotted) return undefined;
      parts.push(`${RDN_BY_OID.get(dotted)?.[0][0] ?? dotted}=${dnStringValue(val.tag, val.value)}`);
      k = atv.end;
    }
    at = set.end;
  }
  return parts.join(', ');
}

// ---- addresses ----------------------------------------------------------------------------------

const WIDTH = { 4: 4, 6: 16 } as const;

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function fromHex(s: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new RangeError(`not hex: '${s}'`);
  return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function maskBytes(width: number, bits: number): Uint8Array {
  const m = new Uint8Array(width);
  for (let i = 0; i < width; i++) m[i] = (0xff << (8 - Math.max(0, Math.min(8, bits - 8 * i)))) & 0xff;
  return m;
}

/** The number of leading one bits of a mask, or -1 when the mask isn't contiguous. */
function maskLength(m: Uint8Array): number {
  let bits = 0, i = 0;
  for (; i < m.length && m[i] === 0xff; i++) bits += 8;
  if (i < m.length) {
    const ones = [0x00, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe].indexOf(m[i]);
    if (ones < 0) return -1;
    bits += ones;
    for (i++; i < m.length; i++) if (m[i] !== 0) return -1;
  }
  return bits;
}

const compare = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
};

/** An address of `family` from its 4 or 16 wire bytes (a fresh 16-byte Address). */
function address(family: Family, wire: Uint8Array): Address {
  const bytes = new Uint8Array(16);
  bytes.set(wire.subarray(0, WIDTH[family]));
  return { family, bytes };
}

/** strongSwan's create_ip_address_from_string: "addr", "addr/bits" or "from-to" of one family. */
function ipIdFromString(s: string, family: Family): IdData | undefined {
  const valid = family === 4 ? isIPv4 : isIPv6;
  const width = WIDTH[family];
  const slash = s.indexOf('/'), dash = slash < 0 ? s.indexOf('-') : -1;
  const first = s.slice(0, slash >= 0 ? slash : dash >= 0 ? dash : s.length);
  if (!valid(first)) return undefined;
  const a = parseAddress(first).bytes.subarray(0, width);
  if (slash >= 0) {
    const bits = parseInt(s.slice(slash + 1), 10) || 0; // atoi()
    if (bits < 0 || bits > 8 * width) return undefined;
    const mask = maskBytes(width, bits);
    const data = new Uint8Array(2 * width);
    for (let i = 0; i < width; i++) data[i] = a[i] & mask[i];
    data.set(mask, width);
    return { idType: family === 4 ? ID_TYPE.IPV4_ADDR_SUBNET : ID_TYPE.IPV6_ADDR_SUBNET, data };
  }
  if (dash >= 0) {
    const second = s.slice(dash + 1);
    if (!valid(second)) return undefined;
    const b = parseAddress(second).bytes.subarray(0, width);
    if (compare(a, b) > 0) return undefined;
    const data = new Uint8Array(2 * width);
    data.set(a);
    data.set(b, width);
    return { idType: family === 4 ? ID_TYPE.IPV4_ADDR_RANGE : ID_TYPE.IPV6_ADDR_RANGE, data };
  }
  return { idType: family === 4 ? ID_TYPE.IPV4_ADDR : ID_TYPE.IPV6_ADDR, data: a.slice() };
}

// ---- strings ------------------------------------------------------------------------------------

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const PREFIXES: ReadonlyArray<readonly [string, number]> = [
  ['ipv4:', ID_TYPE.IPV4_ADDR], ['ipv6:', ID_TYPE.IPV6_ADDR],
  ['ipv4net:', ID_TYPE.IPV4_ADDR_SUBNET], ['ipv6net:', ID_TYPE.IPV6_ADDR_SUBNET],
  ['ipv4range:', ID_TYPE.IPV4_ADDR_RANGE], ['ipv6range:', ID_TYPE.IPV6_ADDR_RANGE],
  ['rfc822:', ID_TYPE.USER_FQDN], ['email:', ID_TYPE.USER_FQDN], ['userfqdn:', ID_TYPE.USER_FQDN],
  ['fqdn:', ID_TYPE.FQDN], ['dns:', ID_TYPE.FQDN], ['asn1dn:', ID_TYPE.DER_ASN1_DN], ['keyid:', ID_TYPE.KEY_ID],
];

const ANY = new Set(['', '%any', '%any6', '0.0.0.0', '*', '::', '0::0']);

function typed(idType: number, value: string, options: IdFromStringOptions): IdData {
  if (value.startsWith('#')) return { idType, data: fromHex(value.slice(1)) };
  const fail = (): never => {
    throw new RangeError(`'${value}' is not a valid value for ID type ${idType}`);
  };
  switch (idType) {
    case ID_TYPE.IPV4_ADDR: case ID_TYPE.IPV4_ADDR_SUBNET: case ID_TYPE.IPV4_ADDR_RANGE:
    case ID_TYPE.IPV6_ADDR: case ID_TYPE.IPV6_ADDR_SUBNET: case ID_TYPE.IPV6_ADDR_RANGE: {
      const v6 = idType === ID_TYPE.IPV6_ADDR || idType === ID_TYPE.IPV6_ADDR_SUBNET || idType === ID_TYPE.IPV6_ADDR_RANGE;
      const r = ipIdFromString(value, v6 ? 6 : 4);
      return r && r.idType === idType ? r : fail();
    }
    case ID_TYPE.DER_ASN1_DN:
      return { idType, data: dnFromString(value, options.dn) ?? fail() };
    default:
      return { idType, data: text(value) };
  }
}

/** Identification Data from an identity string, as strongSwan reads `id =` (see the top of this
 *  file). Throws RangeError for the "any" forms and for unusable typed values. */
export function idFromString(s: string, options: IdFromStringOptions = {}): IdData {
  const lower = s.toLowerCase();
  for (const [prefix, idType] of PREFIXES) if (lower.startsWith(prefix)) return typed(idType, s.slice(prefix.length), options);
  const num = /^\{(\d+)\}:/.exec(s);
  if (num) {
    const idType = Number(num[1]);
    if (idType < 1 || idType > 255) throw new RangeError(`ID type ${idType} out of range`);
    return typed(idType, s.slice(num[0].length), options);
  }
  if (s.includes('=')) {
    const dn = dnFromString(s, options.dn);
    return dn ? { idType: ID_TYPE.DER_ASN1_DN, data: dn } : { idType: ID_TYPE.KEY_ID, data: text(s) };
  }
  if (!s.includes('@')) {
    if (ANY.has(s)) throw new RangeError(`'${s}' matches any identity; it is not one to send`);
    if (!s.includes(':')) return ipIdFromString(s, 4) ?? { idType: ID_TYPE.FQDN, data: text(s) };
    return ipIdFromString(s, 6) ?? { idType: ID_TYPE.KEY_ID, data: text(s) };
  }
  if (s.startsWith('@#')) return { idType: ID_TYPE.KEY_ID, data: fromHex(s.slice(2)) };
  if (s.startsWith('@@')) return { idType: ID_TYPE.USER_FQDN, data: text(s.slice(2)) };
  if (s.startsWith('@')) return { idType: ID_TYPE.FQDN, data: text(s.slice(1)) };
  return { idType: ID_TYPE.USER_FQDN, data: text(s) };
}

const printable = (b: Uint8Array): string | undefined => (b.every((x) => x >= 0x20 && x < 0x7f) ? String.fromCharCode(...b) : undefined);

/** A readable form of Identification Data, for logs and status; where it can, one idFromString
 *  reads back to the same type and bytes ("{type}:#hex" for data that has no better form). Never throws. */
export function idToString(idType: number, data: Uint8Array): string {
  const raw = `{${idType}}:#${hexOf(data)}`;
  const back = (s: string): string => {
    try {
      const r = idFromString(s);
      return r.idType === idType && compare(r.data, data) === 0 && r.data.length === data.length ? s : raw;
    } catch {
      return raw;
    }
  };
  switch (idType) {
    case ID_TYPE.IPV4_ADDR: case ID_TYPE.IPV6_ADDR:
    case ID_TYPE.IPV4_ADDR_SUBNET: case ID_TYPE.IPV6_ADDR_SUBNET:
    case ID_TYPE.IPV4_ADDR_RANGE: case ID_TYPE.IPV6_ADDR_RANGE: {
      try {
        const ts = tsFromId({ idType, data });
        const from = formatAddress(ts.from), to = formatAddress(ts.to);
        if (idType === ID_TYPE.IPV4_ADDR || idType === ID_TYPE.IPV6_ADDR) return from;
        if (idType === ID_TYPE.IPV4_ADDR_RANGE || idType === ID_TYPE.IPV6_ADDR_RANGE) return `${from}-${to}`;
        const w = WIDTH[ts.family];
        return back(`${formatAddress(address(ts.family, data))}/${maskLength(data.subarray(w, 2 * w))}`);
      } catch {
        return raw;
      }
    }
    case ID_TYPE.FQDN: {
      const s = printable(data);
      return s === undefined ? raw : back(s) === s ? s : back(`fqdn:${s}`);
    }
    case ID_TYPE.USER_FQDN: {
      const s = printable(data);
      return s === undefined ? raw : back(s) === s ? s : back(`userfqdn:${s}`);
    }
    case ID_TYPE.DER_ASN1_DN:
      return dnToString(data) ?? raw;
    case ID_TYPE.KEY_ID:
      return `@#${hexOf(data)}`;
    default:
      return raw;
  }
}

// ---- traffic selectors --------------------------------------------------------------------------

/** What an address-type ID stands for in Quick Mode: an address range of one family, an IP
 *  protocol (0: any) and a port (0: any). */
export interface IdSelector {
  family: Family;
  from: Address;
  to: Address;
  protocol: number;
  port: number;
}

/** The traffic selector of an IPV4/IPV6 _ADDR, _ADDR_SUBNET or _ADDR_RANGE ID (RFC 2407
 *  §4.6.2.2-4.6.2.8). Anything else — another type, a wrong length, a non-contiguous mask, a
 *  range whose end precedes its start — throws DecodeError with INVALID_ID_INFORMATION. */
export function tsFromId(id: Pick<IdPayload, 'idType' | 'data'> & Partial<Pick<IdPayload, 'protocolId' | 'port'>>): IdSelector {
  const bad = (why: string): never => {
    throw new DecodeError(`ID type ${id.idType}: ${why}`, NOTIFY.INVALID_ID_INFORMATION);
  };
  const { idType, data } = id;
  const family: Family = idType === ID_TYPE.IPV4_ADDR || idType === ID_TYPE.IPV4_ADDR_SUBNET || idType === ID_TYPE.IPV4_ADDR_RANGE ? 4
    : idType === ID_TYPE.IPV6_ADDR || idType === ID_TYPE.IPV6_ADDR_SUBNET || idType === ID_TYPE.IPV6_ADDR_RANGE ? 6
    : bad('not an address type, no traffic selector');
  const w = WIDTH[family];
  const single = idType === ID_TYPE.IPV4_ADDR || idType === ID_TYPE.IPV6_ADDR;
  if (data.length !== (single ? w : 2 * w)) bad(`${data.length} bytes of data, expected ${single ? w : 2 * w}`);
  let from: Address, to: Address;
  if (single) {
    from = address(family, data);
    to = address(family, data);
  } else if (idType === ID_TYPE.IPV4_ADDR_SUBNET || idType === ID_TYPE.IPV6_ADDR_SUBNET) {
    const mask = data.subarray(w, 2 * w);
    if (maskLength(mask) < 0) bad('the subnet mask is not contiguous');
    from = address(family, data);
    to = address(family, data);
    for (let i = 0; i < w; i++) {
      from.bytes[i] &= mask[i];
      to.bytes[i] |= ~mask[i] & 0xff;
    }
  } else {
    from = address(family, data);
    to = address(family, data.subarray(w));
    if (compare(from.bytes, to.bytes) > 0) bad('the range ends before it starts');
  }
  return { family, from, to, protocol: id.protocolId ?? 0, port: id.port ?? 0 };
}

/** The ID payload for a prefix: ADDR for a host (/32, /128), else ADDR_SUBNET — as strongSwan
 *  sends traffic selectors in Quick Mode (id_payload_create_from_ts). */
export function idFromPrefix(prefix: Prefix, protocol = 0, port = 0): IdPayload {
  const w = WIDTH[prefix.family], max = 8 * w;
  if (!Number.isInteger(prefix.len) || prefix.len < 0 || prefix.len > max) throw new RangeError(`prefix length ${prefix.len} (0..${max})`);
  if (prefix.len === max) {
    return { type: PAYLOAD.ID, idType: prefix.family === 4 ? ID_TYPE.IPV4_ADDR : ID_TYPE.IPV6_ADDR, protocolId: protocol, port, data: prefix.bytes.slice(0, w) };
  }
  const mask = maskBytes(w, prefix.len), data = new Uint8Array(2 * w);
  for (let i = 0; i < w; i++) data[i] = prefix.bytes[i] & mask[i];
  data.set(mask, w);
  return { type: PAYLOAD.ID, idType: prefix.family === 4 ? ID_TYPE.IPV4_ADDR_SUBNET : ID_TYPE.IPV6_ADDR_SUBNET, protocolId: protocol, port, data };
}

/** The ID payload for an address range: ADDR when from = to, ADDR_SUBNET when the range is exactly
 *  a prefix, else ADDR_RANGE (strongSwan's choice too). */
export function idFromRange(from: Address, to: Address, protocol = 0, port = 0): IdPayload {
  if (from.family !== to.family) throw new RangeError('a range needs two addresses of one family');
  const w = WIDTH[from.family];
  const a = from.bytes.subarray(0, w), b = to.bytes.subarray(0, w);
  if (compare(a, b) > 0) throw new RangeError(`range ${formatAddress(from)}-${formatAddress(to)} ends before it starts`);
  // A prefix: a and b agree on the first `len` bits, a has zeros after them and b ones.
  let len = 0;
  while (len < 8 * w && ((a[len >> 3] ^ b[len >> 3]) & (0x80 >> (len & 7))) === 0) len++;
  const mask = maskBytes(w, len);
  if (a.every((x, i) => (x & ~mask[i] & 0xff) === 0) && b.every((x, i) => (x | mask[i]) === 0xff)) {
    return idFromPrefix({ family: from.family, bytes: from.bytes, len }, protocol, port);
  }
  const data = new Uint8Array(2 * w);
  data.set(a);
  data.set(b, w);
  return { type: PAYLOAD.ID, idType: from.family === 4 ? ID_TYPE.IPV4_ADDR_RANGE : ID_TYPE.IPV6_ADDR_RANGE, protocolId: protocol, port, data };
}
