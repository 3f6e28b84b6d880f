// Quick Mode (RFC 2409 §5.5): phase 2, one CHILD SA pair per exchange, under the ISAKMP SA.
//
//   Initiator                                   Responder
//   HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr]  -->
//                               <--   HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
//   HDR*, HASH(3)                         -->
//
//   HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ])     — the raw payloads after HASH(1)
//   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [ | KE ] [ | IDci | IDcr ])
//   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
//   KEYMAT  = prf(SKEYID_d, [ g(qm)^xy | ] protocol | SPI | Ni_b | Nr_b), expanded as needed
//
// Each SA's KEYMAT uses the SPI its receiver chose, so the two directions get different keys.
// The responder installs its pair when it answers (so the initiator's first packets find it) and
// switches its outbound traffic to it on HASH(3); the initiator installs and switches on message 2.
import { randomBytes } from 'node:crypto';
import { espKeyBytes } from '../../config/proposal.js';
import type { Child } from '../../config/types.js';
import { formatAddress, parseAddress, rangePrefixes, type Prefix } from '../../dataplane/addr.js';
import {
  EXCHANGE, ID_TYPE, NOTIFY, PAYLOAD, PROTO, DOI_IPSEC, encodePayloads, idFromPrefix, name as constName, tsFromId,
  decodeAttributes, encodeAttributes, type Decoded, type IdPayload, type NatoaPayload, type NotifyPayload, type Payload, type SaPayload,
} from '../codec/v1/index.js';
import { concat, dhGroup, keymat, quickHash1, quickHash2, quickHash3, wipe, type DhPrivate } from '../crypto/index.js';
import type { ChildResult } from '../children.js';
import { failureOf, type IkeFailure } from '../counters.js';
import { endpointText } from '../endpoint.js';
import type { V1Host } from './host.js';
import type { Ikev1Sa } from './ike-sa.js';
import type { Incoming } from './incoming.js';
import { natoaPayloadType } from './natt.js';
import { bytesEqual, find, useUdp } from './phase1.js';
import {
  acceptPhase2Answer, phase2Offer, pfsGroup, readResponderLifetime, responderLifetimeAttributes, selectPhase2, u32,
  type Phase2Choice,
} from './proposals.js';
import { newMessageId, sealedMessage } from './wire.js';

const QM = EXCHANGE.QUICK;
const NONCE_BYTES = 32;

/** One Quick Mode exchange in progress, keyed by its message ID in the ISAKMP SA. */
export interface QuickExchange {
  readonly messageId: number;
  readonly role: 'initiator' | 'responder';
  child: Child;
  /** This exchange's CBC chain. */
  iv: Uint8Array;
  readonly spiIn: number;
  Ni?: Uint8Array;
  Nr?: Uint8Array;
  dh?: DhPrivate;
  peerKe?: Uint8Array;
  localTs: Prefix[];
  remoteTs: Prefix[];
  choice?: Phase2Choice;
  result?: ChildResult;
  /** The inbound SPI of the SA this one replaces. */
  rekeyOf?: number;
  state: 'sent1' | 'sent2' | 'done';
}

export interface QuickRequest {
  child: Child;
  localTs: Prefix;
  remoteTs: Prefix;
  rekeyOf?: number;
}

/** Message 1. */
export function initiateQuick(host: V1Host, sa: Ikev1Sa, req: QuickRequest): QuickExchange {
  const messageId = newMessageId();
  const ex: QuickExchange = {
    messageId, role: 'initiator', child: req.child, iv: sa.exchangeIv(messageId), spiIn: host.allocSpi(),
    Ni: new Uint8Array(randomBytes(NONCE_BYTES)), localTs: [req.localTs], remoteTs: [req.remoteTs], rekeyOf: req.rekeyOf, state: 'sent1',
  };
  const offer = phase2Offer(req.child, ex.spiIn, { natt: sa.natt, udp: useUdp(sa) });
  const rest: Payload[] = [offer, { type: PAYLOAD.NONCE, data: ex.Ni! }];
  // All our proposals share the PFS group of the first: KE goes out before the choice.
  const group = pfsGroup(req.child, req.child.proposals[0]);
  if (group) {
    ex.dh = dhGroup(group)!.create();
    rest.push({ type: PAYLOAD.KE, data: ex.dh.publicKey });
  }
  rest.push(idFromPrefix(req.localTs, 0, 0), idFromPrefix(req.remoteTs, 0, 0));
  rest.push(...natOa(sa, req.child));
  send(host, sa, ex, hash1(sa, messageId, rest), rest, true);
  return ex;
}

/** RFC 3947 §5.2: transport mode through a NAT tells the peer the addresses we really have. */
function natOa(sa: Ikev1Sa, child: Child): Payload[] {
  if (child.mode !== 'transport' || !useUdp(sa) || !sa.natt) return [];
  const type = natoaPayloadType(sa.natt);
  const oa = (address: string): Payload => {
    const a = parseAddress(address);
    return { type, idType: a.family === 4 ? ID_TYPE.IPV4_ADDR : ID_TYPE.IPV6_ADDR, address: a } as NatoaPayload;
  };
  return [oa(sa.role === 'initiator' ? sa.local.address : sa.remote.address), oa(sa.role === 'initiator' ? sa.remote.address : sa.local.address)];
}

const rawAfterHash = (ps: readonly Decoded[]): Uint8Array => concat(...ps.slice(1).map((d) => d.raw));

const hash1 = (sa: Ikev1Sa, messageId: number, rest: Payload[]): Uint8Array =>
  quickHash1(sa.choice!.hash, sa.keys!.SKEYID_a, messageId, encodePayloads(rest));

function send(host: V1Host, sa: Ikev1Sa, ex: QuickExchange, hash: Uint8Array, rest: Payload[], expectReply: boolean): void {
  const { message, next } = sealedMessage(sa, QM, ex.messageId, [{ type: PAYLOAD.HASH, data: hash }, ...rest], ex.iv);
  ex.iv = next;
  host.transmit(sa, ex.messageId, message, expectReply);
}

/** The traffic selectors an IDci / IDcr pair stands for (absent: the ISAKMP peers, RFC 2409 §5.5). */
function readIds(sa: Ikev1Sa, ps: readonly Decoded[]): { initiator: Prefix[]; responder: Prefix[] } | string {
  const ids = ps.filter((d) => d.payload.type === PAYLOAD.ID).map((d) => d.payload as IdPayload);
  const host = (address: string): Prefix[] => {
    const a = parseAddress(address);
    return [{ ...a, len: a.family === 4 ? 32 : 128 }];
  };
  const i = sa.role === 'initiator' ? sa.local.address : sa.remote.address;
  const r = sa.role === 'initiator' ? sa.remote.address : sa.local.address;
  if (ids.length === 0) return { initiator: host(i), responder: host(r) };
  if (ids.length !== 2) return 'Quick Mode carries both IDci and IDcr or neither';
  const ts = ids.map((id) => tsFromId(id));
  if (ts.some((t) => t === null)) return 'an ID type that is no traffic selector';
  return { initiator: rangePrefixes(ts[0]!.from, ts[0]!.to), responder: rangePrefixes(ts[1]!.from, ts[1]!.to) };
}

/** Responder, message 1 → 2. Returns the exchange, or null after answering with a notify. */
export function respondQuick(host: V1Host, sa: Ikev1Sa, m: Incoming, iv: Uint8Array,
  pick: (local: Prefix[], remote: Prefix[]) => { child: Child; rekeyOf?: number } | undefined): QuickExchange | null {
  const messageId = m.header.messageId;
  const h = find(m.payloads, PAYLOAD.HASH)!;
  if (!bytesEqual(h.data, quickHash1(sa.choice!.hash, sa.keys!.SKEYID_a, messageId, rawAfterHash(m.payloads)))) {
    host.log.warn({ event: 'ike.bad_hash', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), exchange: 'quick', messageId, reason: 'Quick Mode HASH(1) mismatch' }, 'Quick Mode HASH(1) mismatch: message dropped');
    return null;
  }
  const fail = (reason: string, notify: number): null => {
    host.childFailed(sa, undefined, reason, failureOf(constName(NOTIFY, notify), 'child', 'other'));
    host.notify(sa, notify);
    return null;
  };
  let ids = readIds(sa, m.payloads);
  if (typeof ids === 'string') return fail(ids, NOTIFY.INVALID_ID_INFORMATION);
  // The initiator's IDci is its local side: our remote.
  let picked = pick(ids.responder, ids.initiator);
  if (!picked && useUdp(sa)) {
    // RFC 3947 §5.2, as strongSwan does: transport mode through a NAT names the initiator's private
    // address (IDci, NAT-OAi); the SA is for the addresses IKE runs on. (The IDs are echoed as sent.)
    const hosts = readIds(sa, []) as Exclude<typeof ids, string>;
    const p = pick(hosts.responder, hosts.initiator);
    if (p?.child.mode === 'transport') [picked, ids] = [p, hosts];
  }
  if (!picked) return fail(`no child matches ${describe(ids.responder)} === ${describe(ids.initiator)}`, NOTIFY.INVALID_ID_INFORMATION);
  const choice = selectPhase2(find(m.payloads, PAYLOAD.SA)!, picked.child, { natt: sa.natt, udp: useUdp(sa) });
  if ('reason' in choice) return fail(choice.reason, NOTIFY.NO_PROPOSAL_CHOSEN);
  const ke = find(m.payloads, PAYLOAD.KE);
  if (Boolean(ke) !== Boolean(choice.group)) return fail(choice.group ? 'PFS group chosen but no KE payload' : 'KE payload without a PFS group', NOTIFY.NO_PROPOSAL_CHOSEN);
  const ex: QuickExchange = {
    messageId, role: 'responder', child: picked.child, iv, spiIn: host.allocSpi(), Ni: find(m.payloads, PAYLOAD.NONCE)!.data.slice(),
    Nr: new Uint8Array(randomBytes(NONCE_BYTES)), localTs: ids.responder, remoteTs: ids.initiator, choice, rekeyOf: picked.rekeyOf, state: 'sent2',
  };
  if (ex.Ni!.length < 8 || ex.Ni!.length > 256) return fail(`nonce of ${ex.Ni!.length} bytes`, NOTIFY.PAYLOAD_MALFORMED);
  if (choice.group) {
    const group = dhGroup(choice.group)!;
    if (ke!.data.length !== group.publicBytes) return fail(`KE of ${ke!.data.length} bytes for group ${group.name}`, NOTIFY.INVALID_KEY_INFORMATION);
    ex.dh = group.create();
    ex.peerKe = ke!.data.slice();
  }
  const offer = find(m.payloads, PAYLOAD.SA)!;
  const chosen = offer.proposals.find((p) => p.number === choice.number && p.transforms.includes(choice.transform))!;
  const answer: SaPayload = { ...offer, proposals: [{ ...chosen, spi: u32(ex.spiIn), transforms: [choice.transform] }] };
  const rest: Payload[] = [answer, { type: PAYLOAD.NONCE, data: ex.Nr! }];
  if (ex.dh) rest.push({ type: PAYLOAD.KE, data: ex.dh.publicKey });
  // Echo the IDs as received (RFC 2409 §5.5).
  for (const d of m.payloads) if (d.payload.type === PAYLOAD.ID) rest.push(d.payload);
  rest.push(...natOa(sa, picked.child));
  // RFC 2407 §4.6.3.1: a lifetime shorter than offered is announced with RESPONDER-LIFETIME.
  const offered = readResponderLifetime(choice.transform.attributes);
  if ((offered.time ?? Infinity) > choice.lifetime.time || (offered.kilobytes ?? Infinity) > (choice.lifetime.kilobytes ?? Infinity)) {
    rest.push({
      type: PAYLOAD.N, doi: DOI_IPSEC, protocolId: choice.protocol === 'ah' ? PROTO.IPSEC_AH : PROTO.IPSEC_ESP, spi: u32(choice.spi),
      notifyType: NOTIFY.RESPONDER_LIFETIME, data: encodeAttributes(responderLifetimeAttributes(choice.lifetime)),
    });
  }
  try {
    ex.result = keys(sa, ex, choice, m.payloads);
  } catch (err) {
    return fail((err as Error).message, NOTIFY.INVALID_KEY_INFORMATION);
  }
  send(host, sa, ex, quickHash2(sa.choice!.hash, sa.keys!.SKEYID_a, messageId, ex.Ni!, encodePayloads(rest)), rest, true);
  host.installChild(sa, ex.result, false);
  return ex;
}

/** Initiator, message 2 → 3: check, derive, install, confirm. */
export function onQuick2(host: V1Host, sa: Ikev1Sa, ex: QuickExchange, m: Incoming): boolean {
  const h = find(m.payloads, PAYLOAD.HASH)!;
  if (!bytesEqual(h.data, quickHash2(sa.choice!.hash, sa.keys!.SKEYID_a, ex.messageId, ex.Ni!, rawAfterHash(m.payloads)))) {
    host.log.warn({ event: 'ike.bad_hash', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), exchange: 'quick', messageId: ex.messageId, reason: 'Quick Mode HASH(2) mismatch' }, 'Quick Mode HASH(2) mismatch: message dropped');
    return false;
  }
  ex.iv = m.next!;
  host.answered(sa, ex.messageId);
  const fail = (reason: string, why?: IkeFailure): boolean => {
    ex.state = 'done';
    host.childFailed(sa, ex.child, reason, why);
    return true;
  };
  const choice = acceptPhase2Answer(find(m.payloads, PAYLOAD.SA)!, ex.child, { natt: sa.natt, udp: useUdp(sa) });
  if ('reason' in choice) return fail(`responder's choice unacceptable: ${choice.reason}`, 'no_proposal_chosen');
  const ke = find(m.payloads, PAYLOAD.KE);
  if (Boolean(choice.group) !== Boolean(ex.dh) || Boolean(ke) !== Boolean(ex.dh)) return fail('PFS: the responder disagrees about the key exchange');
  if (ke) ex.peerKe = ke.data.slice();
  ex.Nr = find(m.payloads, PAYLOAD.NONCE)!.data.slice();
  const ids = readIds(sa, m.payloads);
  if (typeof ids === 'string') return fail(ids);
  if (m.payloads.some((d) => d.payload.type === PAYLOAD.ID) && (!samePrefixes(ids.initiator, ex.localTs) || !samePrefixes(ids.responder, ex.remoteTs))) {
    return fail('the responder changed the traffic selectors');
  }
  let lifetime = choice.lifetime;
  for (const n of m.payloads.filter((d) => d.payload.type === PAYLOAD.N).map((d) => d.payload as NotifyPayload)) {
    if (n.notifyType !== NOTIFY.RESPONDER_LIFETIME) continue;
    const l = readResponderLifetime(decodeAttributes(n.data));
    lifetime = { time: Math.min(lifetime.time, l.time ?? Infinity), ...(l.kilobytes ?? lifetime.kilobytes) !== undefined ? { kilobytes: Math.min(l.kilobytes ?? Infinity, lifetime.kilobytes ?? Infinity) } : {} };
  }
  ex.choice = { ...choice, lifetime };
  try {
    ex.result = keys(sa, ex, ex.choice, m.payloads);
  } catch (err) {
    return fail((err as Error).message);
  }
  host.installChild(sa, ex.result, true);
  const h3 = quickHash3(sa.choice!.hash, sa.keys!.SKEYID_a, ex.messageId, ex.Ni!, ex.Nr);
  send(host, sa, ex, h3, [], false);
  ex.state = 'done';
  return true;
}

/** Responder, message 3: the initiator has the keys; our outbound traffic moves to the new SA. */
export function onQuick3(host: V1Host, sa: Ikev1Sa, ex: QuickExchange, m: Incoming): boolean {
  const h = find(m.payloads, PAYLOAD.HASH)!;
  if (!bytesEqual(h.data, quickHash3(sa.choice!.hash, sa.keys!.SKEYID_a, ex.messageId, ex.Ni!, ex.Nr!))) {
    host.log.warn({ event: 'ike.bad_hash', ike: sa.id, conn: sa.conn.name, peer: endpointText(sa.remote), exchange: 'quick', messageId: ex.messageId, reason: 'Quick Mode HASH(3) mismatch' }, 'Quick Mode HASH(3) mismatch: message dropped');
    return false;
  }
  ex.iv = m.next!;
  host.answered(sa, ex.messageId);
  ex.state = 'done';
  host.activateChild(sa, ex.result!);
  return true;
}

/** KEYMAT for both directions (RFC 2409 §5.5); g(qm)^xy wiped once used. `peer`: the message that came, for its NAT-OA. */
function keys(sa: Ikev1Sa, ex: QuickExchange, choice: Phase2Choice, peer: readonly Decoded[]): ChildResult {
  let gxy: Uint8Array | undefined;
  if (ex.dh) gxy = ex.dh.computeSecret(ex.peerKe!);
  const protocol = choice.protocol === 'ah' ? PROTO.IPSEC_AH : PROTO.IPSEC_ESP;
  const bytes = espKeyBytes(choice.suite).total;
  const km = (spi: number): Uint8Array => keymat({
    hash: sa.choice!.hash, skeyidD: sa.keys!.SKEYID_d, gxy, protocol, spi: u32(spi), Ni_b: ex.Ni!, Nr_b: ex.Nr!, bytes,
  });
  // The SPI in the peer's proposal (or answer) is the peer's inbound: our outbound.
  const spiOut = choice.spi;
  const keyIn = km(ex.spiIn), keyOut = km(spiOut);
  if (gxy) wipe(gxy);
  ex.dh?.destroy();
  return {
    child: ex.child, protocol: choice.protocol, mode: choice.mode, udp: choice.udp, suite: choice.suite,
    spiIn: ex.spiIn, spiOut, keyIn, keyOut, localTs: ex.localTs, remoteTs: ex.remoteTs, lifetime: choice.lifetime,
    pfsGroup: choice.group, rekeyOf: ex.rekeyOf, natOa: peerNatOa(sa, peer),
  };
}

/** The peer's NAT-OA payloads (NAT-OAi, NAT-OAr: RFC 3947 §5.2) as our local and remote original addresses. */
function peerNatOa(sa: Ikev1Sa, ps: readonly Decoded[]): ChildResult['natOa'] {
  const oa = ps.filter((d) => d.payload.type === PAYLOAD.NAT_OA || d.payload.type === PAYLOAD.NAT_OA_DRAFT).map((d) => formatAddress((d.payload as NatoaPayload).address));
  if (oa.length === 0) return undefined;
  const [i, r] = oa;
  return sa.role === 'initiator' ? { local: i, remote: r } : { local: r, remote: i };
}

function samePrefixes(a: readonly Prefix[], b: readonly Prefix[]): boolean {
  return a.length === b.length && a.every((p, i) => p.family === b[i].family && p.len === b[i].len && bytesEqual(p.bytes, b[i].bytes));
}

const describe = (ps: readonly Prefix[]): string => ps.map((p) => `${formatAddress(p)}/${p.len}`).join(',');
