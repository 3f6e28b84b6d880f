// Negotiating one CHILD SA pair (RFC 7296 §1.3, §2.9, §2.17), the same in IKE_AUTH (the first
// child, keyed from IKE_SA_INIT's nonces, never with PFS) and in CREATE_CHILD_SA (its own nonces,
// a KE for PFS, N(REKEY_SA) when it replaces a pair):
//
//   Initiator                                      Responder
//   SA, [Ni, [KEi]], TSi, TSr, [N(REKEY_SA)], [N(USE_TRANSPORT_MODE)]  -->
//                                   <--  SA, [Nr, [KEr]], TSi, TSr, [N(USE_TRANSPORT_MODE)]
//
//   KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr): initiator→responder keys first, then the others.
import { espKeyBytes, type DhTransform } from '../../config/proposal.js';
import type { Child, Connection } from '../../config/types.js';
import { formatAddress, parseAddress, type Prefix } from '../../dataplane/addr.js';
import {
  NOTIFY, PAYLOAD, PROTOCOL, findNotifies, findPayloads, tsContains, tsFromPrefix, tsIntersect, tsToPrefixes, type Decoded, type KnownPayloadType, type PayloadByType, type NotifyPayload, type Payload, type TrafficSelector,
} from '../codec/v2/index.js';
import { childKeys, dhGroup, wipe, type DhPrivate } from '../crypto/index.js';
import type { ChildResult } from '../children.js';
import type { Ikev2Sa } from './ike-sa.js';
import { acceptChild, childAnswer, childOffer, selectChild, u32, type ChildChoice } from './proposals.js';

/** One CHILD SA negotiation under way (the initiator's side, or the responder's answer). */
export interface ChildExchange {
  /** We sent the request: KEYMAT's first keys are then our outbound ones. */
  readonly initiator: boolean;
  readonly child: Child;
  readonly spiIn: number;
  /** CREATE_CHILD_SA's own nonces; IKE_AUTH uses the IKE SA's. */
  Ni?: Uint8Array;
  Nr?: Uint8Array;
  dh?: DhPrivate;
  /** What we asked for (initiator) or granted (responder), from our point of view. */
  localTs: TrafficSelector[];
  remoteTs: TrafficSelector[];
  /** Our inbound SPI of the pair this one replaces. */
  readonly rekeyOf?: number;
  /** Both ends agreed on transport mode (§1.3.1). */
  transport?: boolean;
}

/** PFS group of a child for CREATE_CHILD_SA (§1.3.1); IKE_AUTH never carries one. */
export const pfsOf = (child: Child): DhTransform | undefined => (typeof child.pfs === 'object' && child.pfs.group !== 0 ? child.pfs : undefined);

/** A child's selectors from our side; 'dynamic' is the address the IKE SA runs on (§2.9). */
export function ourSelectors(sa: Ikev2Sa, child: Child): { local: Prefix[]; remote: Prefix[] } {
  const host = (address: string): Prefix => {
    const a = parseAddress(address);
    return { ...a, len: a.family === 4 ? 32 : 128 };
  };
  return {
    local: child.localTs === 'dynamic' ? [host(sa.local.address)] : [...child.localTs],
    remote: child.remoteTs === 'dynamic' ? [host(sa.remote.address)] : [...child.remoteTs],
  };
}

/** Initiator: the payloads of the request; `fresh` adds Ni and, with PFS, KEi (CREATE_CHILD_SA). */
export function childRequest(sa: Ikev2Sa, ex: ChildExchange, fresh: Uint8Array | undefined): Payload[] {
  const pfs = fresh ? pfsOf(ex.child) : undefined;
  if (pfs) ex.dh = dhGroup(pfs.group)!.create();
  const payloads: Payload[] = [childOffer(ex.child.proposals, ex.child.protocol, ex.spiIn, pfs)];
  if (fresh) {
    ex.Ni = fresh;
    payloads.push({ type: PAYLOAD.NONCE, data: fresh });
    if (ex.dh) payloads.push({ type: PAYLOAD.KE, group: pfs!.group, data: ex.dh.publicKey });
  }
  payloads.push({ type: PAYLOAD.TSi, selectors: ex.localTs }, { type: PAYLOAD.TSr, selectors: ex.remoteTs });
  if (ex.child.mode === 'transport') payloads.push(notify(NOTIFY.USE_TRANSPORT_MODE));
  if (ex.rekeyOf !== undefined) payloads.push({ ...notify(NOTIFY.REKEY_SA), protocolId: ex.child.protocol === 'esp' ? PROTOCOL.ESP : PROTOCOL.AH, spi: u32(ex.rekeyOf) });
  return payloads;
}

export const notify = (notifyType: number, data: Uint8Array = new Uint8Array(0)): NotifyPayload =>
  ({ type: PAYLOAD.N, protocolId: 0, spi: new Uint8Array(0), notifyType, data });

/** Why not, as the notify to answer (INVALID_KE_PAYLOAD names the group we want, §1.3). */
export type ChildRefusal = { notify: number; reason: string; group?: number };

/**
 * Responder: the child of `conn` whose policy covers the proposed selectors, narrowed (§2.9), and
 * the proposal we take. `nonces` are the exchange's (Ni, and our Nr); `ke` the peer's KEi.
 */
export function respondChild(
  sa: Ikev2Sa, conn: Connection, ps: readonly Decoded[], spiIn: number, Nr: Uint8Array | undefined, rekeyOf: number | undefined,
  candidates: readonly Child[],
): { ex: ChildExchange; choice: ChildChoice; payloads: Payload[]; peerKe?: Uint8Array } | ChildRefusal {
  const tsi = find(ps, PAYLOAD.TSi)!.selectors, tsr = find(ps, PAYLOAD.TSr)!.selectors;
  const offer = find(ps, PAYLOAD.SA)!;
  const ke = find(ps, PAYLOAD.KE);
  const transport = findNotifies(ps, NOTIFY.USE_TRANSPORT_MODE).length > 0;
  let refusal: ChildRefusal = { notify: NOTIFY.TS_UNACCEPTABLE, reason: `no child of '${conn.name}' covers TSi ${tsText(tsi)} TSr ${tsText(tsr)}` };
  for (const child of candidates) {
    const ours = ourSelectors(sa, child);
    // TSi is the initiator's side: our remote.
    const remoteTs = narrow(tsi, ours.remote), localTs = narrow(tsr, ours.local);
    if (remoteTs.length === 0 || localTs.length === 0) continue;
    // IKE_AUTH (no Nr) never does PFS (§1.2); CREATE_CHILD_SA does when the child is configured so.
    const groups = Nr ? [...(pfsOf(child) ? [pfsOf(child)!] : []), ...child.proposals.flatMap((p) => p.dh.filter((d) => d.group !== 0))] : [];
    const choice = selectChild(offer, child.proposals, child.protocol, { groups, ke: !!ke && Nr !== undefined });
    if ('reason' in choice) {
      refusal = { notify: NOTIFY.NO_PROPOSAL_CHOSEN, reason: choice.reason };
      continue;
    }
    if (ke && choice.dh && ke.group !== choice.dh.group) {
      return { notify: NOTIFY.INVALID_KE_PAYLOAD, reason: `KE of group ${ke.group}, we chose ${choice.dh.group}`, group: choice.dh.group };
    }
    const ex: ChildExchange = { initiator: false, child, spiIn, Nr, localTs, remoteTs, rekeyOf };
    const payloads: Payload[] = [childAnswer(choice, spiIn)];
    if (Nr) payloads.push({ type: PAYLOAD.NONCE, data: Nr });
    if (choice.dh) {
      ex.dh = dhGroup(choice.dh.group)!.create();
      payloads.push({ type: PAYLOAD.KE, group: choice.dh.group, data: ex.dh.publicKey });
    }
    // From the initiator's point of view again: TSi its side.
    payloads.push({ type: PAYLOAD.TSi, selectors: remoteTs }, { type: PAYLOAD.TSr, selectors: localTs });
    // §1.3.1: transport mode only when both want it; otherwise tunnel, silently.
    if (transport && child.mode === 'transport') {
      ex.transport = true;
      payloads.push(notify(NOTIFY.USE_TRANSPORT_MODE));
    }
    return { ex, choice, payloads, peerKe: ke?.data };
  }
  return refusal;
}

/** Initiator: the responder's answer, checked against what we asked. */
export function acceptChildAnswer(ex: ChildExchange, ps: readonly Decoded[]): { choice: ChildChoice; peerKe?: Uint8Array } | ChildRefusal {
  const err = findNotifies(ps).find((n) => n.notifyType < 16384);
  if (err) return { notify: err.notifyType, reason: 'refused by the peer' };
  const sa = find(ps, PAYLOAD.SA), tsi = find(ps, PAYLOAD.TSi), tsr = find(ps, PAYLOAD.TSr);
  if (!sa || !tsi || !tsr) return { notify: NOTIFY.INVALID_SYNTAX, reason: 'answer without SA, TSi and TSr' };
  const choice = acceptChild(sa, ex.child.proposals, ex.child.protocol, ex.dh ? pfsOf(ex.child) : undefined);
  if ('reason' in choice) return { notify: NOTIFY.NO_PROPOSAL_CHOSEN, reason: choice.reason };
  if (!within(tsi.selectors, ex.localTs) || !within(tsr.selectors, ex.remoteTs)) return { notify: NOTIFY.TS_UNACCEPTABLE, reason: 'the answer widens our selectors' };
  ex.localTs = tsi.selectors;
  ex.remoteTs = tsr.selectors;
  const ke = find(ps, PAYLOAD.KE);
  if (ex.dh && (!ke || ke.group !== choice.dh?.group)) return { notify: NOTIFY.INVALID_KE_PAYLOAD, reason: 'no KE of our PFS group in the answer' };
  const nr = find(ps, PAYLOAD.NONCE);
  if (ex.Ni && !nr) return { notify: NOTIFY.INVALID_SYNTAX, reason: 'no Nr' };
  if (nr) ex.Nr = nr.data.slice();
  const transport = findNotifies(ps, NOTIFY.USE_TRANSPORT_MODE).length > 0;
  if (ex.child.mode === 'transport' && !transport) return { notify: NOTIFY.NO_PROPOSAL_CHOSEN, reason: 'the peer refused transport mode' };
  ex.transport = transport;
  return { choice, peerKe: ke?.data };
}

/** Both SAs' keys (§2.17) and the pair for the datapath; D-H state and g^ir wiped. */
export function childResult(sa: Ikev2Sa, ex: ChildExchange, choice: ChildChoice, peerKe: Uint8Array | undefined): ChildResult {
  const Ni = ex.Ni ?? sa.Ni!, Nr = ex.Nr ?? sa.Nr!;
  const gir = ex.dh && peerKe ? ex.dh.computeSecret(peerKe) : undefined;
  const n = espKeyBytes(choice.suite).total;
  const km = childKeys(sa.choice!.prfHash, sa.keys!.SK_d, gir, Ni, Nr, 2 * n);
  const iToR = km.slice(0, n), rToI = km.slice(n);
  wipe(km, gir);
  ex.dh?.destroy();
  ex.dh = undefined;
  const prefixes = (ts: readonly TrafficSelector[]): Prefix[] => ts.flatMap(tsToPrefixes);
  return {
    child: ex.child, protocol: choice.protocol,
    mode: ex.transport ? 'transport' : 'tunnel',
    udp: sa.nat.local || sa.nat.remote, suite: choice.suite,
    spiIn: ex.spiIn, spiOut: choice.spi,
    keyIn: ex.initiator ? rToI : iToR,
    keyOut: ex.initiator ? iToR : rToI,
    localTs: prefixes(ex.localTs), remoteTs: prefixes(ex.remoteTs),
    lifetime: ex.child.lifetime, pfsGroup: choice.dh?.group ?? 0, rekeyOf: ex.rekeyOf,
  };
}

/** The first payload of a type, typed by it (the codec's findPayloads). */
export const find = <T extends KnownPayloadType>(ps: readonly Decoded[], type: T): PayloadByType[T] | undefined => findPayloads(ps, type)[0];

const tsText = (ts: readonly TrafficSelector[]): string => ts.flatMap(tsToPrefixes).map((p) => `${formatAddress(p)}/${p.len}`).join(',') || '(none)';

/** §2.9: the part of each proposed selector our prefixes allow (empty: TS_UNACCEPTABLE). */
function narrow(proposed: readonly TrafficSelector[], ours: readonly Prefix[]): TrafficSelector[] {
  return proposed.flatMap((p) => ours.map((o) => tsIntersect(p, tsFromPrefix(o))).filter((t): t is TrafficSelector => t !== null));
}

/** Every selector of `inner` lies within one of `outer`: an answer must not widen what we asked. */
const within = (inner: readonly TrafficSelector[], outer: readonly TrafficSelector[]): boolean => inner.every((i) => outer.some((o) => tsContains(o, i)));
