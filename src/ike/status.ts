// What `ipsecgw status` reports of IKE, in one shape for both versions: the IKE SAs (IKEv1's ISAKMP
// SAs, IKEv2's IKE SAs) and the CHILD SAs (IKEv1's IPsec SAs from Quick Mode). Field names are a
// contract with scripts (`ipsecgw status --json`): add fields, never rename them. Times are
// whole seconds, relative to the moment of the answer; counters are decimal strings (64-bit).
import { KEYWORDS } from '../config/keywords.js';
import { DH_GROUPS, type DhTransform, type EncrTransform, type IntegTransform, type PrfTransform } from '../config/transforms.js';
import type { Endpoint } from './endpoint.js';

/** Where an IKE SA stands, the same words for both versions (the exchange step is in `step`). */
export type IkeState = 'connecting' | 'established' | 'rekeyed' | 'deleted';

/** An IKE SA's exchange step (either version's) in those words: every step before the end is 'connecting'. */
export function ikeState(step: string): IkeState {
  return step === 'established' || step === 'rekeyed' || step === 'deleted' ? step : 'connecting';
}

export interface IkeEndStatus {
  readonly address: string;
  readonly port: number;
  /** The identity, as the configuration writes it ("192.0.2.1", "gw.example", "C=CH, O=…"); once known. */
  readonly id?: string;
}

/** The negotiated algorithms in strongSwan's keywords (aes256, sha256, prfsha256, x25519). */
export interface IkeAlgorithms {
  readonly encr: string;
  /** Absent with an AEAD. */
  readonly integ?: string;
  readonly prf: string;
  readonly dh: string;
}

export interface IkeSaStatus {
  /** The small number the logs call `ike`. */
  readonly id: number;
  readonly conn: string;
  readonly version: 1 | 2;
  readonly state: IkeState;
  /** The exchange's own step: IKEv2 init-sent | auth-sent | init-done | …; IKEv1 I1 | I3 | I5 | R2 | R4 | …. */
  readonly step: string;
  /** Of the IKE SA (the original initiator: RFC 7296 §2.2; IKEv1: who sent the first message). */
  readonly role: 'initiator' | 'responder';
  /** IKEv1 phase 1: main | aggressive. */
  readonly exchange?: 'main' | 'aggressive';
  readonly local: IkeEndStatus;
  readonly remote: IkeEndStatus;
  /** IKEv2 SPIi / SPIr, IKEv1 CKY-I / CKY-R: 16 hex digits each. */
  readonly spiI: string;
  readonly spiR: string;
  /** NAT detected in front of us (local) or of the peer (remote). */
  readonly nat: { readonly local: boolean; readonly remote: boolean };
  /** Once chosen. */
  readonly algorithms?: IkeAlgorithms;
  /** The same as `swanctl --list-sas` prints them: "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519". */
  readonly proposal?: string;
  /** Seconds since it was established. */
  readonly established?: number;
  /** Seconds until it is rekeyed (IKEv2), reauthenticated (IKEv2 with `reauth`; IKEv1: a new phase 1), deleted. */
  readonly rekeyIn?: number;
  readonly reauthIn?: number;
  readonly expiresIn?: number;
  /** IKEv1: bytes its keys protected (phase-1 kilobyte lifetime). */
  readonly bytesProtected?: number;
}

/** Where a CHILD SA stands (children.ts): installed (inbound only), active, rekeying, rekeyed (going), gone. */
export type ChildState = 'installed' | 'active' | 'rekeying' | 'rekeyed' | 'gone';

export interface ChildAlgorithms {
  readonly encr: string;
  readonly integ?: string;
  /** The PFS group, if any. */
  readonly dh?: string;
  readonly esn: boolean;
}

export interface ChildSaStatus {
  readonly conn: string;
  /** The child's name in the configuration. */
  readonly child: string;
  readonly version: 1 | 2;
  /** The IKE SA it belongs to (`id` there); absent for IKEv1 pairs that outlived their ISAKMP SA. */
  readonly ike?: number;
  readonly state: ChildState;
  readonly protocol: 'esp' | 'ah';
  readonly mode: 'tunnel' | 'transport';
  /** UDP encapsulation (RFC 3948). */
  readonly encap: 'udp' | 'none';
  /** "0x" and 8 hex digits. */
  readonly spiIn: string;
  readonly spiOut: string;
  readonly algorithms: ChildAlgorithms;
  /** As `swanctl --list-sas`: "AES_GCM_16-128", "AES_CBC-128/HMAC_SHA2_256_128/MODP_2048". */
  readonly proposal: string;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
  readonly bytesIn: string;
  readonly bytesOut: string;
  readonly packetsIn: string;
  readonly packetsOut: string;
  /** Seconds since the last packet each way; absent before the first. */
  readonly lastIn?: number;
  readonly lastOut?: number;
  /** Seconds since it was installed, until its rekey (while active) and until it is deleted. */
  readonly installed: number;
  readonly rekeyIn?: number;
  readonly expiresIn: number;
}

export interface IkeMessageStats {
  received: number;
  dropped: Record<string, number>;
}

/** One daemon's part of the status. */
export interface IkeDaemonStatus {
  readonly ike: IkeSaStatus[];
  readonly children: ChildSaStatus[];
  readonly stats: IkeMessageStats;
}

// ---- Helpers for the daemons ----------------------------------------------------------------------

export const endStatus = (e: Endpoint, id?: string): IkeEndStatus => ({ address: e.address, port: e.port, ...(id !== undefined ? { id } : {}) });

/** Whole seconds since `t` (ms since the epoch); undefined without a time. */
export const secondsSince = (t: number | undefined, now = Date.now()): number | undefined => (t ? Math.max(0, Math.round((now - t) / 1000)) : undefined);

/** Whole seconds until `t`; undefined without a time. */
export const secondsUntil = (t: number | undefined, now = Date.now()): number | undefined => (t ? Math.max(0, Math.round((t - now) / 1000)) : undefined);

/**
 * swanctl's notation of one algorithm: its enum name, with a variable key size after a dash
 * ("AES_CBC-256", "AES_GCM_16-128"); the descriptors carry the name with the size joined by '_'.
 */
export function swanctlName(t: EncrTransform | IntegTransform | PrfTransform | DhTransform): string {
  return t.kind === 'encr' ? t.strongswan.replace(/_(128|192|256)$/, '-$1') : t.strongswan;
}

/** IKE algorithms in both notations, from the transforms. */
export function ikeAlgorithms(encr: EncrTransform, integ: IntegTransform | undefined, prf: PrfTransform, dh: DhTransform): { algorithms: IkeAlgorithms; proposal: string } {
  return {
    algorithms: { encr: encr.name, ...(integ ? { integ: integ.name } : {}), prf: prf.name, dh: dh.name },
    proposal: [encr, integ, prf, dh].filter((t) => t !== undefined).map((t) => swanctlName(t!)).join('/'),
  };
}

/** The integrity and PRF transforms IKEv1 phase 1 gets from its hash (RFC 2409 §5: HMAC of the hash for both). */
export function ikev1HashTransforms(hash: string): { integ?: IntegTransform; prf?: PrfTransform } {
  const integ = KEYWORDS.get(hash), prf = KEYWORDS.get(`prf${hash}`);
  return { integ: integ?.kind === 'integ' ? integ : undefined, prf: prf?.kind === 'prf' ? prf : undefined };
}

/** A D-H group's transform by number (absent: unknown or 0). */
export function dhByGroup(group: number): DhTransform | undefined {
  return group ? DH_GROUPS.find((t) => t.group === group) : undefined;
}
