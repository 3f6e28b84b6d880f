// Main Mode (RFC 2409 §5, "Identity Protection" exchange of RFC 2408 §4.5), with NAT-D in
// messages 3 and 4 and the move to port 4500 from message 5 on (RFC 3947 §3.2, §4):
//
//   Initiator                                   Responder
//   HDR, SA, VID                          -->
//                                         <--   HDR, SA, VID
//   HDR, KE, Ni, NAT-D, NAT-D [, CR]      -->
//                                         <--   HDR, KE, Nr, NAT-D, NAT-D [, CR]
//   HDR*, IDii, [CERT,] HASH_I | SIG_I [, N(INITIAL-CONTACT)]  -->
//                                         <--   HDR*, IDir, [CERT,] HASH_R | SIG_R
//
// Each handler takes a message the daemon has decoded, decrypted and checked against rules.ts,
// and either moves the SA on (committing the IV chain) or reports why it cannot.
import { EXCHANGE, NOTIFY, PAYLOAD, encodePayloadBody, idToString, sa as saCodec, type Payload, type SaPayload } from '../codec/v1/index.js';
import { NATT_PORT } from '../endpoint.js';
import type { V1Host } from './host.js';
import type { Ikev1Sa } from './ike-sa.js';
import { reject, type Incoming, type Outcome } from './incoming.js';
import {
  authRejected, computeKeys, find, ourAuth, ourCertReqs, ourId, ourKeNonce, ourNatd, ourVendors, peerKeNonce, peerNatd, peerVendors,
  useUdp, verifyPeerAuth,
} from './phase1.js';
import { acceptPhase1Answer, authMethodsFor, phase1Offer, selectPhase1, type Phase1Choice } from './proposals.js';
import { plainMessage, sealedMessage, isakmpNotify } from './wire.js';

const MM = EXCHANGE.IDENTITY_PROTECTION;

/** Message 1: our proposals. */
export function initiateMain(host: V1Host, sa: Ikev1Sa): void {
  const offer = phase1Offer(sa.conn.ike.proposals, authMethod(host, sa), sa.conn.ike.lifetime);
  sa.SAi_b = saCodec.encode(offer);
  host.transmit(sa, 'p1', plainMessage(sa, MM, 0, [offer, ...ourVendors(sa)]), true);
  sa.state = 'I1';
}

/** Responder, message 1 → 2: pick a transform; the SA exists only once that succeeded. */
export function respondMain1(host: V1Host, sa: Ikev1Sa, m: Incoming): Phase1Choice | { reason: string } {
  const offer = find(m.payloads, PAYLOAD.SA)!;
  const choice = selectPhase1(offer, sa.conn.ike.proposals, authMethodsFor(sa.conn.local.auth, keyType(host, sa)), sa.conn.ike.lifetime);
  if ('reason' in choice) return choice;
  sa.choice = choice;
  sa.SAi_b = m.payloads.find((d) => d.payload.type === PAYLOAD.SA)!.raw.subarray(4).slice();
  peerVendors(sa, m.payloads);
  const answer: SaPayload = { ...offer, proposals: [{ ...offer.proposals.find((p) => p.transforms.includes(choice.transform))!, transforms: [choice.transform] }] };
  host.transmit(sa, 'p1', plainMessage(sa, MM, 0, [answer, ...ourVendors(sa)]), false);
  sa.state = 'R2';
  return choice;
}

/** Initiator, message 2 → 3. */
export function onMain2(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const choice = acceptPhase1Answer(find(m.payloads, PAYLOAD.SA)!, sa.conn.ike.proposals, authMethod(host, sa), sa.conn.ike.lifetime);
  if ('reason' in choice) return reject(`responder's choice unacceptable: ${choice.reason}`);
  sa.rcookie.set(m.header.rcookie);
  sa.choice = choice;
  peerVendors(sa, m.payloads);
  const payloads: Payload[] = [...ourKeNonce(sa, choice.group), ...ourNatd(sa), ...ourCertReqs(host, sa)];
  host.transmit(sa, 'p1', plainMessage(sa, MM, 0, payloads), true);
  sa.state = 'I3';
}

/** Responder, message 3 → 4: keys exist from here on. */
export function onMain3(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const bad = peerKeNonce(sa, m.payloads) ?? peerNatd(sa, m.payloads);
  if (bad) return reject(bad);
  const payloads: Payload[] = [...ourKeNonce(sa, sa.choice!.group), ...ourNatd(sa), ...ourCertReqs(host, sa)];
  try {
    computeKeys(host, sa);
  } catch (err) {
    return reject((err as Error).message);
  }
  host.transmit(sa, 'p1', plainMessage(sa, MM, 0, payloads), false);
  sa.state = 'R4';
}

/** Initiator, message 4 → 5: keys, NAT detection, the float to 4500, and our identity. */
export function onMain4(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const bad = peerKeNonce(sa, m.payloads) ?? peerNatd(sa, m.payloads);
  if (bad) return reject(bad);
  try {
    computeKeys(host, sa);
  } catch (err) {
    return reject((err as Error).message);
  }
  // RFC 3947 §4: with a NAT in the path, the initiator moves to port 4500 for message 5.
  if (useUdp(sa)) floatTo4500(sa);
  const id = ourId(host, sa);
  const idB = idBodyOf(id);
  const payloads: Payload[] = [id, ...ourAuth(host, sa, idB)];
  if (host.initialContact(sa)) payloads.push(isakmpNotify(sa, NOTIFY.INITIAL_CONTACT));
  const { message, next } = sealedMessage(sa, MM, 0, payloads, 'phase1');
  sa.advancePhase1(next);
  host.transmit(sa, 'p1', message, true);
  sa.state = 'I5';
}

/** Responder, message 5 → 6: the initiator's identity and proof; ours in return. */
export function onMain5(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const id = find(m.payloads, PAYLOAD.ID)!;
  const conn = host.connectionFor(sa, id.idType, id.data);
  if (!conn) return authRejected(host, sa, m, `no connection for the peer identity ${idToString(id.idType, id.data)}`, NOTIFY.INVALID_ID_INFORMATION);
  sa.conn = conn;
  const bad = verifyPeerAuth(host, sa, m.payloads);
  if (bad) return authRejected(host, sa, m, bad);
  sa.advancePhase1(m.next!);
  sa.remote = m.from;
  sa.local = m.to;
  const ours = ourId(host, sa);
  const { message, next } = sealedMessage(sa, MM, 0, [ours, ...ourAuth(host, sa, idBodyOf(ours))], 'phase1');
  sa.advancePhase1(next);
  host.transmit(sa, 'p1', message, false);
  host.phase1Established(sa, m.payloads);
}

/** Initiator, message 6: the responder's identity and proof. */
export function onMain6(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const bad = verifyPeerAuth(host, sa, m.payloads);
  if (bad) return authRejected(host, sa, m, bad);
  sa.advancePhase1(m.next!);
  host.answered(sa, 'p1');
  host.phase1Established(sa, m.payloads);
}

/** Both ends of the SA on port 4500, where IKE carries the non-ESP marker (RFC 3947 §4). */
export function floatTo4500(sa: Ikev1Sa): void {
  sa.local = { address: sa.local.address, port: NATT_PORT };
  if (sa.remote.port === 500) sa.remote = { address: sa.remote.address, port: NATT_PORT };
}

/** IDii_b of a payload we send: its body (RFC 2409 §5). */
export const idBodyOf = (p: Payload): Uint8Array => encodePayloadBody(p);

export function authMethod(host: V1Host, sa: Ikev1Sa): number {
  return authMethodsFor(sa.conn.local.auth, keyType(host, sa))[0];
}

function keyType(host: V1Host, sa: Ikev1Sa): string | undefined {
  return sa.conn.local.auth === 'pubkey' ? host.credentials(sa.conn).key?.asymmetricKeyType : undefined;
}
