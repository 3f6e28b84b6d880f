// IKEv2 SA payloads from the configured proposals, and the choice among the peer's (RFC 7296
// §2.7, §3.3). Each configured proposal (a strongSwan proposal string) becomes one Proposal
// substructure with every alternative of each transform type; the responder takes the first of
// its own proposals that some offered proposal can satisfy (strongSwan's default,
// prefer_configured_proposals), and answers with exactly one transform of each type.
import type { DhTransform, EncrTransform, EsnTransform, IntegTransform, PrfTransform, Proposal as ConfigProposal } from '../../config/proposal.js';
import { espSuiteSupport, type EspSuite } from '../../config/proposal.js';
import { PROTOCOL, TRANSFORM, type Proposal, type SaPayload, type Transform } from '../codec/v2/index.js';
import { hashFromIkev2Prf, type HashName } from '../crypto/index.js';
import { readU32, u32 } from '../v1/proposals.js';

export interface IkeChoice {
  readonly encr: EncrTransform;
  readonly prf: PrfTransform;
  readonly prfHash: HashName;
  /** Absent with an AEAD cipher. */
  readonly integ?: IntegTransform;
  readonly dh: DhTransform;
  /** The peer's SPI from its proposal (IKE SA rekey: 8 bytes; IKE_SA_INIT: empty). */
  readonly spi: Uint8Array;
}

export interface ChildChoice {
  readonly protocol: 'esp' | 'ah';
  readonly suite: EspSuite;
  /** PFS group, when the proposal carried one other than NONE. */
  readonly dh?: DhTransform;
  readonly esn: EsnTransform;
  /** The peer's inbound SPI: our outbound. */
  readonly spi: number;
}

type Known = EncrTransform | PrfTransform | IntegTransform | DhTransform | EsnTransform;

const wire = (t: Known): Transform => ({ type: t.ikev2.type, id: t.ikev2.id, ...(t.ikev2.keyLength ? { keyLength: t.ikev2.keyLength } : {}) });
const same = (a: Transform, t: Known): boolean => a.type === t.ikev2.type && a.id === t.ikev2.id && (a.keyLength ?? 0) === (t.ikev2.keyLength ?? 0);

/** IKE proposals for IKE_SA_INIT (empty SPI) or an IKE SA rekey (our new 8-byte SPI). The first D-H group first: it is the one our KE uses. */
export function ikeOffer(proposals: readonly ConfigProposal[], spi: Uint8Array = new Uint8Array(0), group?: number): SaPayload {
  return {
    type: 33,
    proposals: proposals.map((p, i): Proposal => ({
      num: i + 1, protocolId: PROTOCOL.IKE, spi,
      transforms: [
        ...p.encr, ...p.prf, ...p.integ,
        ...[...p.dh].sort((a, b) => (b.group === group ? 1 : 0) - (a.group === group ? 1 : 0)),
      ].map(wire),
    })),
  };
}

/** Responder: the first of our proposals some offered IKE proposal satisfies, or why none does. */
export function selectIke(offer: SaPayload, ours: readonly ConfigProposal[]): IkeChoice | { reason: string } {
  const offered = offer.proposals.filter((p) => p.protocolId === PROTOCOL.IKE);
  for (const mine of ours) {
    for (const p of offered) {
      const pick = <T extends Known>(type: number, list: readonly T[]): T | undefined =>
        list.find((t) => p.transforms.some((x) => x.type === type && same(x, t)));
      const encr = pick(TRANSFORM.ENCR, mine.encr), prf = pick(TRANSFORM.PRF, mine.prf), dh = pick(TRANSFORM.DH, mine.dh);
      const integ = encr?.aead ? undefined : pick(TRANSFORM.INTEG, mine.integ);
      if (!encr || !prf || !dh || (!encr.aead && !integ)) continue;
      if (encr.aead && p.transforms.some((x) => x.type === TRANSFORM.INTEG && x.id !== 0)) continue; // RFC 5282 §8
      const prfHash = hashFromIkev2Prf(prf.ikev2.id);
      if (!prfHash) continue;
      return { encr, prf, prfHash, integ, dh, spi: p.spi };
    }
  }
  return { reason: `none of ${offered.length} offered IKE proposal(s) matches ours (${describe(offer)})` };
}

/** Initiator: the responder's answer must be one of each type, from what we offered. */
export function acceptIke(answer: SaPayload, ours: readonly ConfigProposal[]): IkeChoice | { reason: string } {
  if (answer.proposals.length !== 1) return { reason: `${answer.proposals.length} proposals in the answer` };
  const p = answer.proposals[0];
  const one = (type: number) => p.transforms.filter((x) => x.type === type);
  if ([TRANSFORM.ENCR, TRANSFORM.PRF, TRANSFORM.DH].some((t) => one(t).length !== 1) || one(TRANSFORM.INTEG).length > 1) {
    return { reason: 'the answer must hold exactly one transform of each type' };
  }
  const c = selectIke(answer, ours);
  return 'reason' in c ? { reason: `the responder chose what we did not offer (${describe(answer)})` } : c;
}

/** CHILD SA proposals: ESP (or AH) with our 4-byte inbound SPI; with `pfs`, its D-H group (none in IKE_AUTH, §1.2). */
export function childOffer(proposals: readonly ConfigProposal[], protocol: 'esp' | 'ah', spi: number, pfs?: DhTransform): SaPayload {
  return {
    type: 33,
    proposals: proposals.map((p, i): Proposal => ({
      num: i + 1, protocolId: protocol === 'esp' ? PROTOCOL.ESP : PROTOCOL.AH, spi: u32(spi),
      transforms: [...p.encr, ...p.integ, ...(pfs ? [pfs, ...p.dh.filter((d) => d !== pfs && d.group !== 0)] : []), ...p.esn].map(wire),
    })),
  };
}

/**
 * The first of our child proposals an offered one satisfies. `pfs.groups`: the D-H groups we take
 * for PFS (none: we want none); `pfs.ke`: the exchange carries a KE, so a group must be agreed. We
 * refuse a proposal without PFS when we want it (strongSwan does too); IKE_AUTH never has any.
 */
export function selectChild(offer: SaPayload, ours: readonly ConfigProposal[], protocol: 'esp' | 'ah', pfs: { groups: readonly DhTransform[]; ke: boolean }): ChildChoice | { reason: string } {
  const proto = protocol === 'esp' ? PROTOCOL.ESP : PROTOCOL.AH;
  const offered = offer.proposals.filter((p) => p.protocolId === proto && p.spi.length === 4);
  for (const mine of ours) {
    for (const p of offered) {
      const pick = <T extends Known>(type: number, list: readonly T[]): T | undefined =>
        list.find((t) => p.transforms.some((x) => x.type === type && same(x, t)));
      const encr = protocol === 'esp' ? pick(TRANSFORM.ENCR, mine.encr) : undefined;
      if (protocol === 'esp' && !encr) continue;
      const integ = encr?.aead ? undefined : pick(TRANSFORM.INTEG, mine.integ);
      if (!encr?.aead && !integ && protocol === 'ah') continue;
      if (encr && !encr.aead && !integ && mine.integ.length > 0) continue;
      const esn = pick(TRANSFORM.ESN, mine.esn);
      if (!esn) continue;
      const dh = pfs.ke ? pick(TRANSFORM.DH, pfs.groups) : undefined;
      if (pfs.ke !== (dh !== undefined)) continue;
      const suite: EspSuite = integ ? { encr: encr!, integ, esn: esn.esn } : { encr: encr!, esn: esn.esn };
      if (!espSuiteSupport(suite).supported) continue;
      return { protocol, suite, esn, dh, spi: readU32(p.spi) };
    }
  }
  return { reason: `none of ${offered.length} offered ${protocol.toUpperCase()} proposal(s) matches ours (${describe(offer)})` };
}

/** Initiator: the answer must be one of what we offered. */
export function acceptChild(answer: SaPayload, ours: readonly ConfigProposal[], protocol: 'esp' | 'ah', pfs: DhTransform | undefined): ChildChoice | { reason: string } {
  if (answer.proposals.length !== 1) return { reason: `${answer.proposals.length} proposals in the answer` };
  const c = selectChild(answer, ours, protocol, { groups: pfs ? [pfs] : [], ke: !!pfs });
  return 'reason' in c ? { reason: `the responder chose what we did not offer (${describe(answer)})` } : c;
}

/** The proposal an answer carries: the chosen transforms, one of each. */
export function ikeAnswer(c: IkeChoice, spi: Uint8Array, num = 1): SaPayload {
  const ts = [c.encr, c.prf, ...(c.integ ? [c.integ] : []), c.dh];
  return { type: 33, proposals: [{ num, protocolId: PROTOCOL.IKE, spi, transforms: ts.map(wire) }] };
}

export function childAnswer(c: ChildChoice, spi: number, num = 1): SaPayload {
  const ts = [c.suite.encr, ...(c.suite.integ ? [c.suite.integ] : []), ...(c.dh ? [c.dh] : []), c.esn];
  return { type: 33, proposals: [{ num, protocolId: c.protocol === 'esp' ? PROTOCOL.ESP : PROTOCOL.AH, spi: u32(spi), transforms: ts.map(wire) }] };
}

/** Transform numbers of a proposal list, for the logs: "1:ENCR 12/128 PRF 5 INTEG 12 DH 14". */
function describe(sa: SaPayload): string {
  const NAMES = ['', 'ENCR', 'PRF', 'INTEG', 'DH', 'ESN'];
  return sa.proposals.map((p) => `${p.num}:${p.transforms.map((t) => `${NAMES[t.type] ?? t.type} ${t.id}${t.keyLength ? `/${t.keyLength}` : ''}`).join(' ')}`).join('; ');
}

export { readU32, u32 } from '../v1/proposals.js';
