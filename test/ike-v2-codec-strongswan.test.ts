// The IKEv2 codec against strongSwan 5.9.8's own messages (test/vectors/ikev2-messages.ts): every
// message decodes to the payloads the receiving charon logged; IKE_SA_INIT re-encodes to identical
// bytes; SK payloads open with the keys charon logged (AES-CBC with HMAC-SHA1/256/384/512, 3DES,
// AES-GCM-16 128/256, ChaCha20-Poly1305) and their inner payloads re-encode to identical bytes;
// SKF fragments open and reassemble to what charon reassembled; checkPayloads accepts each message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPayloads, constName, decodeMessage, decodePayloads, encodeMessage, encodePayloads, FLAG, messageKind, NOTIFY, openFragment, openMessage,
  PAYLOAD, Reassembly, sealMessage, type Decoded, type Opened,
} from '../src/ike/codec/v2/index.js';
import { IKEV2_CAPTURES, type Ikev2Message } from './vectors/ikev2-messages.js';
import { captureKeys, hex, toHex } from './util/ikev2.js';

/** strongSwan's names of notify types in its message summaries (libcharon notify_payload.c, short names). */
const SWAN_NOTIFY: Record<string, number> = {
  NATD_S_IP: NOTIFY.NAT_DETECTION_SOURCE_IP, NATD_D_IP: NOTIFY.NAT_DETECTION_DESTINATION_IP, FRAG_SUP: NOTIFY.IKEV2_FRAGMENTATION_SUPPORTED,
  HASH_ALG: NOTIFY.SIGNATURE_HASH_ALGORITHMS, REDIR_SUP: NOTIFY.REDIRECT_SUPPORTED, CHDLESS_SUP: NOTIFY.CHILDLESS_IKEV2_SUPPORTED,
  MULT_AUTH: NOTIFY.MULTIPLE_AUTH_SUPPORTED, INIT_CONTACT: NOTIFY.INITIAL_CONTACT, MOBIKE_SUP: NOTIFY.MOBIKE_SUPPORTED,
  ADD_4_ADDR: NOTIFY.ADDITIONAL_IP4_ADDRESS, ADD_6_ADDR: NOTIFY.ADDITIONAL_IP6_ADDRESS, EAP_ONLY: NOTIFY.EAP_ONLY_AUTHENTICATION,
  MSG_ID_SYN_SUP: NOTIFY.IKEV2_MESSAGE_ID_SYNC_SUPPORTED,
};
const SWAN_PAYLOAD: Record<string, number> = {
  SA: PAYLOAD.SA, KE: PAYLOAD.KE, No: PAYLOAD.NONCE, IDi: PAYLOAD.IDi, IDr: PAYLOAD.IDr, AUTH: PAYLOAD.AUTH, TSi: PAYLOAD.TSi,
  TSr: PAYLOAD.TSr, D: PAYLOAD.D, V: PAYLOAD.V, CERT: PAYLOAD.CERT, CERTREQ: PAYLOAD.CERTREQ,
};

/** Our reading of payloads in strongSwan's summary notation: "SA KE No N(NATD_S_IP) …". */
function summary(ds: readonly Decoded[]): string {
  return ds.map(({ payload: p }) => {
    if (p.type === PAYLOAD.N) {
      const name = Object.entries(SWAN_NOTIFY).find(([, v]) => v === (p as { notifyType: number }).notifyType)?.[0];
      return `N(${name ?? constName(NOTIFY, (p as { notifyType: number }).notifyType)})`;
    }
    return Object.entries(SWAN_PAYLOAD).find(([, v]) => v === p.type)?.[0] ?? `?${p.type}`;
  }).join(' ');
}
const swanSummary = (line: string): string => /\[ ?(.*?) ?\]$/.exec(line)![1];

const kindOf = (m: Uint8Array): ReturnType<typeof messageKind> => messageKind(m[18], (m[19] & FLAG.RESPONSE) !== 0);

for (const c of IKEV2_CAPTURES) {
  test(`strongSwan ${c.name} (${c.ike}): decode, open, reassemble, re-encode`, (t) => {
    const keys = captureKeys(c);
    const fragments = new Map<string, Reassembly>();
    const pads: number[] = [];
    let opened = 0, frags = 0;
    const check = (m: Ikev2Message, o: Opened, raw: Uint8Array): void => {
      const inner = decodePayloads(o.innerFirst, o.plain);
      assert.equal(summary(inner), swanSummary(m.strongswan), `${m.strongswan}: inner payloads`);
      assert.deepEqual(encodePayloads(inner.map((d) => d.payload)), o.plain, 'inner payloads re-encode to the same bytes');
      assert.equal(checkPayloads(kindOf(raw)!, inner), null, m.strongswan);
      // Our own seal of the same payloads opens to the same bytes (with the same keys).
      const [again] = sealMessage({ ...o.header }, inner.map((d) => d.payload), keys[m.from]);
      assert.deepEqual(openMessage(again, keys[m.from])!.plain, o.plain);
      // The wrong direction's keys, or one flipped bit of the ICV, give null.
      assert.equal(openMessage(again, keys[m.from === "A" ? "B" : "A"]), null);
      opened++;
    };
    for (const m of c.messages) {
      const raw = hex(m.hex);
      const { header, body } = decodeMessage(raw);
      assert.equal(header.version, 0x20);
      assert.equal((header.flags & FLAG.INITIATOR) !== 0, m.from === 'A', 'I flag: A is the original initiator');
      const outer = decodePayloads(header.nextPayload, body);
      if (header.nextPayload === PAYLOAD.SK) {
        assert.equal(outer.length, 1, 'SK is the only payload');
        const o = openMessage(raw, keys[m.from]);
        assert.ok(o, `${m.strongswan}: opens with the logged keys`);
        const sk = outer[0].payload as { data: Uint8Array };
        const overhead = sk.data.length - o.plain.length;
        pads.push(overhead);
        check(m, o, raw);
        const bad = raw.slice();
        bad[bad.length - 1] ^= 1;
        assert.equal(openMessage(bad, keys[m.from]), null, 'a flipped ICV bit');
        const aad = raw.slice();
        aad[20] ^= 0x80; // the Message ID, covered by the ICV / AAD
        assert.equal(openMessage(aad, keys[m.from]), null, 'a changed header');
      } else if (header.nextPayload === PAYLOAD.SKF) {
        const f = openFragment(raw, keys[m.from]);
        assert.ok(f, `${m.fragment}: opens`);
        assert.match(m.fragment!, new RegExp(`EF\\(${f.fragmentNumber}/${f.totalFragments}\\)`));
        frags++;
        const key = `${m.from} ${header.messageId}`;
        if (!fragments.has(key)) fragments.set(key, new Reassembly());
        const whole = fragments.get(key)!.add(f);
        if (whole) check(m, whole, raw);
      } else {
        assert.equal(summary(outer), swanSummary(m.strongswan), m.strongswan);
        assert.deepEqual(encodeMessage(header, outer.map((d) => d.payload)), raw, 'IKE_SA_INIT re-encodes to the same bytes');
        assert.equal(checkPayloads(kindOf(raw)!, outer), null, m.strongswan);
      }
    }
    assert.ok(opened >= 2, 'IKE_AUTH request and response at least');
    if (c.fragmentSize) {
      assert.ok(frags >= 4, 'IKE_AUTH came in fragments both ways');
      for (const m of c.messages.filter((x) => x.fragment)) assert.ok(hex(m.hex).length + 4 + 8 + 20 <= c.fragmentSize, 'fragment_size bounds the IP datagram');
    }
    t.diagnostic(`${c.messages.length} messages, ${opened} opened, ${frags} fragments; SK overhead (IV + pad + pad length + ICV) per message: ${pads.join(', ')}`);
  });
}

test('strongSwan IKE_SA_INIT: what it proposes and which notifies it sends', (t) => {
  const c = IKEV2_CAPTURES[0];
  const req = decodeMessage(hex(c.messages[0].hex));
  const ps = decodePayloads(req.header.nextPayload, req.body);
  assert.deepEqual(ps.map((d) => d.payload.type), [PAYLOAD.SA, PAYLOAD.KE, PAYLOAD.NONCE, PAYLOAD.N, PAYLOAD.N, PAYLOAD.N, PAYLOAD.N, PAYLOAD.N]);
  const hashAlg = ps.find((d) => d.payload.type === PAYLOAD.N && (d.payload as { notifyType: number }).notifyType === NOTIFY.SIGNATURE_HASH_ALGORITHMS)!;
  t.diagnostic(`SIGNATURE_HASH_ALGORITHMS data ${toHex((hashAlg.payload as { data: Uint8Array }).data)}; SPIi ${toHex(req.header.spiI)}`);
  assert.equal(toHex((hashAlg.payload as { data: Uint8Array }).data), '0002000300040005', 'RFC 7427: SHA2-256, 384, 512, Identity');
});
