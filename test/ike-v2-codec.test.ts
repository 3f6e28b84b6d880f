// IKEv2 codec: one generic round trip over every payload kind (dns-packet style), the RFC 7296
// diagrams' field positions, the header and chain rules, each DecodeError and the notify type it
// carries, the payload rules per exchange (rules.ts) and the traffic-selector helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v2 from '../src/ike/codec/v2/index.js';
import {
  AUTH_METHOD, CERT_ENCODING, CFG, constName, CP_ATTR, decodeMessage, decodePayloads, DH, encodeMessage, encodePayloads, ENCR, EXCHANGE,
  FLAG, header, HEADER_BYTES, ID_TYPE, INTEG, NOTIFY, PAYLOAD, PRF, PROTOCOL, TRANSFORM, TS_TYPE, checkPayloads, messageKind,
  tsContains, tsFromPrefix, tsFromRange, tsIntersect, tsToString, type Codec, type Decoded, type Header, type Payload,
} from '../src/ike/codec/v2/index.js';
import { decodeError, hex, toHex } from './util/ikev2.js';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const spiI = hex('0102030405060708'), spiR = hex('1112131415161718');
const H = { spiI, spiR, exchange: EXCHANGE.IKE_SA_INIT, flags: FLAG.INITIATOR, messageId: 0 };

// ---- every payload kind ------------------------------------------------------------------------

const CODEC_OF: Record<number, Codec<any>> = {
  [PAYLOAD.SA]: v2.sa, [PAYLOAD.KE]: v2.ke, [PAYLOAD.IDi]: v2.idi, [PAYLOAD.IDr]: v2.idr, [PAYLOAD.CERT]: v2.cert,
  [PAYLOAD.CERTREQ]: v2.certreq, [PAYLOAD.AUTH]: v2.auth, [PAYLOAD.NONCE]: v2.nonce, [PAYLOAD.N]: v2.notify, [PAYLOAD.D]: v2.del,
  [PAYLOAD.V]: v2.vendor, [PAYLOAD.TSi]: v2.tsi, [PAYLOAD.TSr]: v2.tsr, [PAYLOAD.SK]: v2.sk, [PAYLOAD.CP]: v2.cp,
  [PAYLOAD.EAP]: v2.eap, [PAYLOAD.SKF]: v2.skf,
};

const SAMPLES: Payload[] = [
  {
    type: PAYLOAD.SA, proposals: [
      {
        num: 1, protocolId: PROTOCOL.IKE, spi: new Uint8Array(0), transforms: [
          { type: TRANSFORM.ENCR, id: ENCR.AES_CBC, keyLength: 256 }, { type: TRANSFORM.PRF, id: PRF.HMAC_SHA2_256 },
          { type: TRANSFORM.INTEG, id: INTEG.HMAC_SHA2_256_128 }, { type: TRANSFORM.DH, id: DH.MODP2048 },
        ],
      },
      { num: 2, protocolId: PROTOCOL.ESP, spi: hex('c0ffee01'), transforms: [{ type: TRANSFORM.ENCR, id: ENCR.AES_GCM_16, keyLength: 128, attributes: [{ type: 17, value: 5 }, { type: 18, value: hex('abcd') }] }, { type: TRANSFORM.ESN, id: 0 }] },
      { num: 3, protocolId: PROTOCOL.IKE, spi: bytes(8), transforms: [] },
    ],
  },
  { type: PAYLOAD.SA, proposals: [] },
  { type: PAYLOAD.KE, group: DH.CURVE25519, data: bytes(32) },
  { type: PAYLOAD.IDi, idType: ID_TYPE.FQDN, data: new TextEncoder().encode('gw-a.lab.example') },
  { type: PAYLOAD.IDr, idType: ID_TYPE.IPV4_ADDR, data: hex('c0000202'), critical: true },
  { type: PAYLOAD.CERT, encoding: CERT_ENCODING.X509_SIG, data: bytes(300) },
  { type: PAYLOAD.CERTREQ, encoding: CERT_ENCODING.X509_SIG, data: bytes(40) },
  { type: PAYLOAD.AUTH, method: AUTH_METHOD.PSK, data: bytes(32) },
  { type: PAYLOAD.NONCE, data: bytes(16) },
  { type: PAYLOAD.NONCE, data: bytes(256) },
  { type: PAYLOAD.N, protocolId: 0, spi: new Uint8Array(0), notifyType: NOTIFY.NAT_DETECTION_SOURCE_IP, data: bytes(20) },
  { type: PAYLOAD.N, protocolId: PROTOCOL.ESP, spi: hex('c0010001'), notifyType: NOTIFY.REKEY_SA, data: new Uint8Array(0) },
  { type: PAYLOAD.D, protocolId: PROTOCOL.IKE, spiSize: 0, spis: [] },
  { type: PAYLOAD.D, protocolId: PROTOCOL.ESP, spiSize: 4, spis: [hex('c0010001'), hex('c0010002')] },
  { type: PAYLOAD.V, data: hex('882fe56d6fd20dbc2251613b2ebe5beb') },
  {
    type: PAYLOAD.TSi, selectors: [
      { tsType: TS_TYPE.IPV4_ADDR_RANGE, ipProtocol: 0, startPort: 0, endPort: 65535, start: hex('0a010000'), end: hex('0a0100ff') },
      { tsType: TS_TYPE.IPV6_ADDR_RANGE, ipProtocol: 6, startPort: 443, endPort: 443, start: bytes(16), end: bytes(16, 9) },
      { tsType: TS_TYPE.SECLABEL, ipProtocol: 0, startPort: 0, endPort: 0, start: new Uint8Array(0), end: new Uint8Array(0), data: hex('73797374656d5f7500') },
    ],
  },
  { type: PAYLOAD.TSr, selectors: [{ tsType: TS_TYPE.IPV4_ADDR_RANGE, ipProtocol: 17, startPort: 500, endPort: 4500, start: hex('0a020000'), end: hex('0a02ffff') }] },
  { type: PAYLOAD.CP, cfgType: CFG.REQUEST, attributes: [{ attrType: CP_ATTR.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) }, { attrType: CP_ATTR.INTERNAL_IP4_DNS, value: hex('08080808') }] },
  { type: PAYLOAD.EAP, data: hex('0201000501') },
  { type: PAYLOAD.SK, data: bytes(64), innerFirst: PAYLOAD.IDi },
  { type: PAYLOAD.SKF, fragmentNumber: 2, totalFragments: 3, data: bytes(48), innerFirst: 0 },
];

test('every payload kind: decode(encode(p)) = p, and encode(decode(b)) = b, as a body and in a chain', () => {
  for (const p of SAMPLES) {
    const codec = CODEC_OF[p.type];
    const body = codec.encode(p);
    assert.equal(body.length, codec.encodingLength(p), constName(PAYLOAD, p.type));
    const { critical, innerFirst, ...bare } = p as any;
    const back = codec.decode(body, 0, body.length);
    if (p.type === PAYLOAD.SK || p.type === PAYLOAD.SKF) assert.deepEqual({ ...back, innerFirst: 0 }, { ...bare, innerFirst: 0 });
    else assert.deepEqual(back, bare, constName(PAYLOAD, p.type));
    assert.deepEqual(codec.encode(back), body);
    // Into a buffer at an offset, leaving the rest alone.
    const buf = new Uint8Array(body.length + 7).fill(0xee);
    codec.encode(p, buf, 3);
    assert.deepEqual(buf.subarray(3, 3 + body.length), body);
    assert.ok(buf.subarray(0, 3).every((b) => b === 0xee) && buf.subarray(3 + body.length).every((b) => b === 0xee));
    // Alone in a message.
    const msg = encodeMessage(H, [p]);
    const { header: h, body: pb } = decodeMessage(msg);
    const [d] = decodePayloads(h.nextPayload, pb);
    assert.deepEqual(d.payload, p, `${constName(PAYLOAD, p.type)} in a message`);
    assert.deepEqual(d.body, body);
  }
  // All the plain ones in one chain, then the chain with SK last.
  const plain = SAMPLES.filter((p) => p.type !== PAYLOAD.SK && p.type !== PAYLOAD.SKF);
  for (const list of [plain, [...plain, SAMPLES.find((p) => p.type === PAYLOAD.SK)!]]) {
    const chain = encodePayloads(list);
    const ds = decodePayloads(list[0].type, chain);
    assert.deepEqual(ds.map((d) => d.payload), list);
    assert.deepEqual(encodePayloads(ds.map((d) => d.payload)), chain);
    assert.deepEqual(Buffer.concat(ds.map((d) => d.raw)), Buffer.from(chain));
  }
});

// ---- RFC 7296 diagrams: where each field sits ----------------------------------------------------

test('header fields sit where RFC 7296 §3.1 draws them', () => {
  const msg = encodeMessage({ spiI, spiR, exchange: EXCHANGE.IKE_AUTH, flags: FLAG.INITIATOR | FLAG.RESPONSE, messageId: 0x01020304 }, [{ type: PAYLOAD.NONCE, data: bytes(16) }]);
  assert.equal(toHex(msg.subarray(0, HEADER_BYTES)), '0102030405060708' + '1112131415161718' + '28' + '20' + '23' + '28' + '01020304' + '00000030');
  const h: Header = header.decode(msg);
  assert.deepEqual({ ...h, spiI: toHex(h.spiI), spiR: toHex(h.spiR) }, {
    spiI: '0102030405060708', spiR: '1112131415161718', nextPayload: 40, version: 0x20, exchange: 35, flags: 0x28, messageId: 0x01020304, length: 48,
  });
  // Undefined flags and the minor version are ignored on receipt (§3.1, §2.5).
  const odd = msg.slice();
  odd[17] = 0x2f;
  odd[19] = 0xff;
  assert.equal(decodeMessage(odd).header.flags, 0xff);
});

test('generic header, SA / proposal / transform / attribute, N, D, TS, CP, SKF fields sit where the RFCs draw them', () => {
  const chain = (ps: Payload[]): string => toHex(encodePayloads(ps));
  // §3.2: Next Payload | C + RESERVED | Length.
  assert.equal(chain([{ type: PAYLOAD.V, data: hex('aa'), critical: true }, { type: PAYLOAD.V, data: hex('bb') }]), '2b800005aa' + '00000005bb');
  // §3.3: proposal (last 0, len, num, protocol, SPI size, #transforms), transform (last 3/0, len, type, id), TV key length 0x800e.
  assert.equal(chain([{
    type: PAYLOAD.SA, proposals: [{ num: 1, protocolId: 3, spi: hex('11223344'), transforms: [{ type: 1, id: 12, keyLength: 128 }, { type: 5, id: 0 }] }],
  }]), '00000024' + '00000020' + '01030402' + '11223344' + '0300000c' + '0100000c' + '800e0080' + '00000008' + '05000000');
  // §3.10: protocol, SPI size, type, SPI, data.
  assert.equal(chain([{ type: PAYLOAD.N, protocolId: 3, spi: hex('c0010001'), notifyType: NOTIFY.REKEY_SA, data: hex('ee') }]), '0000000d' + '03044009' + 'c0010001' + 'ee');
  // §3.11: protocol, SPI size, #SPIs.
  assert.equal(chain([{ type: PAYLOAD.D, protocolId: 3, spiSize: 4, spis: [hex('c0010001')] }]), '0000000c' + '03040001' + 'c0010001');
  // §3.13: #TSs, RESERVED; type, protocol, length 16, ports, addresses.
  assert.equal(chain([{ type: PAYLOAD.TSi, selectors: [{ tsType: 7, ipProtocol: 6, startPort: 80, endPort: 8080, start: hex('0a000001'), end: hex('0a0000ff') }] }]),
    '00000018' + '01000000' + '07060010' + '00501f90' + '0a000001' + '0a0000ff');
  // §3.15: CFG type, RESERVED; attribute type, length, value.
  assert.equal(chain([{ type: PAYLOAD.CP, cfgType: CFG.REPLY, attributes: [{ attrType: 1, value: hex('0a000005') }] }]), '00000010' + '02000000' + '00010004' + '0a000005');
  // §3.8 / §3.5 / §3.4: method / ID type / group then RESERVED.
  assert.equal(chain([{ type: PAYLOAD.AUTH, method: 2, data: hex('aa') }]), '00000009' + '02000000aa');
  assert.equal(chain([{ type: PAYLOAD.IDi, idType: 2, data: hex('61') }]), '00000009' + '02000000' + '61');
  assert.equal(chain([{ type: PAYLOAD.KE, group: 31, data: hex('aa') }]), '00000009' + '001f0000' + 'aa');
  assert.equal(chain([{ type: PAYLOAD.CERT, encoding: 4, data: hex('aa') }]), '00000006' + '04aa');
  // RFC 7383 §2.5: SKF's Next Payload is the inner first type, then fragment number and total.
  assert.equal(chain([{ type: PAYLOAD.SKF, fragmentNumber: 1, totalFragments: 2, data: hex('aa'), innerFirst: PAYLOAD.IDi }]), '23000009' + '00010002' + 'aa');
});

// ---- decoding refusals -----------------------------------------------------------------------------

test('header: major version ≠ 2 is INVALID_MAJOR_VERSION; Length < 28, beyond the input or short of it is INVALID_SYNTAX', () => {
  const msg = encodeMessage(H, [{ type: PAYLOAD.NONCE, data: bytes(16) }]);
  for (const v of [0x10, 0x30, 0x00, 0xf2]) {
    const m = msg.slice();
    m[17] = v;
    decodeError(() => decodeMessage(m), NOTIFY.INVALID_MAJOR_VERSION, `version 0x${v.toString(16)}`);
  }
  const withLength = (n: number): Uint8Array => {
    const m = msg.slice();
    new DataView(m.buffer).setUint32(24, n);
    return m;
  };
  for (const n of [0, 27, msg.length + 1, 0xffffffff]) decodeError(() => decodeMessage(withLength(n)), NOTIFY.INVALID_SYNTAX, `length ${n}`);
  decodeError(() => decodeMessage(withLength(msg.length - 1)), NOTIFY.INVALID_SYNTAX, 'length short of the datagram');
  decodeError(() => decodeMessage(msg.subarray(0, 27)), NOTIFY.INVALID_SYNTAX, '27 bytes');
  decodeError(() => decodeMessage(new Uint8Array(0)), NOTIFY.INVALID_SYNTAX, 'nothing');
  assert.equal(header.decode(withLength(msg.length - 1)).length, msg.length - 1, 'header.decode alone accepts Length ≤ input');
});

test('chains: bad lengths, trailing bytes, SK not last are INVALID_SYNTAX; an unknown critical payload is UNSUPPORTED_CRITICAL_PAYLOAD with its type', () => {
  const n16 = { type: PAYLOAD.NONCE, data: bytes(16) } as Payload;
  const good = encodePayloads([n16, { type: PAYLOAD.V, data: hex('aabb') }]);
  const S = NOTIFY.INVALID_SYNTAX;
  decodeError(() => decodePayloads(PAYLOAD.NONCE, good.subarray(0, 3)), S, 'no room for a header');
  const set16 = (b: Uint8Array, at: number, v: number): Uint8Array => {
    const m = b.slice();
    m[at] = v >> 8;
    m[at + 1] = v & 0xff;
    return m;
  };
  decodeError(() => decodePayloads(PAYLOAD.NONCE, set16(good, 2, 3)), S, 'length 3');
  decodeError(() => decodePayloads(PAYLOAD.NONCE, set16(good, 2, good.length + 1)), S, 'length past the end');
  decodeError(() => decodePayloads(PAYLOAD.NONCE, Uint8Array.from([...good, 0])), S, 'a byte after the chain');
  decodeError(() => decodePayloads(PAYLOAD.NONE, good), S, 'bytes but no first payload');
  assert.deepEqual(decodePayloads(PAYLOAD.NONE, new Uint8Array(0)), []);
  // SK must be the last payload.
  const sk = encodePayloads([n16, { type: PAYLOAD.SK, data: bytes(40), innerFirst: PAYLOAD.IDi }]);
  assert.equal((decodePayloads(PAYLOAD.NONCE, sk)[1].payload as v2.SkPayload).innerFirst, PAYLOAD.IDi);
  decodeError(() => decodePayloads(PAYLOAD.NONCE, Uint8Array.from([...sk, 0, 0, 0, 4])), S, 'bytes after SK');
  assert.throws(() => encodePayloads([{ type: PAYLOAD.SK, data: bytes(4), innerFirst: 0 }, n16]), RangeError);
  // Unknown payloads: skipped when not critical, fatal when critical (§2.5).
  const unknown = (critical: boolean): Uint8Array => encodePayloads([{ type: 200, critical, body: hex('0102') }, n16]);
  const [u, n] = decodePayloads(200, unknown(false));
  assert.deepEqual(u.payload, { type: 200, critical: false, body: hex('0102') });
  assert.equal(n.payload.type, PAYLOAD.NONCE);
  const e = decodeError(() => decodePayloads(200, unknown(true)), NOTIFY.UNSUPPORTED_CRITICAL_PAYLOAD, 'critical unknown');
  assert.deepEqual(e.data, Uint8Array.of(200));
  // The C bit on a known payload is ignored (kept for the round trip).
  assert.equal((decodePayloads(PAYLOAD.NONCE, encodePayloads([{ ...n16, critical: true }]))[0].payload as v2.NoncePayload).critical, true);
});

test('payload bodies: each malformed field is INVALID_SYNTAX', () => {
  const S = NOTIFY.INVALID_SYNTAX;
  const body = (type: number, h: string): (() => unknown) => () => CODEC_OF[type].decode(hex(h), 0, hex(h).length);
  const cases: Array<[string, number, string]> = [
    ['KE shorter than its fields', PAYLOAD.KE, '001f00'],
    ['ID shorter than its fields', PAYLOAD.IDi, '020000'],
    ['AUTH shorter than its fields', PAYLOAD.AUTH, '020000'],
    ['CERT without encoding', PAYLOAD.CERT, ''],
    ['CERTREQ without encoding', PAYLOAD.CERTREQ, ''],
    ['Nonce of 15 bytes', PAYLOAD.NONCE, '00'.repeat(15)],
    ['Nonce of 257 bytes', PAYLOAD.NONCE, '00'.repeat(257)],
    ['N shorter than its fields', PAYLOAD.N, '000040'],
    ['N with an SPI past the end', PAYLOAD.N, '0304400900'],
    ['D shorter than its fields', PAYLOAD.D, '0304'],
    ['D SPIs not filling it', PAYLOAD.D, '03040002c0010001'],
    ['D SPIs of size 0', PAYLOAD.D, '03000001'],
    ['D with a stray byte', PAYLOAD.D, '01000000ff'],
    ['TS without its fields', PAYLOAD.TSi, '010000'],
    ['TS with 0 selectors', PAYLOAD.TSi, '00000000'],
    ['TS announcing more selectors', PAYLOAD.TSi, '02000000' + '07000010' + '0000ffff' + '0a000000' + '0a0000ff'],
    ['TS with bytes after', PAYLOAD.TSi, '01000000' + '07000010' + '0000ffff' + '0a000000' + '0a0000ff' + '00'],
    ['TS IPv4 selector of length 40', PAYLOAD.TSi, '01000000' + '07000028' + '0000ffff' + '00'.repeat(32)],
    ['TS selector length past the end', PAYLOAD.TSr, '01000000' + '07000020' + '0000ffff' + '0a000000' + '0a0000ff'],
    ['TS selector length 3', PAYLOAD.TSr, '01000000' + '0a000003'],
    ['CP shorter than its fields', PAYLOAD.CP, '0100'],
    ['CP attribute past the end', PAYLOAD.CP, '01000000' + '00010008' + '0a000001'],
    ['CP stray bytes', PAYLOAD.CP, '01000000' + '0001'],
    ['SA stray bytes', PAYLOAD.SA, '000000'],
    ['SA proposal length 7', PAYLOAD.SA, '00000007' + '010100'],
    ['SA proposal past the end', PAYLOAD.SA, '0000000c' + '01010000'],
    ['SA proposal Last 2 but nothing follows', PAYLOAD.SA, '02000008' + '01010000'],
    ['SA proposal Last 0 but more follow', PAYLOAD.SA, '00000008' + '01010000' + '00000008' + '02010000'],
    ['SA proposal Last 5', PAYLOAD.SA, '05000008' + '01010000'],
    ['SA SPI size past the proposal', PAYLOAD.SA, '00000008' + '01010400'],
    ['SA more transforms announced', PAYLOAD.SA, '00000010' + '01010002' + '00000008' + '0100000c'],
    ['SA bytes after the transforms', PAYLOAD.SA, '00000011' + '01010001' + '00000008' + '0100000c' + '00'],
    ['SA transform Last 3 on the last', PAYLOAD.SA, '00000010' + '01010001' + '03000008' + '0100000c'],
    ['SA transform Last 0 before another', PAYLOAD.SA, '00000018' + '01010002' + '00000008' + '0100000c' + '00000008' + '02000002'],
    ['SA transform length 7', PAYLOAD.SA, '00000010' + '01010001' + '00000007' + '0100000c'],
    ['SA attribute past the transform', PAYLOAD.SA, '00000014' + '01010001' + '0000000c' + '0100000c' + '00110008'],
    ['SA attribute stray bytes', PAYLOAD.SA, '00000012' + '01010001' + '0000000a' + '0100000c' + '800e'],
    ['SKF shorter than its fields', PAYLOAD.SKF, '0001'],
    ['SKF fragment 0', PAYLOAD.SKF, '00000002'],
    ['SKF total 0', PAYLOAD.SKF, '00010000'],
    ['SKF fragment above the total', PAYLOAD.SKF, '00030002'],
  ];
  for (const [what, type, h] of cases) decodeError(body(type, h), S, what);
  // Reading never goes past `length`, even when the buffer has more.
  decodeError(() => v2.nonce.decode(new Uint8Array(100), 90, 16), S, 'nonce past the buffer');
  assert.throws(() => v2.certReqHashes({ type: PAYLOAD.CERTREQ, encoding: 4, data: bytes(21) }), v2.DecodeError);
  assert.equal(v2.certReqHashes({ type: PAYLOAD.CERTREQ, encoding: 4, data: bytes(40) }).length, 2);
});

test('encoders refuse values that do not fit their fields (RangeError)', () => {
  assert.throws(() => v2.ke.encode({ type: PAYLOAD.KE, group: 70000, data: bytes(2) }), RangeError);
  assert.throws(() => v2.del.encode({ type: PAYLOAD.D, protocolId: 3, spiSize: 4, spis: [bytes(8)] }), RangeError);
  assert.throws(() => v2.tsi.encode({ type: PAYLOAD.TSi, selectors: [{ tsType: 7, ipProtocol: 0, startPort: 0, endPort: 65535, start: bytes(16), end: bytes(16) }] }), RangeError);
  assert.throws(() => v2.sa.encode({ type: PAYLOAD.SA, proposals: [{ num: 1, protocolId: 1, spi: bytes(0), transforms: [{ type: 1, id: 12, keyLength: 70000 }] }] }), RangeError);
  assert.throws(() => encodePayloads([{ type: 0, critical: false, body: bytes(1) }]), RangeError);
  assert.throws(() => header.encode({ ...H, spiI: bytes(4), nextPayload: 0, version: 0x20, length: 28 }), RangeError);
});

test('constName names a value or gives the number', () => {
  assert.equal(constName(NOTIFY, 14), 'NO_PROPOSAL_CHOSEN');
  assert.equal(constName(NOTIFY, 9999), '9999');
  assert.equal(constName(EXCHANGE, 35), 'IKE_AUTH');
});

// ---- rules.ts ---------------------------------------------------------------------------------------

const d = (...ps: Payload[]): Decoded[] => decodePayloads(ps[0]?.type ?? 0, encodePayloads(ps));
const P = {
  sa: { type: PAYLOAD.SA, proposals: [] } as Payload,
  ke: { type: PAYLOAD.KE, group: 31, data: bytes(32) } as Payload,
  no: { type: PAYLOAD.NONCE, data: bytes(32) } as Payload,
  n: (t: number): Payload => ({ type: PAYLOAD.N, protocolId: 0, spi: new Uint8Array(0), notifyType: t, data: new Uint8Array(0) }),
  idi: { type: PAYLOAD.IDi, idType: 2, data: bytes(4) } as Payload,
  idr: { type: PAYLOAD.IDr, idType: 2, data: bytes(4) } as Payload,
  auth: { type: PAYLOAD.AUTH, method: 2, data: bytes(32) } as Payload,
  tsi: { ...SAMPLES.find((p) => p.type === PAYLOAD.TSr)!, type: PAYLOAD.TSi } as Payload,
  tsr: SAMPLES.find((p) => p.type === PAYLOAD.TSr)!,
  del: { type: PAYLOAD.D, protocolId: 1, spiSize: 0, spis: [] } as Payload,
  cp: SAMPLES.find((p) => p.type === PAYLOAD.CP)!,
  eap: { type: PAYLOAD.EAP, data: hex('0201000501') } as Payload,
  v: { type: PAYLOAD.V, data: bytes(16) } as Payload,
  cr: { type: PAYLOAD.CERTREQ, encoding: 4, data: bytes(20) } as Payload,
};

test('checkPayloads: what each exchange must and may carry (RFC 7296 §1.2-1.5, §2.6)', () => {
  const ok = (kind: v2.MessageKind, ...ps: Payload[]): void => assert.equal(checkPayloads(kind, d(...ps)), null, `${kind}: ${ps.map((p) => constName(PAYLOAD, p.type)).join(' ')}`);
  const bad = (kind: v2.MessageKind, re: RegExp, ...ps: Payload[]): void => assert.match(checkPayloads(kind, d(...ps)) ?? 'null', re, kind);
  ok('init-req', P.sa, P.ke, P.no, P.n(NOTIFY.NAT_DETECTION_SOURCE_IP), P.n(NOTIFY.NAT_DETECTION_DESTINATION_IP), P.v);
  ok('init-req', P.n(NOTIFY.COOKIE), P.sa, P.ke, P.no);
  bad('init-req', /no KE/, P.sa, P.no);
  bad('init-req', /2 SA payloads, at most 1/, P.sa, P.sa, P.ke, P.no);
  bad('init-req', /unexpected IDi/, P.sa, P.ke, P.no, P.idi);
  bad('init-req', /unexpected CERTREQ/, P.sa, P.ke, P.no, P.cr);
  ok('init-resp', P.sa, P.ke, P.no, P.cr, P.n(NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED));
  ok('init-resp', P.n(NOTIFY.COOKIE));
  ok('init-resp', { ...(P.n(NOTIFY.INVALID_KE_PAYLOAD) as v2.NotifyPayload), data: hex('0013') });
  ok('init-resp', P.n(NOTIFY.NO_PROPOSAL_CHOSEN));
  bad('init-resp', /notify response: no notify of a fitting type/, P.n(NOTIFY.NAT_DETECTION_SOURCE_IP));
  bad('init-resp', /no SA/, P.ke, P.no);
  ok('auth-req', P.idi, P.n(NOTIFY.INITIAL_CONTACT), P.idr, P.auth, P.sa, P.tsi, P.tsr, P.n(NOTIFY.MOBIKE_SUPPORTED));
  ok('auth-req', P.idi, P.auth, P.cp, P.sa, P.tsi, P.tsr);
  ok('auth-req', P.idi, P.auth); // childless, RFC 6023
  ok('auth-req', P.idi, P.sa, P.tsi, P.tsr); // no AUTH: EAP, §2.16
  ok('auth-req', P.eap);
  bad('auth-req', /SA, TSi without TSr/, P.idi, P.auth, P.sa, P.tsi);
  bad('auth-req', /no IDi/, P.auth, P.sa, P.tsi, P.tsr);
  bad('auth-req', /unexpected KE/, P.idi, P.auth, P.ke);
  ok('auth-resp', P.idr, P.auth, P.sa, P.tsi, P.tsr, P.n(NOTIFY.MOBIKE_SUPPORTED));
  ok('auth-resp', P.idr, P.auth, P.n(NOTIFY.TS_UNACCEPTABLE)); // IKE SA up, CHILD SA refused
  ok('auth-resp', P.n(NOTIFY.AUTHENTICATION_FAILED));
  ok('auth-resp', P.idr, P.auth, P.eap);
  bad('auth-resp', /error response: no notify of a fitting type/, P.n(NOTIFY.INITIAL_CONTACT));
  bad('auth-resp', /no IDr/, P.sa, P.tsi, P.tsr);
  ok('child-req', P.n(NOTIFY.REKEY_SA), P.sa, P.no, P.ke, P.tsi, P.tsr);
  ok('child-req', P.sa, P.no, P.tsi, P.tsr);
  ok('child-req', P.sa, P.no, P.ke); // rekeying the IKE SA, §1.3.2
  bad('child-req', /no TSi/, P.sa, P.no);
  bad('child-req', /no Nonce|no NONCE/, P.sa, P.ke, P.tsi, P.tsr);
  ok('child-resp', P.sa, P.no, P.tsi, P.tsr);
  ok('child-resp', P.sa, P.no, P.ke);
  ok('child-resp', P.n(NOTIFY.NO_ADDITIONAL_SAS));
  ok('child-resp', P.n(NOTIFY.TEMPORARY_FAILURE));
  bad('child-resp', /error response/, P.n(NOTIFY.USE_TRANSPORT_MODE));
  ok('info-req');
  ok('info-req', P.del);
  ok('info-req', P.n(NOTIFY.UPDATE_SA_ADDRESSES), P.n(NOTIFY.NAT_DETECTION_SOURCE_IP));
  ok('info-resp', P.cp);
  bad('info-req', /unexpected SA/, P.sa);
  bad('auth-req', /SK .*decrypted/, { type: PAYLOAD.SK, data: bytes(32), innerFirst: PAYLOAD.IDi });
  // Unknown non-critical payloads are ignored.
  ok('info-resp', { type: 222, critical: false, body: bytes(3) });
  assert.equal(messageKind(EXCHANGE.CREATE_CHILD_SA, true), 'child-resp');
  assert.equal(messageKind(EXCHANGE.IKE_SA_INIT, false), 'init-req');
  assert.equal(messageKind(99, false), undefined);
});

// ---- ts-util.ts ------------------------------------------------------------------------------------

test('traffic selectors from prefixes and ranges, to text, containment and intersection (§2.9)', () => {
  const a = tsFromPrefix('10.1.0.0/24');
  assert.deepEqual([toHex(a.start), toHex(a.end), a.startPort, a.endPort, a.ipProtocol, a.tsType], ['0a010000', '0a0100ff', 0, 65535, 0, TS_TYPE.IPV4_ADDR_RANGE]);
  assert.equal(tsToString(a), '10.1.0.0/24');
  assert.equal(tsToString(tsFromPrefix({ address: '10.1.0.77', length: 24 })), '10.1.0.0/24');
  const six = tsFromPrefix('2001:db8::/32', { protocol: 6, startPort: 443, endPort: 443 });
  assert.equal(tsToString(six), '2001:db8::/32[6/443]');
  assert.equal(six.start.length, 16);
  const r = tsFromRange('10.1.0.5', '10.1.0.9');
  assert.equal(tsToString(r), '10.1.0.5..10.1.0.9');
  assert.throws(() => tsFromRange('10.1.0.9', '10.1.0.5'), RangeError);
  assert.ok(tsContains(a, r) && !tsContains(r, a));
  assert.ok(!tsContains(a, six));
  const host = tsFromPrefix('10.1.0.7', { protocol: 17 });
  assert.equal(tsToString(tsIntersect(r, host)!), '10.1.0.7/32[17]');
  assert.equal(tsIntersect(a, tsFromPrefix('10.2.0.0/24')), null);
  assert.equal(tsIntersect(tsFromPrefix('0.0.0.0/0', { protocol: 6 }), tsFromPrefix('0.0.0.0/0', { protocol: 17 })), null);
  const wide = tsIntersect(tsFromPrefix('10.0.0.0/8'), tsFromPrefix('10.1.0.0/16', { startPort: 1000, endPort: 2000 }))!;
  assert.equal(tsToString(wide), '10.1.0.0/16[0/1000-2000]');
  // Round trip through a TS payload.
  const p: Payload = { type: PAYLOAD.TSr, selectors: [a, six, r] };
  assert.deepEqual(d(p)[0].payload, p);
});
