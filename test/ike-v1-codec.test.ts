// IKEv1 (ISAKMP) codec: one generic round trip over every payload kind (dns-packet style), the
// header and chain rules, the decoders' refusals and the notify types they carry, strongSwan's own
// messages decoded and re-encoded to identical bytes, and the Identification Data helpers (DNs
// checked against OpenSSL's and strongSwan's DER).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createHash } from 'node:crypto';
import * as v1 from '../src/ike/codec/v1/index.js';
import {
  AUTH_METHOD, CERT_ENCODING, DecodeError, ENCAP_MODE, EXCHANGE, FLAG, ID_TYPE, LIFE_TYPE, NOTIFY, P1_ATTR, P2_ATTR, PAYLOAD, PROTO,
  TRANSFORM_ISAKMP, attrBigInt, attrFromBigInt, attrNumber, decodeMessage, decodePayloads, encodeMessage, encodePayloads, header,
  idFromPrefix, idFromRange, idFromString, idToString, name, tsFromId, vendorIdName, type Codec, type Decoded, type Header,
  type IdPayload, type NotifyPayload, type Payload, type SaPayload,
} from '../src/ike/codec/v1/index.js';
import { formatAddress, parseAddress, parsePrefix } from '../src/dataplane/addr.js';
import { IKEV1_CAPTURES, type CapturedMessage } from './vectors/ikev1-messages.js';

/** Hex to a plain Uint8Array (not a Buffer: deepEqual compares prototypes). */
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** Runs fn, asserts it throws a DecodeError with the notify type. */
function decodeError(fn: () => unknown, notify: number, what?: string): DecodeError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DecodeError, `${what ?? ''}: threw ${String(err)}, not a DecodeError`);
    assert.equal(err.notify, notify, `${what ?? ''}: notify ${name(NOTIFY, err.notify)} (${err.message}), expected ${name(NOTIFY, notify)}`);
    return err;
  }
  assert.fail(`${what ?? ''}: no DecodeError`);
}

// ---- the generic round trip --------------------------------------------------------------------

const CODEC_OF: Record<number, Codec<any>> = {
  [PAYLOAD.SA]: v1.sa, [PAYLOAD.KE]: v1.ke, [PAYLOAD.ID]: v1.id, [PAYLOAD.CERT]: v1.cert, [PAYLOAD.CR]: v1.certreq,
  [PAYLOAD.HASH]: v1.hash, [PAYLOAD.SIG]: v1.sig, [PAYLOAD.NONCE]: v1.nonce, [PAYLOAD.N]: v1.notify, [PAYLOAD.D]: v1.del,
  [PAYLOAD.VID]: v1.vendor, [PAYLOAD.NAT_D]: v1.natd, [PAYLOAD.NAT_D_DRAFT]: v1.natd, [PAYLOAD.NAT_OA]: v1.natoa,
  [PAYLOAD.NAT_OA_DRAFT]: v1.natoa, [PAYLOAD.FRAG]: v1.frag,
};

const phase1Sa: SaPayload = {
  type: PAYLOAD.SA, doi: v1.DOI_IPSEC, situation: v1.SIT_IDENTITY_ONLY,
  proposals: [{
    number: 1, protocol: PROTO.ISAKMP, spi: new Uint8Array(0),
    transforms: [
      {
        number: 1, id: TRANSFORM_ISAKMP.KEY_IKE, attributes: [
          { type: P1_ATTR.ENCRYPTION_ALGORITHM, value: 7 }, { type: P1_ATTR.KEY_LENGTH, value: 256 },
          { type: P1_ATTR.HASH_ALGORITHM, value: 4 }, { type: P1_ATTR.GROUP_DESCRIPTION, value: 14 },
          { type: P1_ATTR.AUTHENTICATION_METHOD, value: AUTH_METHOD.PSK }, { type: P1_ATTR.LIFE_TYPE, value: LIFE_TYPE.SECONDS },
          { type: P1_ATTR.LIFE_DURATION, value: hex('00015180') },
        ],
      },
      { number: 2, id: TRANSFORM_ISAKMP.KEY_IKE, attributes: [{ type: P1_ATTR.GROUP_PRIME, value: bytes(128) }, { type: 0x7fff, value: 0xffff }] },
      { number: 3, id: TRANSFORM_ISAKMP.KEY_IKE, attributes: [] },
    ],
  }],
};
const phase2Sa: SaPayload = {
  type: PAYLOAD.SA, doi: v1.DOI_IPSEC, situation: v1.SIT_IDENTITY_ONLY,
  proposals: [
    { number: 1, protocol: PROTO.IPSEC_AH, spi: hex('c0010001'), transforms: [{ number: 1, id: 5, attributes: [{ type: P2_ATTR.AUTH_ALGORITHM, value: 5 }] }] },
    {
      number: 1, protocol: PROTO.IPSEC_ESP, spi: hex('c0010002'), transforms: [{
        number: 1, id: 20, attributes: [
          { type: P2_ATTR.KEY_LENGTH, value: 128 }, { type: P2_ATTR.ENCAPSULATION_MODE, value: ENCAP_MODE.UDP_TUNNEL_DRAFT },
          { type: P2_ATTR.SA_LIFE_TYPE, value: LIFE_TYPE.KILOBYTES }, { type: P2_ATTR.SA_LIFE_DURATION, value: hex('0000000100000000') },
          { type: P2_ATTR.EXTENDED_SEQUENCE_NUMBER, value: 1 }, { type: 200, value: new Uint8Array(0) },
        ],
      }],
    },
    { number: 2, protocol: PROTO.IPCOMP, spi: hex('1234'), transforms: [] },
  ],
};

const SAMPLES: ReadonlyArray<readonly [string, Payload]> = [
  ['SA, phase 1 (TV, TLV, long TLV, 15-bit type, empty transform)', phase1Sa],
  ['SA, phase 2 (AH+ESP bundle, IPComp, 8-byte lifetime)', phase2Sa],
  ['SA, no proposals', { type: PAYLOAD.SA, doi: 1, situation: 1, proposals: [] }],
  ['KE', { type: PAYLOAD.KE, data: bytes(256) }],
  ['ID, IPv4 address, UDP/500', { type: PAYLOAD.ID, idType: ID_TYPE.IPV4_ADDR, protocolId: 17, port: 500, data: hex('c0000201') }],
  ['ID, FQDN', { type: PAYLOAD.ID, idType: ID_TYPE.FQDN, protocolId: 0, port: 0, data: new TextEncoder().encode('gw.example') }],
  ['ID, empty data', { type: PAYLOAD.ID, idType: ID_TYPE.KEY_ID, protocolId: 0, port: 65535, data: new Uint8Array(0) }],
  ['CERT', { type: PAYLOAD.CERT, encoding: CERT_ENCODING.X509_SIGNATURE, data: bytes(700) }],
  ['CR, any CA', { type: PAYLOAD.CR, encoding: CERT_ENCODING.X509_SIGNATURE, data: new Uint8Array(0) }],
  ['CR, a CA', { type: PAYLOAD.CR, encoding: CERT_ENCODING.X509_SIGNATURE, data: bytes(42) }],
  ['HASH', { type: PAYLOAD.HASH, data: bytes(32) }],
  ['SIG', { type: PAYLOAD.SIG, data: bytes(256) }],
  ['Nonce', { type: PAYLOAD.NONCE, data: bytes(32) }],
  ['Nonce, 1 byte (the codec does not judge)', { type: PAYLOAD.NONCE, data: bytes(1) }],
  ['N, INITIAL-CONTACT', { type: PAYLOAD.N, doi: 1, protocolId: PROTO.ISAKMP, spi: bytes(16), notifyType: NOTIFY.INITIAL_CONTACT, data: new Uint8Array(0) }],
  ['N, R-U-THERE', { type: PAYLOAD.N, doi: 1, protocolId: PROTO.ISAKMP, spi: bytes(16), notifyType: NOTIFY.R_U_THERE, data: hex('00000001') }],
  ['N, no SPI', { type: PAYLOAD.N, doi: 0, protocolId: 0, spi: new Uint8Array(0), notifyType: NOTIFY.NO_PROPOSAL_CHOSEN, data: bytes(5) }],
  ['D, IKE SA', { type: PAYLOAD.D, doi: 1, protocolId: PROTO.ISAKMP, spiSize: 16, spis: [bytes(16)] }],
  ['D, three ESP SAs', { type: PAYLOAD.D, doi: 1, protocolId: PROTO.IPSEC_ESP, spiSize: 4, spis: [bytes(4, 1), bytes(4, 2), bytes(4, 3)] }],
  ['D, no SPIs', { type: PAYLOAD.D, doi: 1, protocolId: PROTO.IPSEC_ESP, spiSize: 4, spis: [] }],
  ['VID', { type: PAYLOAD.VID, data: v1.VENDOR_ID.DPD }],
  ['NAT-D (RFC 3947)', { type: PAYLOAD.NAT_D, hash: bytes(20) }],
  ['NAT-D (draft, 130)', { type: PAYLOAD.NAT_D_DRAFT, hash: bytes(16) }],
  ['NAT-OA (RFC 3947), IPv4', { type: PAYLOAD.NAT_OA, idType: ID_TYPE.IPV4_ADDR, address: parseAddress('10.0.0.1') }],
  ['NAT-OA (draft, 131), IPv6', { type: PAYLOAD.NAT_OA_DRAFT, idType: ID_TYPE.IPV6_ADDR, address: parseAddress('2001:db8::7') }],
  ['FRAG', { type: PAYLOAD.FRAG, fragmentId: 1, fragmentNumber: 2, flags: v1.FRAG_LAST, data: bytes(500) }],
  ['unknown type 14 (Mode Config attributes)', { type: 14, data: bytes(12) }],
  ['unknown type 2 (a Proposal where a payload should be)', { type: PAYLOAD.P, data: bytes(8) }],
  ['unknown type 255, empty', { type: 255, data: new Uint8Array(0) }],
];

test('every payload kind: encode → decode gives it back, encodingLength is the encoded length', () => {
  for (const [what, p] of SAMPLES) {
    const codec = CODEC_OF[p.type];
    if (codec) {
      const body = codec.encode(p);
      assert.equal(body.length, codec.encodingLength(p), `${what}: encodingLength`);
      // NAT-D / NAT-OA decoders are told the payload number they came with.
      const decode = (b: Uint8Array, offset: number) => (codec as typeof v1.natd).decode(b, offset, body.length, p.type as 20);
      assert.deepEqual(decode(body, 0), p, what);
      // At an offset inside a bigger buffer, and decoding at an offset.
      const big = new Uint8Array(body.length + 10).fill(0xee);
      assert.equal(codec.encode(p, big, 7), big, `${what}: returns the buffer it wrote into`);
      assert.deepEqual(big.subarray(7, 7 + body.length), body, `${what}: at offset 7`);
      assert.deepEqual(big[6], 0xee, `${what}: byte before untouched`);
      assert.deepEqual(big.subarray(7 + body.length), new Uint8Array(3).fill(0xee), `${what}: bytes after untouched`);
      assert.deepEqual(decode(big, 7), p, `${what}: decoded at offset 7`);
    }
    // As a one-payload chain, with the generic header.
    const chain = encodePayloads([p]);
    assert.equal(chain.length, 4 + (codec ? codec.encodingLength(p) : (p as v1.UnknownPayload).data.length));
    assert.deepEqual(chain.subarray(0, 4), Uint8Array.of(0, 0, chain.length >> 8, chain.length & 0xff), `${what}: generic header`);
    const [d] = decodePayloads(p.type, chain);
    assert.deepEqual(d.payload, p, `${what} (chain)`);
    assert.deepEqual(d.raw, chain);
    assert.deepEqual(d.body, chain.subarray(4));
    assert.deepEqual(v1.body(d.raw), d.body);
    assert.deepEqual(v1.encodePayloadBody(p), d.body, `${what}: encodePayloadBody`);
  }
});

test('a chain of every payload kind: next-payload bytes link them, decode gives the list back', () => {
  const payloads = SAMPLES.map(([, p]) => p);
  const chain = encodePayloads(payloads);
  assert.equal(chain.length, v1.payloadsLength(payloads));
  const decoded = decodePayloads(payloads[0].type, chain);
  assert.deepEqual(decoded.map((d) => d.payload), payloads);
  let at = 0;
  decoded.forEach((d, i) => {
    assert.equal(d.raw.byteOffset - chain.byteOffset, at, 'raw is a view of the body');
    assert.equal(d.raw[0], i + 1 < payloads.length ? payloads[i + 1].type : 0, `next payload of #${i}`);
    at += d.raw.length;
  });
  assert.equal(at, chain.length);
  // A whole message, and the header names the first payload.
  const h = { icookie: bytes(8, 5), rcookie: bytes(8, 6), version: 0x10, exchange: EXCHANGE.INFORMATIONAL, flags: 0, messageId: 0xfedcba98 };
  const msg = encodeMessage(h, payloads);
  const { header: got, body } = decodeMessage(msg);
  assert.deepEqual(got, { ...h, nextPayload: payloads[0].type, length: msg.length });
  assert.deepEqual(body, chain);
  assert.deepEqual(encodeMessage(h, []).length, 28);
  assert.equal(decodeMessage(encodeMessage(h, [])).header.nextPayload, 0);
});

test('attributes: TV below 2^16, TLV of 4 bytes up to 2^32 - 1 and 8 beyond (as strongSwan); attrNumber, attrBigInt', () => {
  const enc = (value: number | Uint8Array) => {
    const sa: SaPayload = { type: PAYLOAD.SA, doi: 1, situation: 1, proposals: [{ number: 1, protocol: 1, spi: new Uint8Array(0), transforms: [{ number: 1, id: 1, attributes: [{ type: 12, value }] }] }] };
    const body = v1.sa.encode(sa);
    return { wire: toHex(body.subarray(24)), back: v1.sa.decode(body, 0, body.length).proposals[0].transforms[0].attributes[0] };
  };
  assert.equal(enc(0).wire, '800c0000');
  assert.equal(enc(65535).wire, '800cffff');
  assert.equal(enc(65536).wire, '000c000400010000');
  assert.equal(enc(86400).wire, '000c000400015180');
  assert.equal(enc(0xffffffff).wire, '000c0004ffffffff');
  assert.equal(enc(2 ** 32).wire, '000c00080000000100000000');
  assert.equal(enc(Number.MAX_SAFE_INTEGER).wire, '000c0008001fffffffffffff');
  assert.equal(enc(hex('01')).wire, '000c000101', 'bytes are sent as they are, even short ones');
  assert.equal(enc(new Uint8Array(0)).wire, '000c0000');
  for (const v of [0, 1, 65535, 65536, 86400, 0xffffffff]) assert.equal(attrNumber(enc(v).back), v);
  assert.equal(attrNumber(enc(2 ** 32).back), undefined, 'more than 4 bytes: use attrBigInt');
  assert.equal(attrBigInt(enc(2 ** 32).back), 2n ** 32n);
  assert.equal(attrBigInt(enc(Number.MAX_SAFE_INTEGER).back), BigInt(Number.MAX_SAFE_INTEGER));
  assert.equal(attrBigInt({ type: 1, value: 7 }), 7n);
  assert.equal(attrNumber({ type: 1, value: new Uint8Array(0) }), 0);
  assert.deepEqual(attrFromBigInt(2, 3600n), { type: 2, value: 3600 });
  assert.deepEqual(attrFromBigInt(2, 86400n), { type: 2, value: hex('00015180') });
  assert.deepEqual(attrFromBigInt(2, 2n ** 64n - 1n), { type: 2, value: hex('ffffffffffffffff') });
  assert.throws(() => attrFromBigInt(2, 2n ** 64n), RangeError);
  assert.throws(() => enc(-1), RangeError);
  assert.throws(() => enc(1.5), RangeError);
  assert.throws(() => v1.sa.encode({ ...phase1Sa, proposals: [{ ...phase1Sa.proposals[0], transforms: [{ number: 1, id: 1, attributes: [{ type: 0x8000, value: 1 }] }] }] }), RangeError);
});

// ---- header ------------------------------------------------------------------------------------

const HDR: Header = {
  icookie: hex('0102030405060708'), rcookie: hex('1112131415161718'), nextPayload: PAYLOAD.SA, version: 0x10,
  exchange: EXCHANGE.IDENTITY_PROTECTION, flags: FLAG.ENCRYPTION, messageId: 0xdeadbeef, length: 28,
};

test('header: RFC 2408 §3.1 layout, round trip', () => {
  const b = header.encode(HDR);
  assert.equal(toHex(b), '0102030405060708111213141516171801100201deadbeef0000001c');
  assert.equal(b.length, v1.HEADER_BYTES);
  assert.equal(header.encodingLength(), 28);
  assert.deepEqual(header.decode(b), HDR);
  const padded = new Uint8Array(40);
  padded.set(b, 5);
  padded[5 + 27] = 28 + 7; // length 35: all the bytes from offset 5 on
  assert.deepEqual(header.decode(padded, 5), { ...HDR, length: 35 });
  assert.deepEqual(header.decode(header.encode({ ...HDR, version: 0x1f })).version, 0x1f, 'minor version not checked');
});

test('header: decode refuses with the notify type RFC 2408 §5.2 names', () => {
  const b = (h: Partial<Header>, extra = 0): Uint8Array => {
    const out = new Uint8Array(28 + extra);
    header.encode({ ...HDR, ...h }, out);
    return out;
  };
  decodeError(() => header.decode(b({ version: 0x20 })), NOTIFY.INVALID_MAJOR_VERSION, 'IKEv2');
  decodeError(() => header.decode(b({ version: 0x00 })), NOTIFY.INVALID_MAJOR_VERSION, 'version 0');
  decodeError(() => header.decode(b({ exchange: 0 })), NOTIFY.INVALID_EXCHANGE_TYPE);
  decodeError(() => header.decode(b({ flags: 0x08 })), NOTIFY.INVALID_FLAGS);
  decodeError(() => header.decode(b({ flags: 0x80 })), NOTIFY.INVALID_FLAGS);
  decodeError(() => header.decode(b({ length: 27 })), NOTIFY.PAYLOAD_MALFORMED, 'length below 28');
  decodeError(() => header.decode(b({ length: 0 })), NOTIFY.PAYLOAD_MALFORMED);
  decodeError(() => header.decode(b({ length: 29 })), NOTIFY.PAYLOAD_MALFORMED, 'length past the buffer');
  decodeError(() => header.decode(b({ length: 0xffffffff })), NOTIFY.PAYLOAD_MALFORMED);
  decodeError(() => header.decode(new Uint8Array(27)), NOTIFY.PAYLOAD_MALFORMED, 'truncated');
  decodeError(() => header.decode(b({}), 1), NOTIFY.PAYLOAD_MALFORMED, 'offset');
  assert.deepEqual(header.decode(b({ length: 30 }, 2)).length, 30);
  for (const flags of [0, 1, 2, 4, 7]) assert.equal(header.decode(b({ flags })).flags, flags);
  assert.throws(() => header.encode({ ...HDR, icookie: new Uint8Array(7) }), RangeError);
  assert.throws(() => header.encode({ ...HDR, messageId: 2 ** 32 }), RangeError);
});

test('decodeMessage: the body ends at the header Length; bytes beyond are ignored', () => {
  const msg = encodeMessage(HDR, { nextPayload: PAYLOAD.HASH, body: bytes(48) });
  assert.equal(msg.length, 76);
  const longer = new Uint8Array(100);
  longer.set(msg);
  const { header: h, body } = decodeMessage(longer);
  assert.equal(h.length, 76);
  assert.equal(h.nextPayload, PAYLOAD.HASH);
  assert.deepEqual(body, bytes(48));
  assert.equal(body.buffer, longer.buffer, 'a view, not a copy');
  decodeError(() => decodeMessage(msg.subarray(0, 75)), NOTIFY.PAYLOAD_MALFORMED);
});

// ---- chains ------------------------------------------------------------------------------------

test('chains: padding after the last payload is ignored; broken lengths are refused', () => {
  const two = encodePayloads([{ type: PAYLOAD.HASH, data: bytes(20) }, { type: PAYLOAD.NONCE, data: bytes(16) }]);
  for (const pad of [0, 1, 3, 16, 255]) {
    const padded = new Uint8Array(two.length + pad);
    padded.set(two);
    padded.fill(pad & 1 ? 0xff : 0, two.length);
    assert.equal(decodePayloads(PAYLOAD.HASH, padded).length, 2, `${pad} bytes of padding`);
  }
  assert.deepEqual(decodePayloads(PAYLOAD.NONE, two), [], 'first = 0: no payloads, all padding');
  assert.deepEqual(decodePayloads(PAYLOAD.NONE, new Uint8Array(0)), []);
  const broken = (patch: (b: Uint8Array) => void, first: number = PAYLOAD.HASH): (() => Decoded[]) => {
    const b = two.slice();
    patch(b);
    return () => decodePayloads(first, b);
  };
  decodeError(broken((b) => { b[3] = 3; }), NOTIFY.PAYLOAD_MALFORMED, 'length 3');
  decodeError(broken((b) => { b[2] = 0; b[3] = 0; }), NOTIFY.PAYLOAD_MALFORMED, 'length 0');
  decodeError(broken((b) => { b[27] = 21; }), NOTIFY.PAYLOAD_MALFORMED, 'second runs past by one');
  decodeError(broken((b) => { b[24] = PAYLOAD.KE; }), NOTIFY.PAYLOAD_MALFORMED, 'a third payload announced, no bytes');
  decodeError(() => decodePayloads(PAYLOAD.HASH, two.subarray(0, 3)), NOTIFY.PAYLOAD_MALFORMED, 'header truncated');
  decodeError(() => decodePayloads(PAYLOAD.HASH, new Uint8Array(0)), NOTIFY.PAYLOAD_MALFORMED, 'empty body');
  // An unknown type is kept opaque when its length fits, refused as INVALID_PAYLOAD_TYPE when not.
  assert.deepEqual(decodePayloads(99, two)[0].payload, { type: 99, data: bytes(20) });
  decodeError(broken((b) => { b[24] = 99; }), NOTIFY.INVALID_PAYLOAD_TYPE, 'unknown type, no room');
  decodeError(broken((b) => { b[26] = 0xff; }, 99), NOTIFY.PAYLOAD_MALFORMED, 'second (known) runs past');
  decodeError(broken((b) => { b[2] = 0xff; }, 99), NOTIFY.INVALID_PAYLOAD_TYPE, 'unknown first, length past the body');
  // A payload's own decoder refusing propagates.
  const badSa = encodePayloads([{ type: PAYLOAD.SA, doi: 2, situation: 1, proposals: [] }]);
  decodeError(() => decodePayloads(PAYLOAD.SA, badSa), NOTIFY.DOI_NOT_SUPPORTED);
  assert.throws(() => encodePayloads([{ type: 0, data: bytes(1) }]), RangeError);
  assert.throws(() => encodePayloads([{ type: PAYLOAD.KE, data: new Uint8Array(65532) }]), RangeError, 'payload longer than 65535');
  assert.equal(encodePayloads([{ type: PAYLOAD.KE, data: new Uint8Array(65531) }]).length, 65535);
});

test('payload header codec and the type guards', () => {
  assert.equal(toHex(v1.payloadHeader.encode({ nextPayload: 13, length: 0x1234 })), '0d001234');
  assert.deepEqual(v1.payloadHeader.decode(hex('0dff1234')), { nextPayload: 13, length: 0x1234 }, 'RESERVED ignored');
  decodeError(() => v1.payloadHeader.decode(hex('0d000003')), NOTIFY.PAYLOAD_MALFORMED);
  decodeError(() => v1.payloadHeader.decode(hex('0d00')), NOTIFY.PAYLOAD_MALFORMED);
  const list: Payload[] = [{ type: PAYLOAD.NONCE, data: bytes(4) }, { type: 77, data: bytes(1) }, { type: PAYLOAD.NONCE, data: bytes(8) }];
  assert.deepEqual(v1.findPayloads(list, PAYLOAD.NONCE).map((p) => p.data.length), [4, 8]);
  assert.ok(v1.isPayload(list[0], PAYLOAD.NONCE) && !v1.isPayload(list[1], PAYLOAD.NONCE));
  assert.ok(v1.isKnownPayloadType(130) && !v1.isKnownPayloadType(2) && !v1.isKnownPayloadType(14));
});

// ---- the payload decoders' refusals ------------------------------------------------------------

test('SA: DOI, situation, proposal and transform structure (RFC 2408 §3.4-3.6, §5.4-5.6)', () => {
  const good = v1.sa.encode(phase2Sa);
  const dec = (b: Uint8Array) => () => v1.sa.decode(b, 0, b.length);
  const patched = (at: number, v: number) => {
    const b = good.slice();
    b[at] = v;
    return dec(b);
  };
  decodeError(patched(3, 0), NOTIFY.DOI_NOT_SUPPORTED, 'DOI 0');
  decodeError(patched(3, 2), NOTIFY.DOI_NOT_SUPPORTED, 'DOI 2');
  decodeError(patched(7, 3), NOTIFY.SITUATION_NOT_SUPPORTED, 'SIT_SECRECY');
  decodeError(patched(7, 5), NOTIFY.SITUATION_NOT_SUPPORTED, 'SIT_INTEGRITY');
  assert.equal(patched(7, 0)().situation, 0, 'situation 0 is accepted');
  decodeError(dec(good.subarray(0, 7)), NOTIFY.PAYLOAD_MALFORMED, 'no situation');
  // proposal 1 at 8: next(8) len(10,11) num proto spisize(14) count(15)
  decodeError(patched(8, 0), NOTIFY.BAD_PROPOSAL_SYNTAX, 'first proposal says it is the last');
  decodeError(patched(8, 3), NOTIFY.BAD_PROPOSAL_SYNTAX, 'next payload T for a proposal');
  decodeError(patched(15, 2), NOTIFY.BAD_PROPOSAL_SYNTAX, 'two transforms announced, one present');
  decodeError(patched(15, 0), NOTIFY.BAD_PROPOSAL_SYNTAX, 'no transforms announced, one present');
  decodeError(patched(14, 200), NOTIFY.PAYLOAD_MALFORMED, 'SPI size past the proposal');
  decodeError(patched(11, 7), NOTIFY.PAYLOAD_MALFORMED, 'proposal length below its header');
  decodeError(patched(10, 1), NOTIFY.PAYLOAD_MALFORMED, 'proposal length past the SA');
  // transform of proposal 1 at 20: next(20) len(22,23)
  decodeError(patched(20, 3), NOTIFY.BAD_PROPOSAL_SYNTAX, 'last transform says more follow');
  decodeError(patched(23, 7), NOTIFY.PAYLOAD_MALFORMED, 'transform length below its header');
  decodeError(patched(23, 13), NOTIFY.PAYLOAD_MALFORMED, 'transform length past its proposal');
  decodeError(patched(23, 11), NOTIFY.PAYLOAD_MALFORMED, 'attribute cut by the transform length');
  // the last proposal says another follows; the SA has stray bytes after its last proposal
  const lastNext = good.length - 8 - 2; // IPComp proposal: 8-byte header + 2-byte SPI
  decodeError(patched(lastNext, 2), NOTIFY.BAD_PROPOSAL_SYNTAX, 'last proposal says more follow');
  const stray = new Uint8Array(good.length + 8);
  stray.set(good);
  decodeError(dec(stray), NOTIFY.BAD_PROPOSAL_SYNTAX, 'bytes after the last proposal');
  const stray3 = stray.slice(0, good.length + 3);
  stray3[lastNext] = PAYLOAD.P;
  decodeError(dec(stray3), NOTIFY.PAYLOAD_MALFORMED, 'another proposal announced, fewer bytes than its header');
  // a TLV attribute whose length runs past its transform
  const one: SaPayload = { type: PAYLOAD.SA, doi: 1, situation: 1, proposals: [{ number: 1, protocol: 1, spi: new Uint8Array(0), transforms: [{ number: 1, id: 1, attributes: [{ type: 6, value: bytes(4) }] }] }] };
  const b1 = v1.sa.encode(one);
  b1[b1.length - 5] = 5;
  decodeError(dec(b1), NOTIFY.PAYLOAD_MALFORMED, 'TLV past the transform');
});

test('other payloads: lengths that do not add up', () => {
  const d = (codec: Codec<unknown>, h: string) => () => codec.decode(hex(h), 0, hex(h).length);
  decodeError(d(v1.id, '010000'), NOTIFY.PAYLOAD_MALFORMED, 'ID shorter than 4');
  decodeError(d(v1.cert, ''), NOTIFY.PAYLOAD_MALFORMED, 'CERT without encoding');
  decodeError(d(v1.certreq, ''), NOTIFY.PAYLOAD_MALFORMED, 'CR without type');
  decodeError(d(v1.notify, '00000001010060'), NOTIFY.PAYLOAD_MALFORMED, 'N shorter than 8');
  decodeError(d(v1.notify, '0000000101046002aabbcc'), NOTIFY.PAYLOAD_MALFORMED, 'N SPI past the end');
  assert.deepEqual((v1.notify.decode(hex('0000000101046002aabbccdd'), 0, 12) as NotifyPayload).spi, hex('aabbccdd'));
  decodeError(d(v1.del, '00000001030400'), NOTIFY.PAYLOAD_MALFORMED, 'D shorter than 8');
  decodeError(d(v1.del, '0000000103040002aabbccdd'), NOTIFY.PAYLOAD_MALFORMED, 'D: 2 SPIs announced, 1 present');
  decodeError(d(v1.del, '0000000103040001aabbccddee'), NOTIFY.PAYLOAD_MALFORMED, 'D: a stray byte');
  decodeError(d(v1.del, '000000010300ffff'), NOTIFY.PAYLOAD_MALFORMED, 'D: 65535 SPIs of size 0');
  decodeError(d(v1.natoa, '010000'), NOTIFY.PAYLOAD_MALFORMED, 'NAT-OA shorter than 4');
  decodeError(d(v1.natoa, '01000000c00002'), NOTIFY.PAYLOAD_MALFORMED, 'NAT-OA: 3 address bytes');
  decodeError(d(v1.natoa, '05000000c0000201'), NOTIFY.PAYLOAD_MALFORMED, 'NAT-OA: IPv6 with 4 bytes');
  decodeError(d(v1.natoa, '02000000c0000201'), NOTIFY.INVALID_ID_INFORMATION, 'NAT-OA: an FQDN');
  decodeError(d(v1.frag, '000101'), NOTIFY.PAYLOAD_MALFORMED, 'FRAG shorter than 4');
  assert.deepEqual(v1.natoa.decode(hex('01ffffffc0000201'), 0, 8).address, parseAddress('192.0.2.1'), 'RESERVED ignored');
  decodeError(() => v1.ke.decode(bytes(4), 2, 3), NOTIFY.PAYLOAD_MALFORMED, 'body past the buffer');
  decodeError(() => v1.ke.decode(bytes(4), -1, 1), NOTIFY.PAYLOAD_MALFORMED, 'negative offset');
  assert.throws(() => v1.natoa.encode({ type: PAYLOAD.NAT_OA, idType: ID_TYPE.IPV4_ADDR, address: parseAddress('::1') }), RangeError);
  assert.throws(() => v1.del.encode({ type: PAYLOAD.D, doi: 1, protocolId: 3, spiSize: 4, spis: [bytes(3)] }), RangeError);
  assert.throws(() => v1.ke.encode({ type: PAYLOAD.KE, data: bytes(4) }, new Uint8Array(3)), RangeError, 'no room');
});

// ---- constants ---------------------------------------------------------------------------------

test('constants: RFC numbers, name() for logs, vendor IDs recomputed from what they hash', () => {
  assert.equal(name(NOTIFY, 14), 'NO_PROPOSAL_CHOSEN');
  assert.equal(name(NOTIFY, 36137), 'R_U_THERE_ACK');
  assert.equal(name(NOTIFY, 12345), 12345);
  assert.equal(name(EXCHANGE, 2), 'IDENTITY_PROTECTION');
  assert.equal(name(PAYLOAD, 130), 'NAT_D_DRAFT');
  // RFC 2408 §3.14.1: the error types are 1..30 in the RFC's order.
  const errors = ['INVALID_PAYLOAD_TYPE', 'DOI_NOT_SUPPORTED', 'SITUATION_NOT_SUPPORTED', 'INVALID_COOKIE', 'INVALID_MAJOR_VERSION',
    'INVALID_MINOR_VERSION', 'INVALID_EXCHANGE_TYPE', 'INVALID_FLAGS', 'INVALID_MESSAGE_ID', 'INVALID_PROTOCOL_ID', 'INVALID_SPI',
    'INVALID_TRANSFORM_ID', 'ATTRIBUTES_NOT_SUPPORTED', 'NO_PROPOSAL_CHOSEN', 'BAD_PROPOSAL_SYNTAX', 'PAYLOAD_MALFORMED',
    'INVALID_KEY_INFORMATION', 'INVALID_ID_INFORMATION', 'INVALID_CERT_ENCODING', 'INVALID_CERTIFICATE', 'CERT_TYPE_UNSUPPORTED',
    'INVALID_CERT_AUTHORITY', 'INVALID_HASH_INFORMATION', 'AUTHENTICATION_FAILED', 'INVALID_SIGNATURE', 'ADDRESS_NOTIFICATION',
    'NOTIFY_SA_LIFETIME', 'CERTIFICATE_UNAVAILABLE', 'UNSUPPORTED_EXCHANGE_TYPE', 'UNEQUAL_PAYLOAD_LENGTHS'];
  errors.forEach((e, i) => assert.equal(NOTIFY[e as keyof typeof NOTIFY], i + 1, e));
  assert.equal(new DecodeError('x').notify, NOTIFY.PAYLOAD_MALFORMED);
  assert.equal(new DecodeError('x').name, 'DecodeError');

  const md5 = (s: string) => new Uint8Array(createHash('md5').update(s).digest());
  const V = v1.VENDOR_ID;
  assert.deepEqual(V.NATT_RFC3947, md5('RFC 3947'));
  assert.deepEqual(V.NATT_DRAFT_02, md5('draft-ietf-ipsec-nat-t-ike-02'));
  assert.deepEqual(V.NATT_DRAFT_02N, md5('draft-ietf-ipsec-nat-t-ike-02\n'));
  assert.deepEqual(V.NATT_DRAFT_03, md5('draft-ietf-ipsec-nat-t-ike-03'));
  assert.deepEqual(V.STRONGSWAN, md5('strongSwan'));
  assert.deepEqual(V.FRAGMENTATION, md5('FRAGMENTATION'));
  assert.deepEqual(V.MS_NT5, md5('MS NT5 ISAKMPOAKLEY'));
  assert.deepEqual(V.XAUTH, md5('draft-ietf-ipsra-isakmp-xauth-06.txt').subarray(0, 8));
  assert.deepEqual(V.CISCO_UNITY, md5('CISCO-UNITY').subarray(0, 14));
  assert.equal(vendorIdName(hex('afcad71368a1f1c96b8696fc77570100')), 'DPD');
  assert.equal(vendorIdName(hex('afcad71368a1f1c96b8696fc77570101')), undefined, 'DPD 1.1 is not a known version');
  assert.equal(vendorIdName(hex('4048b7d56ebce88525e7de7f00d6c2d3')), 'FRAGMENTATION', 'without capabilities (Windows)');
  assert.equal(vendorIdName(hex('4048b7d56ebce88525e7de7f00d6c2d3c0000000')), 'FRAGMENTATION');
  assert.equal(vendorIdName(hex('12f5f28c457168a9702d9fe274cc0100')), 'CISCO_UNITY');
  assert.equal(vendorIdName(hex('4a131c81070358455c5728f20e95452f00')), undefined, 'NAT-T must match exactly');
  assert.equal(vendorIdName(new Uint8Array(0)), undefined);
});

// ---- strongSwan's messages ---------------------------------------------------------------------

const SWAN_EXCHANGE: Record<number, string> = { 2: 'ID_PROT', 4: 'AGGRESSIVE', 5: 'INFORMATIONAL_V1', 32: 'QUICK_MODE' };
const SWAN_PAYLOAD: Record<number, string> = { 1: 'SA', 4: 'KE', 5: 'ID', 6: 'CERT', 7: 'CERTREQ', 8: 'HASH', 9: 'SIG', 10: 'No', 12: 'D', 13: 'V', 20: 'NAT-D', 21: 'NAT-OA' };
const SWAN_NOTIFY: Record<number, string> = { 14: 'NO_PROP', 24578: 'INITIAL_CONTACT', 36136: 'DPD', 36137: 'DPD_ACK' };
/** Our reading in strongSwan's notation ("ID_PROT 0 [ SA V V V V ]"). */
const swanSummary = (h: Header, payloads: readonly Payload[]): string =>
  `${SWAN_EXCHANGE[h.exchange]} ${h.messageId} [ ${payloads.map((p) => (p.type === PAYLOAD.N ? `N(${SWAN_NOTIFY[(p as NotifyPayload).notifyType]})` : SWAN_PAYLOAD[p.type] ?? `?${p.type}`)).join(' ')} ]`;

interface Read {
  m: CapturedMessage;
  header: Header;
  decoded: Decoded[];
  payloads: Payload[];
}

/** Every captured message decoded: header, decryption checked against the stored plaintext, payloads. */
function readCapture(c: (typeof IKEV1_CAPTURES)[number]): Read[] {
  return c.messages.map((m) => {
    const wire = hex(m.wire);
    const { header: h, body } = decodeMessage(wire);
    let plain = body;
    if (m.plaintext) {
      assert.ok(c.key && m.iv, 'encrypted messages come with key and IV');
      const key = hex(c.key), d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, hex(m.iv));
      d.setAutoPadding(false);
      plain = new Uint8Array(Buffer.concat([d.update(body), d.final()]));
      assert.deepEqual(plain, hex(m.plaintext), 'AES-CBC with the stored key and IV gives the stored plaintext');
    }
    const decoded = decodePayloads(h.nextPayload, plain);
    return { m, header: h, decoded, payloads: decoded.map((d) => d.payload) };
  });
}

test('strongSwan 5.9.8 messages: headers, strongSwan\'s own reading, byte-exact re-encoding, padding', () => {
  let count = 0;
  for (const c of IKEV1_CAPTURES) {
    const reads = readCapture(c);
    const icookie = reads[0].header.icookie, rcookie = reads[1]?.header.rcookie;
    reads.forEach(({ m, header: h, decoded, payloads }, i) => {
      const what = `${c.name} #${i + 1} (${m.strongswan})`;
      const wire = hex(m.wire);
      assert.equal(h.length, wire.length, `${what}: Length is the datagram`);
      assert.equal(h.version, 0x10, what);
      assert.deepEqual(h.icookie, icookie, `${what}: one IKE SA`);
      assert.deepEqual(h.rcookie, i === 0 ? new Uint8Array(8) : rcookie, `${what}: responder cookie zero only in the first message`);
      assert.equal(!!(h.flags & FLAG.ENCRYPTION), !!m.plaintext, `${what}: E flag`);
      assert.equal(h.flags & ~FLAG.ENCRYPTION, 0, what);
      if (m.port === 4500) assert.ok(m.plaintext, `${what}: after the float to 4500 everything is encrypted`);
      assert.equal(swanSummary(h, payloads), m.strongswan, `${what}: our reading = strongSwan's`);
      // Re-encode: the payloads give back the bytes they came from.
      const used = decoded.reduce((n, d) => n + d.raw.length, 0);
      const plain = m.plaintext ? hex(m.plaintext) : decodeMessage(wire).body;
      assert.deepEqual(encodePayloads(payloads), plain.subarray(0, used), `${what}: payloads re-encode`);
      const hdr = { icookie: h.icookie, rcookie: h.rcookie, version: h.version, exchange: h.exchange, flags: h.flags, messageId: h.messageId };
      if (m.plaintext) {
        // strongSwan pads with zeros to the 16-byte AES block, a whole block when already aligned.
        const padding = plain.subarray(used);
        assert.ok(padding.length >= 1 && padding.length <= 16 && plain.length % 16 === 0, `${what}: ${padding.length} bytes of padding`);
        assert.ok(padding.every((b) => b === 0), `${what}: zero padding`);
        assert.deepEqual(encodeMessage(hdr, { nextPayload: h.nextPayload, body: decodeMessage(wire).body }), wire, `${what}: message re-encodes`);
      } else {
        assert.equal(used, plain.length, `${what}: no trailing bytes in a cleartext message`);
        assert.deepEqual(encodeMessage(hdr, payloads), wire, `${what}: message re-encodes`);
      }
      count++;
    });
  }
  assert.equal(count, IKEV1_CAPTURES.reduce((n, c) => n + c.messages.length, 0));
});

const sa = (p: Payload): SaPayload => p as SaPayload;
const attrs = (p: Payload, proposal = 0, transform = 0): Record<string, number | string> =>
  Object.fromEntries(sa(p).proposals[proposal].transforms[transform].attributes.map((a) => [a.type, typeof a.value === 'number' ? a.value : toHex(a.value)]));
const vids = (ps: readonly Payload[]): (string | undefined)[] => v1.findPayloads(ps, PAYLOAD.VID).map((v) => vendorIdName(v.data));
const idOf = (p: Payload): IdPayload => p as IdPayload;

test('strongSwan main mode: proposals, attributes (TV and 4-byte TLV), vendor IDs, NAT-D, IDs, notifies, Quick Mode, DPD, deletes', () => {
  const r = readCapture(IKEV1_CAPTURES.find((c) => c.name === 'mainModePsk')!);
  const [mm1, mm2, mm3, mm4, mm5, mm6, qm1, qm2, qm3] = r;
  // MM1: one ISAKMP proposal, one transform per configured proposal (RFC 2409 §5: phase 1 offers
  // alternatives as transforms). Attribute order as strongSwan writes it.
  const p = sa(mm1.payloads[0]).proposals;
  assert.equal(p.length, 1);
  assert.equal(p[0].protocol, PROTO.ISAKMP);
  assert.equal(p[0].spi.length, 0);
  assert.deepEqual(p[0].transforms.map((t) => [t.number, t.id]), [[1, TRANSFORM_ISAKMP.KEY_IKE], [2, TRANSFORM_ISAKMP.KEY_IKE]]);
  assert.deepEqual(sa(mm1.payloads[0]).proposals[0].transforms[0].attributes.map((a) => a.type),
    [P1_ATTR.ENCRYPTION_ALGORITHM, P1_ATTR.KEY_LENGTH, P1_ATTR.HASH_ALGORITHM, P1_ATTR.GROUP_DESCRIPTION, P1_ATTR.AUTHENTICATION_METHOD, P1_ATTR.LIFE_TYPE, P1_ATTR.LIFE_DURATION]);
  // aes128-sha256-x25519: AES-CBC 7, 128 bits, SHA2-256 4, group 31; PSK; 24 h + 10 % = 95040 s,
  // above 65535 and so a 4-byte TLV.
  assert.deepEqual(attrs(mm1.payloads[0]), { 1: 7, 14: 128, 2: 4, 4: 31, 3: AUTH_METHOD.PSK, 11: LIFE_TYPE.SECONDS, 12: '00017340' });
  assert.equal(attrNumber(sa(mm1.payloads[0]).proposals[0].transforms[0].attributes[6]), 95040);
  // aes256-sha1-modp2048: 7, 256, SHA 2, group 14.
  assert.deepEqual(attrs(mm1.payloads[0], 0, 1), { 1: 7, 14: 256, 2: 2, 4: 14, 3: 1, 11: 1, 12: '00017340' });
  // MM2: the responder returns the chosen transform as it was offered.
  assert.deepEqual(sa(mm2.payloads[0]).proposals[0].transforms, [sa(mm1.payloads[0]).proposals[0].transforms[0]]);
  assert.deepEqual(vids(mm1.payloads), ['XAUTH', 'DPD', 'FRAGMENTATION', 'NATT_RFC3947', 'NATT_DRAFT_02N']);
  assert.deepEqual(vids(mm2.payloads), ['XAUTH', 'DPD', 'FRAGMENTATION', 'NATT_RFC3947'], 'the responder names the NAT-T version it picked');
  assert.equal(toHex(v1.findPayloads(mm1.payloads, PAYLOAD.VID)[2].data).slice(32), '80000000', 'fragmentation of phase 1 offered');
  // MM3/MM4: Curve25519 public values, 32-byte nonces, NAT-D as RFC 3947's payload 20 with SHA-256.
  for (const m of [mm3, mm4]) {
    assert.equal(v1.findPayloads(m.payloads, PAYLOAD.KE)[0].data.length, 32);
    assert.equal(v1.findPayloads(m.payloads, PAYLOAD.NONCE)[0].data.length, 32);
    assert.deepEqual(v1.findPayloads(m.payloads, PAYLOAD.NAT_D).map((n) => n.hash.length), [32, 32]);
  }
  // MM5/MM6: IDs (protocol and port 0), INITIAL-CONTACT about the IKE SA: SPI = the two cookies.
  assert.deepEqual(idOf(mm5.payloads[0]), { type: PAYLOAD.ID, idType: ID_TYPE.IPV4_ADDR, protocolId: 0, port: 0, data: hex('c0000201') });
  assert.equal(idToString(ID_TYPE.IPV4_ADDR, idOf(mm6.payloads[0]).data), '192.0.2.2');
  const ic = mm5.payloads[2] as NotifyPayload;
  assert.deepEqual([ic.doi, ic.protocolId, ic.notifyType, ic.data.length], [1, PROTO.ISAKMP, NOTIFY.INITIAL_CONTACT, 0]);
  assert.deepEqual(ic.spi, new Uint8Array([...mm5.header.icookie, ...mm5.header.rcookie]));
  // Main Mode's HASH_I covers IDii_b, the ID body without its generic header (RFC 2409 §5).
  assert.deepEqual(mm5.decoded[0].body, v1.id.encode(idOf(mm5.payloads[0])));
  assert.equal(mm5.payloads[1].type, PAYLOAD.HASH);
  assert.equal((mm5.payloads[1] as v1.HashPayload).data.length, 32, 'HMAC-SHA256');
  // Quick Mode: HASH(1) first; ESP proposals with 4-byte SPIs; UDP-encapsulated tunnel (RFC 3947,
  // value 3) since charon fakes a NAT for kernel-libipsec; lifetime in seconds (TV) and in
  // kilobytes (4,000,000 as a 4-byte TLV); two proposals offered, the first chosen.
  assert.equal(qm1.payloads[0].type, PAYLOAD.HASH);
  const qp = sa(qm1.payloads[1]).proposals;
  assert.deepEqual(qp.map((x) => [x.number, x.protocol, x.spi.length, x.transforms.map((t) => t.id)]), [[1, PROTO.IPSEC_ESP, 4, [20, 12]]]);
  assert.deepEqual(attrs(qm1.payloads[1]), { 6: 128, 4: ENCAP_MODE.UDP_TUNNEL, 1: LIFE_TYPE.KILOBYTES, 2: '003d0900' });
  const life = sa(qm1.payloads[1]).proposals[0].transforms[0].attributes.filter((a) => a.type === P2_ATTR.SA_LIFE_DURATION).map(attrNumber);
  assert.deepEqual(life, [3960, 4_000_000], 'two life type/duration pairs, seconds then kilobytes');
  assert.deepEqual(attrs(qm1.payloads[1], 0, 1), { 6: 256, 5: 5, 4: 3, 1: 2, 2: '003d0900' }, 'aes256-sha256: ESP_AES 12, HMAC-SHA2-256 5');
  assert.deepEqual(sa(qm2.payloads[1]).proposals[0].transforms, [qp[0].transforms[0]]);
  assert.equal(qm3.payloads.length, 1);
  const ts = [3, 4].map((k) => tsFromId(idOf(qm1.payloads[k])));
  assert.deepEqual(ts.map((t) => `${formatAddress(t.from)}-${formatAddress(t.to)}`), ['10.1.0.0-10.1.0.255', '10.2.0.0-10.2.0.255']);
  assert.deepEqual(idOf(qm1.payloads[3]), idFromPrefix(parsePrefix('10.1.0.0/24')));
  // Quick Mode's HASH(1) covers the raw bytes of everything after the HASH payload (RFC 2409 §5.5).
  const after = qm1.decoded.slice(1);
  assert.deepEqual(encodePayloads(qm1.payloads.slice(1)), new Uint8Array(after.flatMap((d) => [...d.raw])));
  // DPD (RFC 3706): R-U-THERE and ACK with the cookies as SPI and a 4-byte sequence number that
  // the ACK echoes; then the deletes: the ESP SA by its SPI, the IKE SA by its cookies.
  const dpd = r.slice(9, 13).map((x) => x.payloads[1] as NotifyPayload);
  assert.deepEqual(dpd.map((n) => n.notifyType), [NOTIFY.R_U_THERE, NOTIFY.R_U_THERE_ACK, NOTIFY.R_U_THERE, NOTIFY.R_U_THERE_ACK]);
  assert.deepEqual(dpd.map((n) => n.spi), Array(4).fill(ic.spi));
  assert.equal(toHex(dpd[0].data), toHex(dpd[1].data));
  assert.equal(new DataView(dpd[2].data.buffer, dpd[2].data.byteOffset).getUint32(0), new DataView(dpd[0].data.buffer, dpd[0].data.byteOffset).getUint32(0) + 1);
  const [delEsp, delIke] = r.slice(13).map((x) => x.payloads[1] as v1.DeletePayload);
  assert.deepEqual(delEsp, { type: PAYLOAD.D, doi: 1, protocolId: PROTO.IPSEC_ESP, spiSize: 4, spis: [qp[0].spi] });
  assert.deepEqual(delIke, { type: PAYLOAD.D, doi: 1, protocolId: PROTO.ISAKMP, spiSize: 16, spis: [ic.spi] });
});

test('strongSwan aggressive mode: a DN identity byte-identical to ours, FQDN, encrypted message 3, PFS', () => {
  const r = readCapture(IKEV1_CAPTURES.find((c) => c.name === 'aggressiveModePsk')!);
  const [am1, am2, am3, qm1] = r;
  const dn = 'C=CH, O=Lab & Co, CN=gw-a, E=gw-a@lab.example';
  const idii = idOf(v1.findPayloads(am1.payloads, PAYLOAD.ID)[0]);
  // strongSwan: PrintableString where the characters allow, UTF8String for "Lab & Co" ('&' is not
  // a PrintableString character), IA5String for E.
  assert.equal(toHex(idii.data), '3050310b30090603550406130243483111300f060355040a0c084c6162202620436f310d300b0603550403130467772d61' +
    '311f301d06092a864886f70d010901161067772d61406c61622e6578616d706c65');
  assert.deepEqual(idFromString(dn), { idType: ID_TYPE.DER_ASN1_DN, data: idii.data });
  assert.equal(idToString(idii.idType, idii.data), dn);
  const idir = idOf(v1.findPayloads(am2.payloads, PAYLOAD.ID)[0]);
  assert.deepEqual(idFromString('@gw-b.lab.example'), { idType: idir.idType, data: idir.data });
  assert.equal(idToString(idir.idType, idir.data), 'gw-b.lab.example');
  // modp2048: 256-byte public values; aes256-sha256-modp2048 as attributes.
  assert.equal(v1.findPayloads(am1.payloads, PAYLOAD.KE)[0].data.length, 256);
  assert.deepEqual(attrs(am1.payloads[0]), { 1: 7, 14: 256, 2: 4, 4: 14, 3: 1, 11: 1, 12: 15840 }, '4 h + 10 %: fits a TV');
  assert.equal(am2.payloads.at(-1)!.type, PAYLOAD.HASH, 'HASH_R last in message 2');
  assert.ok(am3.header.flags & FLAG.ENCRYPTION, 'strongSwan encrypts message 3 (RFC 2409 §5 allows either)');
  assert.deepEqual(am3.payloads.map((p) => p.type), [PAYLOAD.HASH, PAYLOAD.NAT_D, PAYLOAD.NAT_D]);
  // Quick Mode with PFS: a Group Description attribute and a KE payload; a host as IPV4_ADDR.
  assert.deepEqual(attrs(qm1.payloads[1]), { 6: 256, 5: 2, 3: 14, 4: 3, 1: 1, 2: 3960 });
  assert.equal(v1.findPayloads(qm1.payloads, PAYLOAD.KE)[0].data.length, 256);
  const [idci, idcr] = v1.findPayloads(qm1.payloads, PAYLOAD.ID);
  assert.deepEqual(idci, idFromPrefix(parsePrefix('10.1.0.5/32')));
  assert.deepEqual(idcr, idFromRange(parseAddress('10.2.0.0'), parseAddress('10.2.255.255')));
  assert.equal(idToString(idcr.idType, idcr.data), '10.2.0.0/16');
});

test('strongSwan over IPv6 and a refusal: IPv6 IDs and subnets, SHA-384 NAT-D, cleartext NO-PROPOSAL-CHOSEN', () => {
  const r = readCapture(IKEV1_CAPTURES.find((c) => c.name === 'mainModeIpv6')!);
  assert.deepEqual(attrs(r[0].payloads[0]), { 1: 7, 14: 256, 2: 5, 4: 20, 3: 1, 11: 1, 12: 15840 }, 'aes256-sha384-ecp384');
  assert.equal(v1.findPayloads(r[2].payloads, PAYLOAD.KE)[0].data.length, 96, 'ECP-384: x and y');
  assert.deepEqual(v1.findPayloads(r[2].payloads, PAYLOAD.NAT_D).map((n) => n.hash.length), [48, 48]);
  assert.equal(idToString(ID_TYPE.IPV6_ADDR, idOf(r[4].payloads[0]).data), '2001:db8::1');
  const [idci, idcr] = v1.findPayloads(r[6].payloads, PAYLOAD.ID);
  assert.deepEqual([idci, idcr].map((x) => idToString(x.idType, x.data)), ['fd00:1::/64', 'fd00:2::/64']);
  assert.deepEqual(idci, idFromPrefix(parsePrefix('fd00:1::/64')));
  const t = tsFromId(idcr);
  assert.deepEqual([t.family, formatAddress(t.from), formatAddress(t.to)], [6, 'fd00:2::', 'fd00:2::ffff:ffff:ffff:ffff']);

  const [offer, refusal] = readCapture(IKEV1_CAPTURES.find((c) => c.name === 'noProposalChosen')!);
  assert.equal(refusal.header.exchange, EXCHANGE.INFORMATIONAL);
  assert.equal(refusal.header.flags, 0, 'no keys yet: in the clear');
  assert.notEqual(refusal.header.messageId, 0);
  const n = refusal.payloads[0] as NotifyPayload;
  assert.deepEqual([n.doi, n.protocolId, n.notifyType], [1, PROTO.ISAKMP, NOTIFY.NO_PROPOSAL_CHOSEN]);
  assert.deepEqual(n.spi, new Uint8Array([...refusal.header.icookie, ...refusal.header.rcookie]));
  assert.deepEqual(refusal.header.icookie, offer.header.icookie);
});

// ---- Identification Data -----------------------------------------------------------------------

test('idFromString: strongSwan\'s rules for id =', () => {
  const cases: Array<[string, number, string]> = [
    ['192.0.2.1', ID_TYPE.IPV4_ADDR, 'c0000201'],
    ['10.1.0.9/24', ID_TYPE.IPV4_ADDR_SUBNET, '0a010000ffffff00'],
    ['10.1.0.0/0', ID_TYPE.IPV4_ADDR_SUBNET, '0000000000000000'],
    ['10.1.0.1-10.1.0.9', ID_TYPE.IPV4_ADDR_RANGE, '0a0100010a010009'],
    ['2001:db8::1', ID_TYPE.IPV6_ADDR, '20010db8000000000000000000000001'],
    ['::ffff:192.0.2.1', ID_TYPE.IPV6_ADDR, '00000000000000000000ffffc0000201'],
    ['fd00:1::/64', ID_TYPE.IPV6_ADDR_SUBNET, 'fd000001000000000000000000000000ffffffffffffffff0000000000000000'],
    ['fd00::1-fd00::9', ID_TYPE.IPV6_ADDR_RANGE, 'fd000000000000000000000000000001fd000000000000000000000000000009'],
    ['gw.example.org', ID_TYPE.FQDN, toHex(new TextEncoder().encode('gw.example.org'))],
    ['gw-b', ID_TYPE.FQDN, '67772d62'],
    ['10.1.0.1-10.1.0.0', ID_TYPE.FQDN, toHex(new TextEncoder().encode('10.1.0.1-10.1.0.0'))], // not a range: strongSwan's fallback
    ['10.0.0.0/33', ID_TYPE.FQDN, toHex(new TextEncoder().encode('10.0.0.0/33'))],
    ['300.1.1.1', ID_TYPE.FQDN, toHex(new TextEncoder().encode('300.1.1.1'))],
    ['not:an:address', ID_TYPE.KEY_ID, toHex(new TextEncoder().encode('not:an:address'))],
    ['@gw.example.org', ID_TYPE.FQDN, toHex(new TextEncoder().encode('gw.example.org'))],
    ['user@example.org', ID_TYPE.USER_FQDN, toHex(new TextEncoder().encode('user@example.org'))],
    ['@@user', ID_TYPE.USER_FQDN, '75736572'],
    ['@#0a0B', ID_TYPE.KEY_ID, '0a0b'],
    ['fqdn:192.0.2.1', ID_TYPE.FQDN, toHex(new TextEncoder().encode('192.0.2.1'))],
    ['FQDN:x', ID_TYPE.FQDN, '78'],
    ['dns:x', ID_TYPE.FQDN, '78'],
    ['email:a@b', ID_TYPE.USER_FQDN, '614062'],
    ['rfc822:a@b', ID_TYPE.USER_FQDN, '614062'],
    ['userfqdn:a@b', ID_TYPE.USER_FQDN, '614062'],
    ['keyid:abc', ID_TYPE.KEY_ID, '616263'],
    ['keyid:#abcd', ID_TYPE.KEY_ID, 'abcd'],
    ['ipv4:#c0000201', ID_TYPE.IPV4_ADDR, 'c0000201'],
    ['ipv4:192.0.2.1', ID_TYPE.IPV4_ADDR, 'c0000201'],
    ['ipv6net:fd00::/8', ID_TYPE.IPV6_ADDR_SUBNET, 'fd000000000000000000000000000000ff000000000000000000000000000000'],
    ['ipv4range:10.0.0.1-10.0.0.2', ID_TYPE.IPV4_ADDR_RANGE, '0a0000010a000002'],
    ['asn1dn:#3000', ID_TYPE.DER_ASN1_DN, '3000'],
    ['asn1dn:CN=x', ID_TYPE.DER_ASN1_DN, '300c310a300806035504031301' + '78'],
    ['{11}:#ff', ID_TYPE.KEY_ID, 'ff'],
    ['{2}:host', ID_TYPE.FQDN, '686f7374'],
    ['CN=gw', ID_TYPE.DER_ASN1_DN, '300d310b3009060355040313026777'],
    ['cn = gw ,  o=  Lab  ', ID_TYPE.DER_ASN1_DN, '301b310b3009060355040313026777310c300a060355040a13034c6162'],
    ['/C=CH/O=Lab/CN=gw', ID_TYPE.DER_ASN1_DN, '3028310b3009060355040613024348310c300a060355040a13034c6162310b3009060355040313026777'],
    ['CN=', ID_TYPE.DER_ASN1_DN, '300b3109300706035504031300'],
    ['CN=a_b', ID_TYPE.DER_ASN1_DN, '300e310c300a06035504030c03615f62'],
    ['CN=Zürich', ID_TYPE.DER_ASN1_DN, '30123110300e06035504030c075ac3bc72696368'],
    ['E=a@b', ID_TYPE.DER_ASN1_DN, '3014311230100609' + '2a864886f70d010901' + '1603614062'],
    ['XX=foo', ID_TYPE.KEY_ID, toHex(new TextEncoder().encode('XX=foo'))],
    ['CN=a, O', ID_TYPE.KEY_ID, toHex(new TextEncoder().encode('CN=a, O'))],
  ];
  for (const [s, idType, data] of cases) {
    const got = idFromString(s);
    assert.deepEqual([got.idType, toHex(got.data)], [idType, data], s);
  }
  assert.equal(idFromString(Array.from({ length: 20 }, () => 'CN=x').join(',')).idType, ID_TYPE.DER_ASN1_DN);
  assert.equal(idFromString(Array.from({ length: 21 }, () => 'CN=x').join(',')).idType, ID_TYPE.KEY_ID, 'strongSwan stops at 20 RDNs');
  for (const any of ['', '%any', '%any6', '*', '0.0.0.0', '::', '0::0']) assert.throws(() => idFromString(any), RangeError, any);
  for (const bad of ['@#abc', 'ipv4:not-an-address', 'ipv4:10.0.0.0/8', 'asn1dn:XX=1', '{0}:x', '{256}:x', 'keyid:#zz']) {
    assert.throws(() => idFromString(bad), RangeError, bad);
  }
});

test('DNs: strongSwan\'s encoding and OpenSSL\'s, byte for byte', () => {
  // `openssl req -new -subj ... -config <string_mask = nombstr>`: PrintableString wherever the
  // characters allow, IA5String for emailAddress — strongSwan's rule. OpenSSL 3.0.22; the subject
  // Name cut out of the DER request with `openssl asn1parse -strparse`.
  const nombstr: Array<[string, string]> = [
    ['C=CH, O=Lab, CN=gw', '3028310b3009060355040613024348310c300a060355040a13034c6162310b3009060355040313026777'],
    [
      'C=CH, ST=Zurich, L=Zurich, STREET=Main Street 1, postalCode=8000, O=Lab, OU=VPN, T=Gateway, D=Test gw, N=gw, S=Doe, ' +
      'G=John, I=JD, SN=1234, pseudonym=jd, dnQualifier=q1, UID=jdoe, CN=gw.lab.example, E=admin@lab.example',
      '30820147310b3009060355040613024348310f300d060355040813065a7572696368310f300d060355040713065a7572696368311630140603550409130d' +
      '4d61696e205374726565742031310d300b0603550411130438303030310c300a060355040a13034c6162310c300a060355040b130356504e3110300e0603' +
      '55040c1307476174657761793110300e060355040d130754657374206777310b3009060355042913026777310c300a06035504041303446f65310d300b06' +
      '0355042a13044a6f686e310b3009060355042b13024a44310d300b0603550405130431323334310b3009060355044113026a64310b3009060355042e1302' +
      '713131143012060a0992268993f22c64010113046a646f65311730150603550403130e67772e6c61622e6578616d706c653120301e06092a864886f70d01' +
      '0901161161646d696e406c61622e6578616d706c65',
    ],
  ];
  for (const [dn, der] of nombstr) {
    assert.equal(toHex(idFromString(dn).data), der, dn);
    assert.equal(idToString(ID_TYPE.DER_ASN1_DN, hex(der)), dn);
  }
  // `openssl req -new -utf8 -subj ...` with the default string_mask utf8only: UTF8String, but
  // PrintableString for C, serialNumber and dnQualifier, IA5String for emailAddress and DC.
  const utf8only: Array<[string, string]> = [
    ['C=CH, O=Lab, CN=gw', '3028310b3009060355040613024348310c300a060355040a0c034c6162310b300906035504030c026777'],
    [
      'DC=org, DC=example, C=CH, ST=Zürich, O=Lab & Co, OU=VPN, CN=gw.lab.example, E=admin@lab.example, SN=1234, dnQualifier=q1',
      '3081c531133011060a0992268993f22c64011916036f726731173015060a0992268993f22c64011916076578616d706c65310b30090603550406130243' +
      '483110300e06035504080c075ac3bc726963683111300f060355040a0c084c6162202620436f310c300a060355040b0c0356504e311730150603550403' +
      '0c0e67772e6c61622e6578616d706c653120301e06092a864886f70d010901161161646d696e406c61622e6578616d706c65310d300b0603550405130431' +
      '323334310b3009060355042e13027131',
    ],
  ];
  for (const [dn, der] of utf8only) {
    assert.equal(toHex(idFromString(dn, { dn: 'openssl' }).data), der, dn);
    assert.equal(idToString(ID_TYPE.DER_ASN1_DN, hex(der)), dn);
  }
  // Other string types, unknown attributes, and what isn't a DN.
  assert.equal(v1.dnToString(hex('300f310d300b06035504031404e4f6fc78')), 'CN=äöüx', 'T61String read as Latin-1');
  assert.equal(v1.dnToString(hex('300d310b300906035504031e026777')), 'CN=\u6777', 'BMPString');
  assert.equal(v1.dnToString(hex('300f310d300b06055504039904 0302ff01')), '2.5.4.3.3204=#ff01', 'unknown OID, unknown string type');
  assert.equal(v1.dnToString(hex('300d310b30090603550403130267')), undefined, 'truncated');
  assert.equal(v1.dnToString(hex('3000')), '');
  assert.equal(v1.dnToString(hex('300d310b3009060355040313020a07')), 'CN=??', 'control characters are not printed');
  assert.equal(idToString(ID_TYPE.DER_ASN1_DN, hex('0102')), '{9}:#0102');
});

test('idToString: readable, and read back by idFromString where it can be', () => {
  const cases: Array<[number, string, string]> = [
    [ID_TYPE.IPV4_ADDR, 'c0000201', '192.0.2.1'],
    [ID_TYPE.IPV4_ADDR, 'c00002', '{1}:#c00002'],
    [ID_TYPE.IPV4_ADDR_SUBNET, '0a010000ffffff00', '10.1.0.0/24'],
    [ID_TYPE.IPV4_ADDR_SUBNET, '0a010005ffffff00', '{4}:#0a010005ffffff00'], // host bits set: no string reads back to it
    [ID_TYPE.IPV4_ADDR_SUBNET, '0a010000ff00ff00', '{4}:#0a010000ff00ff00'],
    [ID_TYPE.IPV4_ADDR_RANGE, '0a0100010a010009', '10.1.0.1-10.1.0.9'],
    [ID_TYPE.IPV6_ADDR, '20010db8000000000000000000000001', '2001:db8::1'],
    [ID_TYPE.FQDN, '67772e6578616d706c65', 'gw.example'],
    [ID_TYPE.FQDN, '3139322e302e322e31', 'fqdn:192.0.2.1'],
    [ID_TYPE.FQDN, '6140', 'fqdn:a@'],
    [ID_TYPE.FQDN, '610a', '{2}:#610a'],
    [ID_TYPE.USER_FQDN, '75406578616d706c65', 'u@example'],
    [ID_TYPE.USER_FQDN, '75', 'userfqdn:u'],
    [ID_TYPE.KEY_ID, '0102', '@#0102'],
    [ID_TYPE.DER_ASN1_GN, '0102', '{10}:#0102'],
    [99, '', '{99}:#'],
  ];
  for (const [idType, data, s] of cases) {
    assert.equal(idToString(idType, hex(data)), s, s);
    assert.deepEqual(idFromString(s), { idType, data: hex(data) }, `${s} reads back`);
  }
});

test('traffic selectors: tsFromId, idFromPrefix, idFromRange (RFC 2407 §4.6.2)', () => {
  const show = (id: Pick<IdPayload, 'idType' | 'data' | 'protocolId' | 'port'>) => {
    const t = tsFromId(id);
    return `${t.family} ${formatAddress(t.from)}-${formatAddress(t.to)} ${t.protocol}/${t.port}`;
  };
  const id = (s: string, protocolId = 0, port = 0) => ({ ...idFromString(s), protocolId, port });
  assert.equal(show(id('192.0.2.1', 17, 500)), '4 192.0.2.1-192.0.2.1 17/500');
  assert.equal(show(id('10.1.0.0/16', 6, 0)), '4 10.1.0.0-10.1.255.255 6/0');
  assert.equal(show(id('0.0.0.0/0')), '4 0.0.0.0-255.255.255.255 0/0');
  assert.equal(show(id('10.0.0.1-10.0.0.9')), '4 10.0.0.1-10.0.0.9 0/0');
  assert.equal(show(id('fd00::/16')), '6 fd00::-fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff 0/0');
  assert.equal(show({ idType: ID_TYPE.IPV4_ADDR_SUBNET, data: hex('0a0100ffffffff00'), protocolId: 0, port: 0 }), '4 10.1.0.0-10.1.0.255 0/0', 'host bits ignored');
  assert.equal(tsFromId({ idType: ID_TYPE.IPV4_ADDR, data: hex('0a000001') }).protocol, 0);
  assert.equal(tsFromId({ idType: ID_TYPE.IPV6_ADDR, data: bytes(16) }).from.bytes.length, 16, 'Address convention: 16 bytes');
  for (const [idType, data] of [
    [ID_TYPE.FQDN, '6162'], [ID_TYPE.IPV4_ADDR, 'c00002'], [ID_TYPE.IPV6_ADDR, 'c0000201'], [ID_TYPE.IPV4_ADDR_SUBNET, '0a000000ff'],
    [ID_TYPE.IPV4_ADDR_SUBNET, '0a000000ff00ff00'], [ID_TYPE.IPV4_ADDR_RANGE, '0a0000020a000001'], [ID_TYPE.DER_ASN1_DN, '3000'],
  ] as const) {
    decodeError(() => tsFromId({ idType, data: hex(data) }), NOTIFY.INVALID_ID_INFORMATION, `${idType} ${data}`);
  }
  // strongSwan's choice of ID type for a traffic selector: host → ADDR, prefix → SUBNET, else RANGE.
  const range = (a: string, b: string) => {
    const r = idFromRange(parseAddress(a), parseAddress(b), 17, 4500);
    return `${name(ID_TYPE, r.idType)} ${idToString(r.idType, r.data)} ${r.protocolId}/${r.port}`;
  };
  assert.equal(range('10.0.0.5', '10.0.0.5'), 'IPV4_ADDR 10.0.0.5 17/4500');
  assert.equal(range('10.0.0.0', '10.0.0.255'), 'IPV4_ADDR_SUBNET 10.0.0.0/24 17/4500');
  assert.equal(range('0.0.0.0', '255.255.255.255'), 'IPV4_ADDR_SUBNET 0.0.0.0/0 17/4500');
  assert.equal(range('10.0.0.0', '10.0.0.254'), 'IPV4_ADDR_RANGE 10.0.0.0-10.0.0.254 17/4500');
  assert.equal(range('10.0.0.1', '10.0.0.255'), 'IPV4_ADDR_RANGE 10.0.0.1-10.0.0.255 17/4500');
  assert.equal(range('fd00::', 'fd00::ffff'), 'IPV6_ADDR_SUBNET fd00::/112 17/4500');
  assert.equal(range('fd00::1', 'fd00::2'), 'IPV6_ADDR_RANGE fd00::1-fd00::2 17/4500');
  assert.throws(() => idFromRange(parseAddress('10.0.0.2'), parseAddress('10.0.0.1')), RangeError);
  assert.throws(() => idFromRange(parseAddress('10.0.0.2'), parseAddress('::1')), RangeError);
  const p = (s: string) => {
    const r = idFromPrefix(parsePrefix(s));
    return `${name(ID_TYPE, r.idType)} ${toHex(r.data)}`;
  };
  assert.equal(p('10.1.0.9/24'), 'IPV4_ADDR_SUBNET 0a010000ffffff00', 'host bits cleared');
  assert.equal(p('10.1.0.9/32'), 'IPV4_ADDR 0a010009');
  assert.equal(p('::/0'), `IPV6_ADDR_SUBNET ${'00'.repeat(32)}`);
  assert.equal(p('2001:db8::1/128'), 'IPV6_ADDR 20010db8000000000000000000000001');
  // Round trip: selector → ID → selector.
  for (const s of ['10.1.0.0/24', '0.0.0.0/0', '192.0.2.7/32', 'fd00:1::/64', '::/0']) {
    const t = tsFromId(idFromPrefix(parsePrefix(s), 6, 80));
    assert.deepEqual(idFromRange(t.from, t.to, t.protocol, t.port), idFromPrefix(parsePrefix(s), 6, 80), s);
  }
});
