// IKE_AUTH's proof of identity (RFC 7296 §2.15): the AUTH payload over the signed octets —
//   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
//   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
// with a pre-shared key (AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets)) or a signature with
// the key of an X.509 certificate: RFC 7427 Digital Signature (method 14) when the peer announced
// SIGNATURE_HASH_ALGORITHMS, else the classic methods (1: RSA PKCS#1 v1.5 SHA-1; 9-11: ECDSA).
import { createSign, createVerify, type KeyObject, type X509Certificate } from 'node:crypto';
import { idFromString } from '../codec/v1/index.js';
import { AUTH_METHOD, CERT_ENCODING, HASH_ALGORITHM, ID_TYPE, PAYLOAD, type CertPayload, type IdPayload, type Payload } from '../codec/v2/index.js';
import {
  certMatchesId, concat, decodeAuth, encodeAuth, equalConstantTime, loadCertificate, macedId, pskAuth, signV2, subjectDer, verifyChain, verifyV2,
  type SignatureScheme,
} from '../crypto/index.js';
import type { Credentials } from '../credentials.js';
import type { Ikev2Sa } from './ike-sa.js';

/** RFC 7427 §4: the hashes we accept in signatures (N(SIGNATURE_HASH_ALGORITHMS) data): SHA2-256, -384, -512. */
export const SIGNATURE_HASHES = Uint8Array.of(0, 2, 0, 3, 0, 4);

/** Our ID payload: local.id, else the certificate's subject, else the address IKE runs on. */
export function ourId(sa: Ikev2Sa, creds: Credentials): IdPayload {
  const local = sa.conn.local;
  const type = sa.initiator ? PAYLOAD.IDi : PAYLOAD.IDr;
  if (local.id !== undefined) return { type, ...idFromString(local.id) };
  if (local.auth === 'pubkey' && creds.cert) return { type, idType: ID_TYPE.DER_ASN1_DN, data: subjectDer(creds.cert) };
  return { type, ...idFromString(sa.local.address) };
}

/** RestOfIDPayload: the ID payload body (ID type, three reserved octets, data). */
export const idBody = (id: { idType: number; data: Uint8Array }): Uint8Array => concat(Uint8Array.of(id.idType, 0, 0, 0), id.data);

/** The octets the `who` side signs (§2.15). */
function signedOctets(sa: Ikev2Sa, who: 'initiator' | 'responder', id: { idType: number; data: Uint8Array }): Uint8Array {
  const c = sa.choice!, k = sa.keys!;
  return who === 'initiator'
    ? concat(sa.initRequest!, sa.Nr!, macedId(c.prfHash, k.SK_pi, idBody(id)))
    : concat(sa.initResponse!, sa.Ni!, macedId(c.prfHash, k.SK_pr, idBody(id)));
}

/** RFC 7427 §3: the hash we sign with, by the peer's announced list (SHA-256 first, as strongSwan). */
function schemeFor(key: KeyObject, peerHashes: readonly number[]): SignatureScheme | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return peerHashes.includes(HASH_ALGORITHM.IDENTITY) ? 'ed25519' : undefined;
  const digest = [[HASH_ALGORITHM.SHA2_256, 'sha256'], [HASH_ALGORITHM.SHA2_384, 'sha384'], [HASH_ALGORITHM.SHA2_512, 'sha512']]
    .find(([h]) => peerHashes.includes(h as number))?.[1];
  if (!digest) return undefined;
  if (type === 'rsa') return `rsa-pkcs1-${digest}` as SignatureScheme;
  if (type === 'rsa-pss') return `rsa-pss-${digest}` as SignatureScheme;
  if (type === 'ec') return `ecdsa-${digest}` as SignatureScheme;
  return undefined;
}

/** Our AUTH payload (and CERT before it, for certificates). */
export function ourAuth(sa: Ikev2Sa, creds: Credentials, id: IdPayload): Payload[] {
  const who = sa.initiator ? 'initiator' : 'responder';
  const octets = signedOctets(sa, who, id);
  if (sa.conn.local.auth === 'psk') {
    return [{ type: PAYLOAD.AUTH, method: AUTH_METHOD.PSK, data: pskAuth(sa.choice!.prfHash, creds.psk!, octets) }];
  }
  // §3.6: the first CERT holds the key that signs AUTH; intermediates may follow.
  const certs: CertPayload[] = [creds.cert!, ...creds.chain].map((c) => ({ type: PAYLOAD.CERT, encoding: CERT_ENCODING.X509_SIG, data: new Uint8Array(c.raw) }));
  const scheme = schemeFor(creds.key!, sa.peerSignatureHashes);
  if (scheme) return [...certs, { type: PAYLOAD.AUTH, method: AUTH_METHOD.DIGITAL_SIGNATURE, data: encodeAuth(scheme, signV2(creds.key!, scheme, octets)) }];
  if (creds.key!.asymmetricKeyType !== 'rsa') throw new Error('the peer announced no signature hash we can use with this key (RFC 7427)');
  // Method 1: RSA PKCS#1 v1.5 over SHA-1 (§3.8), for peers without RFC 7427.
  const sig = createSign('sha1').update(octets).sign(creds.key!);
  return [...certs, { type: PAYLOAD.AUTH, method: AUTH_METHOD.RSA_SIG, data: new Uint8Array(sig) }];
}

/**
 * Checks the peer's ID and AUTH (and certificate: chain to our CAs, validity, the identity in it).
 * Returns why it fails, or null; on success the peer's identity is recorded on the SA.
 */
export function verifyPeer(sa: Ikev2Sa, creds: Credentials, id: IdPayload, auth: { method: number; data: Uint8Array }, certs: readonly CertPayload[]): string | null {
  const remote = sa.conn.remote;
  const want = remote.id !== undefined ? idFromString(remote.id) : undefined;
  const octets = signedOctets(sa, sa.initiator ? 'responder' : 'initiator', id);
  if (remote.auth === 'psk') {
    if (want && (want.idType !== id.idType || !equalConstantTime(want.data, id.data))) return `peer identity does not match remote.id '${remote.id}'`;
    if (auth.method !== AUTH_METHOD.PSK) return `peer authenticates with method ${auth.method}, we expect a pre-shared key`;
    if (!equalConstantTime(auth.data, pskAuth(sa.choice!.prfHash, creds.psk!, octets))) return 'AUTH mismatch (pre-shared keys differ?)';
  } else {
    const x509 = certs.filter((c) => c.encoding === CERT_ENCODING.X509_SIG);
    if (x509.length === 0) return 'no X.509 certificate from the peer';
    let leaf: X509Certificate, chain: X509Certificate[];
    try {
      [leaf, ...chain] = x509.map((c) => loadCertificate(c.data));
    } catch (err) {
      return `unreadable certificate: ${(err as Error).message}`;
    }
    const v = verifyChain(leaf, chain, [...creds.cas], new Date());
    if (!v.ok) return `certificate not trusted: ${v.reason}`;
    if (!certMatchesId(leaf, id.idType, id.data)) return 'the certificate does not carry the identity the peer claims';
    if (want && !certMatchesId(leaf, want.idType, want.data)) return `the certificate does not carry remote.id '${remote.id}'`;
    if (!verifySignature(leaf.publicKey, auth, octets)) return 'signature check failed';
  }
  sa.peerId = { idType: id.idType, data: id.data.slice() };
  return null;
}

function verifySignature(key: KeyObject, auth: { method: number; data: Uint8Array }, octets: Uint8Array): boolean {
  switch (auth.method) {
    case AUTH_METHOD.DIGITAL_SIGNATURE: {
      const d = decodeAuth(auth.data);
      return !!d?.scheme && verifyV2(key, d.scheme, octets, d.signature);
    }
    case AUTH_METHOD.RSA_SIG:
      return key.asymmetricKeyType === 'rsa' && createVerify('sha1').update(octets).verify(key, auth.data);
    case AUTH_METHOD.ECDSA_256: case AUTH_METHOD.ECDSA_384: case AUTH_METHOD.ECDSA_521: {
      // RFC 4754 §7: r | s, each of the curve's size; the hash goes with the curve.
      const digest = auth.method === AUTH_METHOD.ECDSA_256 ? 'sha256' : auth.method === AUTH_METHOD.ECDSA_384 ? 'sha384' : 'sha512';
      return key.asymmetricKeyType === 'ec' && createVerify(digest).update(octets).verify({ key, dsaEncoding: 'ieee-p1363' }, auth.data);
    }
    default:
      return false;
  }
}
