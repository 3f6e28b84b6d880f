// What Main Mode and Aggressive Mode share (RFC 2409 §5): the key exchange and nonces, the keys,
// our identity, the authentication payloads and their check, NAT-D and Vendor IDs.
import { randomBytes, type X509Certificate } from 'node:crypto';
import {
  AUTH_METHOD, CERT_ENCODING, ID_TYPE, NOTIFY, PAYLOAD, idFromString, type Decoded, type IdPayload, type KnownPayloadType, type NatdPayload, type Payload,
  type PayloadByType,
} from '../codec/v1/index.js';
import {
  certMatchesId, deriveIsakmpKeys, dhGroup, equalConstantTime, hashBytes, hashI, hashR, loadCertificate, signV1, skeyidPsk, skeyidSig,
  subjectDer, verifyChain, verifyV1,
} from '../crypto/index.js';
import { endpointText } from '../endpoint.js';
import type { V1Host } from './host.js';
import type { Ikev1Sa } from './ike-sa.js';
import { reject, type Incoming, type Outcome } from './incoming.js';
import { detectNat, natdHashes, natdPayloadType, ourVendorIds, readVendorIds } from './natt.js';

/** RFC 2409 §5: nonces of 8 to 256 bytes; 32, as strongSwan sends. */
const NONCE_BYTES = 32;

export const find = <T extends KnownPayloadType>(ps: readonly Decoded[], type: T): PayloadByType[T] | undefined =>
  ps.find((d) => d.payload.type === type)?.payload as PayloadByType[T] | undefined;

export const findAll = <T extends KnownPayloadType>(ps: readonly Decoded[], type: T): Array<PayloadByType[T]> =>
  ps.filter((d) => d.payload.type === type).map((d) => d.payload as PayloadByType[T]);

/** Our KE and Nonce payloads; the D-H private value stays in the SA. */
export function ourKeNonce(sa: Ikev1Sa, groupId: number): Payload[] {
  const group = dhGroup(groupId);
  if (!group) throw new Error(`D-H group ${groupId} is not available`);
  sa.dh = group.create();
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  if (sa.role === 'initiator') {
    sa.gxi = sa.dh.publicKey;
    sa.Ni = nonce;
  } else {
    sa.gxr = sa.dh.publicKey;
    sa.Nr = nonce;
  }
  return [{ type: PAYLOAD.KE, data: sa.dh.publicKey }, { type: PAYLOAD.NONCE, data: nonce }];
}

/** Takes the peer's KE and Nonce; the reason they are unacceptable, or null. */
export function peerKeNonce(sa: Ikev1Sa, ps: readonly Decoded[]): string | null {
  const ke = find(ps, PAYLOAD.KE)!, nonce = find(ps, PAYLOAD.NONCE)!;
  const group = dhGroup(sa.choice!.group)!;
  if (ke.data.length !== group.publicBytes) return `KE of ${ke.data.length} bytes for group ${group.name} (${group.publicBytes})`;
  // RFC 2409 §5: nonces are 8 to 256 bytes.
  if (nonce.data.length < 8 || nonce.data.length > 256) return `nonce of ${nonce.data.length} bytes`;
  if (sa.role === 'initiator') {
    sa.gxr = ke.data.slice();
    sa.Nr = nonce.data.slice();
  } else {
    sa.gxi = ke.data.slice();
    sa.Ni = nonce.data.slice();
  }
  return null;
}

/**
 * RFC 2409 §5: g^xy, SKEYID (by authentication method) and SKEYID_d/_a/_e, Ka (Appendix B),
 * and the first phase-1 IV. Throws when the peer's public value is unusable.
 */
export function computeKeys(host: V1Host, sa: Ikev1Sa): void {
  const c = sa.choice!;
  const peerPublic = sa.role === 'initiator' ? sa.gxr! : sa.gxi!;
  sa.gxy = sa.dh!.computeSecret(peerPublic);
  let skeyid: Uint8Array;
  if (c.authMethod === AUTH_METHOD.PSK) {
    const psk = host.psk(sa.conn);
    if (!psk) throw new Error(`no pre-shared key for connection '${sa.conn.name}'`);
    skeyid = skeyidPsk(c.hash, psk, sa.Ni!, sa.Nr!);
  } else {
    skeyid = skeyidSig(c.hash, sa.Ni!, sa.Nr!, sa.gxy);
  }
  const k = deriveIsakmpKeys({ hash: c.hash, skeyid, gxy: sa.gxy, ckyI: sa.icookie, ckyR: sa.rcookie, encKeyBytes: c.encr.keyBytes });
  sa.keys = { SKEYID: skeyid, ...k };
  sa.startPhase1Chain();
}

/** Our ID payload for phase 1: the configured id, or for certificates the subject DN, or our address. */
export function ourId(host: V1Host, sa: Ikev1Sa): Payload {
  const local = sa.conn.local;
  let id: { idType: number; data: Uint8Array };
  if (local.id !== undefined) id = idFromString(local.id);
  else if (local.auth === 'pubkey') id = { idType: ID_TYPE.DER_ASN1_DN, data: subjectDer(host.credentials(sa.conn).cert!) };
  else id = idFromString(sa.local.address);
  // RFC 2407 §4.6.2: protocol and port may be zero (ignored) in phase 1.
  return { type: PAYLOAD.ID, idType: id.idType, protocolId: 0, port: 0, data: id.data };
}

/** The body of an ID payload as HASH_I / HASH_R cover it (IDii_b: without the generic header). */
export const idBody = (d: Decoded): Uint8Array => d.raw.subarray(4);

/** HASH_I or HASH_R of RFC 2409 §5 over the ID payload body the peer (or we) sent. */
export function authHash(sa: Ikev1Sa, of: 'initiator' | 'responder', idB: Uint8Array): Uint8Array {
  const input = { hash: sa.choice!.hash, skeyid: sa.keys!.SKEYID, gxi: sa.gxi!, gxr: sa.gxr!, ckyI: sa.icookie, ckyR: sa.rcookie, SAi_b: sa.SAi_b! };
  return of === 'initiator' ? hashI({ ...input, IDii_b: idB }) : hashR({ ...input, IDir_b: idB });
}

/** Our HASH or SIG (with our CERT first) for the ID payload body we send. */
export function ourAuth(host: V1Host, sa: Ikev1Sa, idB: Uint8Array): Payload[] {
  const hash = authHash(sa, sa.role, idB);
  if (sa.choice!.authMethod === AUTH_METHOD.PSK) return [{ type: PAYLOAD.HASH, data: hash }];
  const cred = host.credentials(sa.conn);
  const der = new Uint8Array(cred.cert!.raw);
  return [
    { type: PAYLOAD.CERT, encoding: CERT_ENCODING.X509_SIGNATURE, data: der },
    // RFC 2409 §5.1: SIG_I / SIG_R are signatures of HASH_I / HASH_R.
    { type: PAYLOAD.SIG, data: signV1(cred.key!, hash) },
  ];
}

/** Our CERTREQ payloads: one per trust anchor, naming its subject (RFC 2408 §3.10). */
export function ourCertReqs(host: V1Host, sa: Ikev1Sa): Payload[] {
  if (sa.conn.remote.auth !== 'pubkey') return [];
  return host.credentials(sa.conn).cas.map((ca) => ({ type: PAYLOAD.CR, encoding: CERT_ENCODING.X509_SIGNATURE, data: subjectDer(ca) }));
}

/**
 * Checks the peer's HASH or SIG over its ID payload, and that the identity is the one configured
 * (for certificates: the certificate chains to our CA, is valid now, and carries the identity).
 * Returns the reason it fails, or null.
 */
export function verifyPeerAuth(host: V1Host, sa: Ikev1Sa, ps: readonly Decoded[]): string | null {
  const idDecoded = ps.find((d) => d.payload.type === PAYLOAD.ID)!;
  const id = idDecoded.payload as IdPayload;
  const peer = sa.role === 'initiator' ? 'responder' : 'initiator';
  const expected = authHash(sa, peer, idBody(idDecoded));
  const remote = sa.conn.remote;
  if (remote.id !== undefined) {
    const want = idFromString(remote.id);
    if (remote.auth === 'psk' && (want.idType !== id.idType || !bytesEqual(want.data, id.data))) {
      return `peer identity does not match remote.id '${remote.id}'`;
    }
  }
  if (sa.choice!.authMethod === AUTH_METHOD.PSK) {
    const hash = find(ps, PAYLOAD.HASH);
    if (!hash) return 'HASH payload missing';
    if (!bytesEqual(hash.data, expected)) return 'HASH mismatch (pre-shared keys differ?)';
  } else {
    const sig = find(ps, PAYLOAD.SIG), certs = findAll(ps, PAYLOAD.CERT).filter((c) => c.encoding === CERT_ENCODING.X509_SIGNATURE);
    if (!sig) return 'SIG payload missing';
    if (certs.length === 0) return 'no X.509 certificate from the peer';
    let leaf: X509Certificate;
    let chain: X509Certificate[];
    try {
      [leaf, ...chain] = certs.map((c) => loadCertificate(c.data));
    } catch (err) {
      return `unreadable certificate: ${(err as Error).message}`;
    }
    const v = verifyChain(leaf, chain, [...host.credentials(sa.conn).cas], new Date());
    if (!v.ok) return `certificate not trusted: ${v.reason}`;
    if (!certMatchesId(leaf, id.idType, id.data)) return 'the certificate does not carry the identity the peer claims';
    if (remote.id !== undefined) {
      const want = idFromString(remote.id);
      if (!certMatchesId(leaf, want.idType, want.data)) return `the certificate does not carry remote.id '${remote.id}'`;
    }
    if (!verifyV1(leaf.publicKey, expected, sig.data)) return 'signature check failed';
  }
  sa.peerId = { idType: id.idType, data: id.data.slice() };
  return null;
}

/** Vendor IDs for our first message. */
export const ourVendors = (sa: Ikev1Sa): Payload[] => ourVendorIds(sa.conn.ike.natTraversal).map((data) => ({ type: PAYLOAD.VID, data }));

/** Notes what the peer's Vendor IDs announce (NAT-T variant, DPD). */
export function peerVendors(sa: Ikev1Sa, ps: readonly Decoded[]): void {
  sa.peer = readVendorIds(findAll(ps, PAYLOAD.VID).map((v) => v.data));
  if (sa.conn.ike.natTraversal !== 'off') sa.natt = sa.peer.natt;
}

/**
 * Our NAT-D payloads (RFC 3947 §3.2). With nat-traversal 'force' the hash of our own address is
 * random, so the peer believes we are behind a NAT and both sides encapsulate (strongSwan's
 * encap = yes does the same).
 */
export function ourNatd(sa: Ikev1Sa): Payload[] {
  if (!sa.natt) return [];
  const type = natdPayloadType(sa.natt);
  const [theirs, ours] = natdHashes(sa.choice!.hash, sa.icookie, sa.rcookie, sa.local, sa.remote);
  const mine = sa.conn.ike.natTraversal === 'force' ? new Uint8Array(randomBytes(ours.length)) : ours;
  return [{ type, hash: theirs } as Payload, { type, hash: mine } as Payload];
}

/** Reads the peer's NAT-D payloads (either numbering) into sa.nat; why they are unusable, or null. */
export function peerNatd(sa: Ikev1Sa, ps: readonly Decoded[]): string | null {
  if (!sa.natt) return null;
  const hashes = ps.filter((d) => d.payload.type === PAYLOAD.NAT_D || d.payload.type === PAYLOAD.NAT_D_DRAFT)
    .map((d) => (d.payload as NatdPayload).hash);
  // RFC 3947 §3.2: each is a hash of the negotiated algorithm; the first, and at least one more.
  const size = hashBytes(sa.choice!.hash);
  if (hashes.some((h) => h.length !== size)) return `NAT-D of ${hashes.map((h) => h.length).join('/')} bytes, not ${size}`;
  if (hashes.length === 1) return 'a single NAT-D payload';
  sa.nat = detectNat(sa.choice!.hash, sa.icookie, sa.rcookie, hashes, sa.local, sa.remote);
  if (sa.conn.ike.natTraversal === 'force') sa.nat = { ...sa.nat, local: true };
  return null;
}

/** UDP encapsulation applies to this SA's children: a NAT on either side (RFC 3947 §4). */
export const useUdp = (sa: Ikev1Sa): boolean => sa.natt !== undefined && (sa.nat.local || sa.nat.remote);

export const bytesEqual = equalConstantTime;

/**
 * A phase-1 proof (or identity) that does not hold. Like strongSwan we tell the peer with a
 * protected notify (AUTHENTICATION-FAILED or INVALID-ID-INFORMATION), under the IV the failed
 * message leaves behind, which is the one its sender holds (RFC 2409 Appendix B). Unlike
 * strongSwan we do not delete the SA: nothing authenticates the message that failed, and a forged
 * or damaged copy must not end a negotiation the real one could still finish. The daemon restores
 * the SA as it was (the IV too); retransmissions or the half-open timeout end a hopeless one.
 */
export function authRejected(host: V1Host, sa: Ikev1Sa, m: Incoming, reason: string, notifyType: number = NOTIFY.AUTHENTICATION_FAILED): Outcome {
  host.log.warn({ event: 'auth.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase: 'ike', reason }, `peer not authenticated: ${reason}`);
  host.counters.failed('ike', 'authentication_failed', sa);
  if (m.next) sa.advancePhase1(m.next);
  host.notify(sa, notifyType);
  return reject(reason);
}
