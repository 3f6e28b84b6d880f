// From configured proposals to IKEv1 SA payloads and back: what we offer as initiator, what we
// pick as responder, and what the choice means for keys and the datapath.
//
// Phase 1 (RFC 2409 §5, Appendix A): ONE proposal (protocol ISAKMP, transform KEY_IKE) whose
// transforms are the alternatives, each carrying encryption, key length, hash, group,
// authentication method and lifetimes as attributes; the responder returns the one it chose.
// Phase 2 (RFC 2407 §4.4, §4.5): one proposal per alternative, numbered in order, each with one
// transform (the ESP or AH transform ID) and the attributes that complete it.
//
// An IKEv1 transform carries one algorithm of each kind, so, as strongSwan does, the initiator
// offers the first of each kind of a configured proposal (`ipsecgw check` warns about the rest),
// and the responder accepts any combination its proposal lists.
import {
  AUTH_METHOD, DOI_IPSEC, ENCAP_MODE, LIFE_TYPE, P1_ATTR, P2_ATTR, PROTO, SIT_IDENTITY_ONLY, TRANSFORM_ISAKMP,
  attrBigInt, attrNumber, type Attribute, type SaPayload, type Transform as SaTransform,
} from '../codec/v1/index.js';
import type { EncrTransform, EspSuite, IntegTransform, Proposal } from '../../config/proposal.js';
import { encrNull } from '../../config/transforms.js';
import type { Child, Lifetime, Mode } from '../../config/types.js';
import { hashFromIkev1, type HashName } from '../crypto/prf.js';
import { udpEncapMode, type NattVariant } from './natt.js';

/** The phase-1 algorithms both sides agreed on. */
export interface Phase1Choice {
  readonly encr: EncrTransform;
  readonly hash: HashName;
  readonly group: number;
  readonly authMethod: number;
  /** What the SA lives by: the smaller of the two sides' lifetimes (RFC 2407 §4.5.4 in spirit). */
  readonly lifetime: Lifetime;
  /** The transform as chosen, echoed by the responder in message 2 (RFC 2409 §5). */
  readonly transform: SaTransform;
}

/** The phase-2 algorithms of one SA bundle (we do not bundle: one protocol). */
export interface Phase2Choice {
  readonly protocol: 'esp' | 'ah';
  readonly suite: EspSuite;
  /** The PFS group, or 0. */
  readonly group: number;
  readonly lifetime: Lifetime;
  readonly mode: Mode;
  /** UDP-encapsulated (RFC 3947 §5.3 modes). */
  readonly udp: boolean;
  /** The SPI in the chosen proposal: the proposer's inbound SPI. */
  readonly spi: number;
  /** Proposal number and transform, for the responder to echo. */
  readonly number: number;
  readonly transform: SaTransform;
}

const attr = (type: number, value: number): Attribute => ({ type, value });

/** Life type + duration pairs (RFC 2407 §4.5 and RFC 2409 Appendix A: seconds first, then kilobytes). */
function lifeAttributes(typeAttr: number, durationAttr: number, l: Lifetime): Attribute[] {
  const out = [attr(typeAttr, LIFE_TYPE.SECONDS), attr(durationAttr, l.time)];
  if (l.kilobytes !== undefined) out.push(attr(typeAttr, LIFE_TYPE.KILOBYTES), attr(durationAttr, l.kilobytes));
  return out;
}

/** Reads life type / duration pairs; a duration applies to the type before it. */
function readLifetime(attrs: readonly Attribute[], typeAttr: number, durationAttr: number): { time?: number; kilobytes?: number } {
  let type = 0, time: number | undefined, kilobytes: number | undefined;
  for (const a of attrs) {
    if (a.type === typeAttr) type = attrNumber(a) ?? 0;
    else if (a.type === durationAttr) {
      const v = attrBigInt(a);
      const n = v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
      if (type === LIFE_TYPE.SECONDS) time = n;
      else if (type === LIFE_TYPE.KILOBYTES) kilobytes = n;
    }
  }
  return { time, kilobytes };
}

function minLifetime(ours: Lifetime, theirs: { time?: number; kilobytes?: number }): Lifetime {
  const time = Math.min(ours.time, theirs.time ?? Infinity);
  const kb = Math.min(ours.kilobytes ?? Infinity, theirs.kilobytes ?? Infinity);
  return kb === Infinity ? { time } : { time, kilobytes: kb };
}

const attrMap = (t: SaTransform): Map<number, number> => {
  const m = new Map<number, number>();
  for (const a of t.attributes) {
    const n = attrNumber(a);
    if (n !== undefined && !m.has(a.type)) m.set(a.type, n);
  }
  return m;
};

// ---- Phase 1 ------------------------------------------------------------------------------------

/** Our phase-1 SA payload: one ISAKMP proposal, one transform per configured proposal. */
export function phase1Offer(proposals: readonly Proposal[], authMethod: number, lifetime: Lifetime): SaPayload {
  const transforms: SaTransform[] = proposals.map((p, i) => {
    const e = p.encr[0], h = p.integ[0], g = p.dh[0];
    const attributes = [attr(P1_ATTR.ENCRYPTION_ALGORITHM, e.ikev1.ike!)];
    if (e.ikev1.keyLength !== undefined) attributes.push(attr(P1_ATTR.KEY_LENGTH, e.ikev1.keyLength));
    attributes.push(
      attr(P1_ATTR.HASH_ALGORITHM, h.ikev1.hash!),
      attr(P1_ATTR.GROUP_DESCRIPTION, g.ikev1.group!),
      attr(P1_ATTR.AUTHENTICATION_METHOD, authMethod),
      ...lifeAttributes(P1_ATTR.LIFE_TYPE, P1_ATTR.LIFE_DURATION, lifetime),
    );
    return { number: i + 1, id: TRANSFORM_ISAKMP.KEY_IKE, attributes };
  });
  return {
    type: 1, doi: DOI_IPSEC, situation: SIT_IDENTITY_ONLY,
    proposals: [{ number: 1, protocol: PROTO.ISAKMP, spi: new Uint8Array(0), transforms }],
  };
}

/** Whether an encryption transform is the one a phase-1 transform's attributes name. */
function encrMatches(e: EncrTransform, value: number | undefined, keyLength: number | undefined, p1: boolean): boolean {
  const id = p1 ? e.ikev1.ike : e.ikev1.esp;
  return id !== null && id === value && e.ikev1.keyLength === keyLength;
}

/**
 * The first of our proposals (our order) that one of the peer's transforms satisfies — or why none
 * does, for the log and the NO-PROPOSAL-CHOSEN notify.
 */
export function selectPhase1(sa: SaPayload, proposals: readonly Proposal[], authMethods: readonly number[], lifetime: Lifetime):
  Phase1Choice | { reason: string } {
  if (sa.doi !== DOI_IPSEC) return { reason: `DOI ${sa.doi} is not IPsec (1)` };
  const offered = sa.proposals.filter((p) => p.protocol === PROTO.ISAKMP).flatMap((p) => p.transforms);
  if (offered.length === 0) return { reason: 'no ISAKMP proposal' };
  for (const ours of proposals) {
    for (const t of offered) {
      if (t.id !== TRANSFORM_ISAKMP.KEY_IKE) continue;
      const a = attrMap(t);
      const encr = ours.encr.find((e) => encrMatches(e, a.get(P1_ATTR.ENCRYPTION_ALGORITHM), a.get(P1_ATTR.KEY_LENGTH), true));
      const integ = ours.integ.find((i: IntegTransform) => i.ikev1.hash !== null && i.ikev1.hash === a.get(P1_ATTR.HASH_ALGORITHM));
      const group = ours.dh.find((g) => g.ikev1.group !== null && g.ikev1.group === a.get(P1_ATTR.GROUP_DESCRIPTION));
      const method = a.get(P1_ATTR.AUTHENTICATION_METHOD);
      if (!encr || !integ || !group || method === undefined || !authMethods.includes(method)) continue;
      const hash = hashFromIkev1(integ.ikev1.hash!);
      if (!hash) continue;
      return {
        encr, hash, group: group.group, authMethod: method,
        lifetime: minLifetime(lifetime, readLifetime(t.attributes, P1_ATTR.LIFE_TYPE, P1_ATTR.LIFE_DURATION)),
        transform: t,
      };
    }
  }
  return { reason: `none of ${offered.length} transform(s) offered matches ours: offered ${offered.map(describePhase1).join('; ')}` };
}

/** The initiator's view of the responder's answer: it must be one of the transforms we offered. */
export function acceptPhase1Answer(sa: SaPayload, proposals: readonly Proposal[], authMethod: number, lifetime: Lifetime): Phase1Choice | { reason: string } {
  const ts = sa.proposals.flatMap((p) => p.transforms);
  if (sa.proposals.length !== 1 || ts.length !== 1) return { reason: 'the answer must hold exactly one proposal with one transform (RFC 2409 §5)' };
  return selectPhase1(sa, proposals, [authMethod], lifetime);
}

function describePhase1(t: SaTransform): string {
  const a = attrMap(t);
  return `encr ${a.get(P1_ATTR.ENCRYPTION_ALGORITHM)}/${a.get(P1_ATTR.KEY_LENGTH) ?? '-'} hash ${a.get(P1_ATTR.HASH_ALGORITHM)} ` +
    `group ${a.get(P1_ATTR.GROUP_DESCRIPTION)} auth ${a.get(P1_ATTR.AUTHENTICATION_METHOD)}`;
}

/** The authentication methods a configured end may use (RFC 2409 §5; ECDSA per RFC 4754 §3). */
export function authMethodsFor(auth: 'psk' | 'pubkey', keyType?: string): number[] {
  if (auth === 'psk') return [AUTH_METHOD.PSK];
  if (keyType === 'ec') return [AUTH_METHOD.ECDSA_SHA256, AUTH_METHOD.ECDSA_SHA384, AUTH_METHOD.ECDSA_SHA512];
  return [AUTH_METHOD.RSA_SIG];
}

// ---- Phase 2 ------------------------------------------------------------------------------------

export interface Phase2Context {
  readonly natt?: NattVariant;
  /** UDP encapsulation applies: a NAT was detected (or forced) during phase 1. */
  readonly udp: boolean;
}

/** The PFS group of a child: its `pfs` setting, or a group its proposals name (strongSwan style). */
export function pfsGroup(child: Child, proposal?: Proposal): number {
  if (typeof child.pfs === 'object') return child.pfs.group;
  const g = proposal?.dh.find((d) => d.group !== 0);
  return g ? g.group : 0;
}

function encapValue(mode: Mode, c: Phase2Context): number {
  if (c.udp && c.natt) return udpEncapMode(c.natt, mode);
  return mode === 'tunnel' ? ENCAP_MODE.TUNNEL : ENCAP_MODE.TRANSPORT;
}

/** Our phase-2 SA payload: proposal k+1 for configured proposal k, all with our inbound SPI. */
export function phase2Offer(child: Child, spi: number, c: Phase2Context): SaPayload {
  const protocol = child.protocol === 'ah' ? PROTO.IPSEC_AH : PROTO.IPSEC_ESP;
  const spiBytes = u32(spi);
  return {
    type: 1, doi: DOI_IPSEC, situation: SIT_IDENTITY_ONLY,
    proposals: child.proposals.map((p, i) => {
      const group = pfsGroup(child, p);
      const attributes = lifeAttributes(P2_ATTR.SA_LIFE_TYPE, P2_ATTR.SA_LIFE_DURATION, child.lifetime);
      if (group) attributes.push(attr(P2_ATTR.GROUP_DESCRIPTION, group));
      attributes.push(attr(P2_ATTR.ENCAPSULATION_MODE, encapValue(child.mode, c)));
      const integ = p.integ[0];
      let id: number;
      if (child.protocol === 'ah') {
        id = integ.ikev1.ah!;
        attributes.push(attr(P2_ATTR.AUTH_ALGORITHM, integ.ikev1.auth!));
      } else {
        const e = p.encr[0];
        id = e.ikev1.esp!;
        if (integ) attributes.push(attr(P2_ATTR.AUTH_ALGORITHM, integ.ikev1.auth!));
        if (e.ikev1.keyLength !== undefined) attributes.push(attr(P2_ATTR.KEY_LENGTH, e.ikev1.keyLength));
      }
      if (p.esn[0]?.esn) attributes.push(attr(P2_ATTR.EXTENDED_SEQUENCE_NUMBER, 1));
      return { number: i + 1, protocol, spi: spiBytes, transforms: [{ number: 1, id, attributes }] };
    }),
  };
}

/** The encapsulation mode a transform asks for, or why it is unacceptable here. */
function readEncap(value: number | undefined, c: Phase2Context): { mode: Mode; udp: boolean } | null {
  switch (value) {
    case ENCAP_MODE.TUNNEL: return { mode: 'tunnel', udp: false };
    case ENCAP_MODE.TRANSPORT: return { mode: 'transport', udp: false };
    case ENCAP_MODE.UDP_TUNNEL: case ENCAP_MODE.UDP_TUNNEL_DRAFT: return c.udp ? { mode: 'tunnel', udp: true } : null;
    case ENCAP_MODE.UDP_TRANSPORT: case ENCAP_MODE.UDP_TRANSPORT_DRAFT: return c.udp ? { mode: 'transport', udp: true } : null;
    default: return null;
  }
}

/**
 * As responder: the first of our proposals (our order) that one of the peer's proposals matches.
 * Proposals sharing a number form a bundle (RFC 2408 §4.2, e.g. AH with ESP); we take single SAs.
 */
export function selectPhase2(sa: SaPayload, child: Child, c: Phase2Context): Phase2Choice | { reason: string } {
  if (sa.doi !== DOI_IPSEC) return { reason: `DOI ${sa.doi} is not IPsec (1)` };
  const byNumber = new Map<number, number>();
  for (const p of sa.proposals) byNumber.set(p.number, (byNumber.get(p.number) ?? 0) + 1);
  const protocol = child.protocol === 'ah' ? PROTO.IPSEC_AH : PROTO.IPSEC_ESP;
  for (const ours of child.proposals) {
    for (const p of sa.proposals) {
      if (p.protocol !== protocol || byNumber.get(p.number) !== 1 || p.spi.length !== 4) continue;
      for (const t of p.transforms) {
        const m = matchPhase2(t, ours, child, c);
        if (m) return { ...m, spi: readU32(p.spi), number: p.number, transform: t };
      }
    }
  }
  return { reason: `none of the ${sa.proposals.length} proposal(s) matches child '${child.name}'` };
}

/** The initiator's check of the answer: one proposal with one transform, one of ours. */
export function acceptPhase2Answer(sa: SaPayload, child: Child, c: Phase2Context): Phase2Choice | { reason: string } {
  if (sa.proposals.length !== 1 || sa.proposals[0].transforms.length !== 1) {
    return { reason: 'the answer must hold exactly one proposal with one transform (RFC 2409 §5.5)' };
  }
  const p = sa.proposals[0], t = p.transforms[0];
  if (p.spi.length !== 4) return { reason: `SPI of ${p.spi.length} bytes` };
  for (const ours of child.proposals) {
    const m = matchPhase2(t, ours, child, c);
    if (m) return { ...m, spi: readU32(p.spi), number: p.number, transform: t };
  }
  return { reason: 'the chosen transform is none of ours' };
}

function matchPhase2(t: SaTransform, ours: Proposal, child: Child, c: Phase2Context):
  Omit<Phase2Choice, 'spi' | 'number' | 'transform'> | null {
  const a = attrMap(t);
  const encap = readEncap(a.get(P2_ATTR.ENCAPSULATION_MODE) ?? ENCAP_MODE.TUNNEL, c);
  if (!encap || encap.mode !== child.mode) return null;
  const authValue = a.get(P2_ATTR.AUTH_ALGORITHM);
  const esn = a.get(P2_ATTR.EXTENDED_SEQUENCE_NUMBER) === 1;
  if (!ours.esn.some((e) => e.esn === esn)) return null;
  // PFS: the groups must agree; 'modpnone' in our proposal makes PFS optional (strongSwan's rule).
  const group = a.get(P2_ATTR.GROUP_DESCRIPTION) ?? 0;
  if (group !== pfsGroup(child, ours) && !(group === 0 && ours.dh.some((d) => d.group === 0))) return null;
  const lifetime = minLifetime(child.lifetime, readLifetime(t.attributes, P2_ATTR.SA_LIFE_TYPE, P2_ATTR.SA_LIFE_DURATION));
  if (child.protocol === 'ah') {
    const integ = ours.integ.find((i) => i.ikev1.ah === t.id && i.ikev1.auth === authValue);
    if (!integ) return null;
    return { protocol: 'ah', suite: { encr: nullEncr(ours), integ, esn }, group, lifetime, mode: encap.mode, udp: encap.udp };
  }
  const encr = ours.encr.find((e) => encrMatches(e, t.id, a.get(P2_ATTR.KEY_LENGTH), false));
  if (!encr) return null;
  const common = { protocol: 'esp' as const, group, lifetime, mode: encap.mode, udp: encap.udp };
  // RFC 2407 §4.5: no Authentication Algorithm attribute means no integrity — right for AEADs
  // (RFC 4106 §8.4), allowed for classic ciphers only where we configured none.
  if (authValue === undefined) return encr.aead || ours.integ.length === 0 ? { ...common, suite: { encr, esn } } : null;
  const integ = encr.aead ? undefined : ours.integ.find((i) => i.ikev1.auth === authValue);
  return integ ? { ...common, suite: { encr, integ, esn } } : null;
}

/** AH suites carry NULL encryption (config/types.ts ManualSa.suite); AH proposals parse with none. */
const nullEncr = (p: Proposal): EncrTransform => p.encr[0] ?? encrNull;

export const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
export const readU32 = (b: Uint8Array): number => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

/** RESPONDER-LIFETIME (RFC 2407 §4.6.3.1): the attributes that tell the initiator our shorter lifetime. */
export function responderLifetimeAttributes(l: Lifetime): Attribute[] {
  return lifeAttributes(P2_ATTR.SA_LIFE_TYPE, P2_ATTR.SA_LIFE_DURATION, l);
}

/** Reads a RESPONDER-LIFETIME notify's attributes. */
export function readResponderLifetime(attrs: readonly Attribute[]): { time?: number; kilobytes?: number } {
  return readLifetime(attrs, P2_ATTR.SA_LIFE_TYPE, P2_ATTR.SA_LIFE_DURATION);
}
