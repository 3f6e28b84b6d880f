// Aggressive Mode (RFC 2409 §5, RFC 2408 §4.7), with NAT-D in messages 2 and 3 and message 3 on
// port 4500 behind a NAT (RFC 3947 §3.2, §4):
//
//   Initiator                                   Responder
//   HDR, SA, KE, Ni, IDii, VID            -->
//                                         <--   HDR, SA, KE, Nr, IDir, [CERT,] HASH_R | SIG_R, VID, NAT-D, NAT-D
//   HDR*, [CERT,] HASH_I | SIG_I, NAT-D, NAT-D  -->
//
// Three messages instead of six, at a price: the identities travel in the clear, and with a
// pre-shared key the responder's HASH_R lets anyone who sees it try passwords offline. The
// gateway warns about that at start. Every transform of our offer uses one D-H group, since KE
// goes out before the responder has chosen.
import { EXCHANGE, NOTIFY, PAYLOAD, idToString, sa as saCodec, type Payload, type SaPayload } from '../codec/v1/index.js';
import { endpointText } from '../endpoint.js';
import type { V1Host } from './host.js';
import type { Ikev1Sa } from './ike-sa.js';
import { reject, type Incoming, type Outcome } from './incoming.js';
import { authMethod, floatTo4500, idBodyOf } from './main.js';
import {
  authRejected, computeKeys, find, ourAuth, ourCertReqs, ourId, ourKeNonce, ourNatd, ourVendors, peerKeNonce, peerNatd, peerVendors,
  useUdp, verifyPeerAuth,
} from './phase1.js';
import { acceptPhase1Answer, authMethodsFor, phase1Offer, selectPhase1, type Phase1Choice } from './proposals.js';
import { isakmpNotify, plainMessage, sealedMessage } from './wire.js';

const AM = EXCHANGE.AGGRESSIVE;

/** The proposals we can offer: those of the first proposal's D-H group. */
function offerable(sa: Ikev1Sa) {
  const group = sa.conn.ike.proposals[0].dh[0];
  return sa.conn.ike.proposals.filter((p) => p.dh[0] === group);
}

/** Message 1: proposals, our public value, nonce and identity at once. */
export function initiateAggressive(host: V1Host, sa: Ikev1Sa): void {
  const proposals = offerable(sa);
  const offer = phase1Offer(proposals, authMethod(host, sa), sa.conn.ike.lifetime);
  sa.SAi_b = saCodec.encode(offer);
  // The KE's group is fixed before the responder chooses.
  const keNonce = ourKeNonce(sa, proposals[0].dh[0].group);
  sa.state = 'I1';
  host.transmit(sa, 'p1', plainMessage(sa, AM, 0, [offer, ...keNonce, ourId(host, sa), ...ourCertReqs(host, sa), ...ourVendors(sa)]), true);
}

/** Responder, message 1 → 2: choose, check the KE's group, derive keys, prove who we are. */
export function respondAggressive1(host: V1Host, sa: Ikev1Sa, m: Incoming): Phase1Choice | { reason: string; notify?: number } {
  const offer = find(m.payloads, PAYLOAD.SA)!;
  const id = find(m.payloads, PAYLOAD.ID)!;
  const conn = host.connectionFor(sa, id.idType, id.data);
  // Not a proposal matter: RFC 2408 §5.4 (ID payload processing) answers INVALID-ID-INFORMATION.
  if (!conn) return { reason: `no connection for the peer identity ${idToString(id.idType, id.data)}`, notify: NOTIFY.INVALID_ID_INFORMATION };
  sa.conn = conn;
  const choice = selectPhase1(offer, conn.ike.proposals, authMethodsFor(conn.local.auth), conn.ike.lifetime);
  if ('reason' in choice) return choice;
  sa.choice = choice;
  sa.SAi_b = m.payloads.find((d) => d.payload.type === PAYLOAD.SA)!.raw.subarray(4).slice();
  sa.peerIdPayload = m.payloads.find((d) => d.payload.type === PAYLOAD.ID);
  peerVendors(sa, m.payloads);
  const bad = peerKeNonce(sa, m.payloads);
  if (bad) return { reason: bad };
  const keNonce = ourKeNonce(sa, choice.group);
  try {
    computeKeys(host, sa);
  } catch (err) {
    return { reason: (err as Error).message };
  }
  const answer: SaPayload = { ...offer, proposals: [{ ...offer.proposals.find((p) => p.transforms.includes(choice.transform))!, transforms: [choice.transform] }] };
  const ours = ourId(host, sa);
  const payloads: Payload[] = [answer, ...keNonce, ours, ...ourAuth(host, sa, idBodyOf(ours)), ...ourVendors(sa), ...ourNatd(sa)];
  host.transmit(sa, 'p1', plainMessage(sa, AM, 0, payloads), false);
  sa.state = 'R2';
  return choice;
}

/**
 * Initiator, message 2 → 3. Message 2 travels in the clear: one that fails any check, its HASH_R
 * included, may be a forgery, so it is dropped and the real one awaited (or the retransmissions
 * run out) — the warning says why.
 */
export function onAggressive2(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const choice = acceptPhase1Answer(find(m.payloads, PAYLOAD.SA)!, offerable(sa), authMethod(host, sa), sa.conn.ike.lifetime);
  if ('reason' in choice) return reject(`responder's choice unacceptable: ${choice.reason}`);
  if (choice.group !== sa.conn.ike.proposals[0].dh[0].group) return reject('responder chose another D-H group');
  sa.rcookie.set(m.header.rcookie);
  sa.choice = choice;
  peerVendors(sa, m.payloads);
  const bad = peerKeNonce(sa, m.payloads) ?? peerNatd(sa, m.payloads);
  if (bad) return reject(bad);
  try {
    computeKeys(host, sa);
  } catch (err) {
    return reject((err as Error).message);
  }
  const authBad = verifyPeerAuth(host, sa, m.payloads);
  if (authBad) {
    host.log.warn({ event: 'auth.failed', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), phase: 'ike', reason: authBad }, `aggressive mode: ${authBad}`);
    host.counters.failed('ike', 'authentication_failed', sa);
    return reject(authBad);
  }
  if (useUdp(sa)) floatTo4500(sa);
  const ourIdPayload = ourId(host, sa);
  const payloads: Payload[] = [...ourAuth(host, sa, idBodyOf(ourIdPayload)), ...ourNatd(sa)];
  if (host.initialContact(sa)) payloads.push(isakmpNotify(sa, NOTIFY.INITIAL_CONTACT));
  // Message 3 goes encrypted, as strongSwan sends it (RFC 2409 Appendix B chains its IV).
  const { message, next } = sealedMessage(sa, AM, 0, payloads, 'phase1');
  sa.advancePhase1(next);
  host.transmit(sa, 'p1', message, false);
  host.phase1Established(sa, m.payloads);
}

/** Responder, message 3: the initiator's proof (encrypted or not: both are seen in the field). */
export function onAggressive3(host: V1Host, sa: Ikev1Sa, m: Incoming): Outcome {
  const natd = peerNatd(sa, m.payloads);
  if (natd) return reject(natd);
  // HASH_I covers IDii_b from message 1.
  const bad = verifyPeerAuth(host, sa, [sa.peerIdPayload!, ...m.payloads]);
  if (bad) return authRejected(host, sa, m, bad);
  if (m.next) sa.advancePhase1(m.next);
  sa.remote = m.from;
  sa.local = m.to;
  host.phase1Established(sa, m.payloads);
}
