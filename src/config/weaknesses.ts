// Warnings for algorithms that parse and work but that the IETF's current guidance rejects or
// discourages: RFC 8247 for IKEv2 and RFC 8221 for ESP and AH. strongSwan itself warns about none
// of these; `ipsecgw check` shows them so that weak settings are a decision, not an accident.
//
// Chosen here: DES, MD5 (as integrity and as PRF) and D-H group 1 are MUST NOT — DES so much so
// that the loader refuses it without an opt-in (OPT_IN); 3DES is SHOULD NOT for ESP (RFC 8221)
// and, though RFC 8247 still lists it as MAY for IKE, 'weak' there for its 64-bit block (birthday
// bounds after a few GB, "Sweet32"); D-H groups 2, 5 and the RFC 5114 groups 22-24 are SHOULD
// NOT (group 22 also for its 1024-bit modulus); ECP-192 (group 25) gives only 96-bit security;
// and ESP with a classic cipher but no integrity algorithm is open to active attacks (RFC 4303
// §3.2 allows it, RFC 8221 advises against it). The RFC 8221/8247 statuses come from their per-type tables.

import type { Proposal, Spans } from './proposal.js';
import type { Transform } from './transforms.js';

export type WeaknessLevel = 'MUST NOT' | 'SHOULD NOT' | 'NOT RECOMMENDED' | 'weak';

/**
 * MUST NOTs that ipsecgw still runs for legacy IKEv1 peers, but only where a connection opts in
 * with `allow-weak` (connections.ts); anywhere else the loader refuses them (proposals.ts).
 */
export const OPT_IN = ['des'] as const;
export type OptIn = (typeof OPT_IN)[number];
export const needsOptIn = (w: Weakness): w is Weakness & { name: OptIn } =>
  w.level === 'MUST NOT' && (OPT_IN as readonly string[]).includes(w.name);

export interface Weakness {
  /** Canonical keyword of the transform at fault (the cipher, for encryption-only ESP). */
  readonly name: string;
  readonly level: WeaknessLevel;
  readonly message: string;
  /** Where the algorithm was written, when the caller passed the parse result's spans. */
  readonly offset?: number;
  readonly length?: number;
}

interface Rule {
  readonly level: WeaknessLevel | ((kind: Proposal['kind']) => WeaknessLevel);
  readonly why: (kind: Proposal['kind']) => string;
}

const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['des', { level: 'MUST NOT', why: (k) => `single DES (56-bit key) MUST NOT be used (${k === 'ike' ? 'RFC 8247' : 'RFC 8221'}, encryption table)` }],
  ['3des', {
    level: (k) => (k === 'ike' ? 'weak' : 'SHOULD NOT'),
    why: (k) => k === 'ike' ? '3DES has a 64-bit block, unsafe after a few GB under one key; RFC 8247 keeps it (MAY) only for old peers'
      : '3DES SHOULD NOT be used (RFC 8221, encryption table): its 64-bit block is unsafe after a few GB under one key',
  }],
  ['md5', { level: 'MUST NOT', why: (k) => `HMAC-MD5-96 MUST NOT be used (${k === 'ike' ? 'RFC 8247' : 'RFC 8221'}, integrity table)` }],
  ['prfmd5', { level: 'MUST NOT', why: () => 'PRF_HMAC_MD5 MUST NOT be used (RFC 8247, PRF table)' }],
  ['modp768', { level: 'MUST NOT', why: () => 'D-H group 1 (768-bit MODP) MUST NOT be used (RFC 8247, D-H table)' }],
  ['modp1024', { level: 'SHOULD NOT', why: () => 'D-H group 2 (1024-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)' }],
  ['modp1536', { level: 'SHOULD NOT', why: () => 'D-H group 5 (1536-bit MODP) SHOULD NOT be used (RFC 8247, D-H table)' }],
  // RFC 5114 groups: group 22 has group 2's weakness, a 1024-bit modulus, on top of its own.
  ...([['modp1024s160', 22, 1024, 160], ['modp2048s224', 23, 2048, 224], ['modp2048s256', 24, 2048, 256]] as const)
    .map(([n, group, bits, q]): [string, Rule] => [n, {
      level: 'SHOULD NOT',
      why: () => `D-H group ${group} (RFC 5114: ${bits}-bit MODP with a ${q}-bit prime-order subgroup) SHOULD NOT be used (RFC 8247, D-H table): ` +
        `${bits === 1024 ? 'its 1024-bit modulus is as weak as group 2, ' : ''}small subgroups need checks, and the primes' origin is unexplained`,
    }]),
  ['ecp192', { level: 'weak', why: () => 'D-H group 25 (192-bit random ECP) gives only about 96-bit security; use ecp256 or x25519' }],
]);

/**
 * The weak choices in a proposal, in the order they appear. Pass the spans from parseProposal to
 * get offsets. A PRF derived from a weak integrity algorithm is not reported twice.
 */
export function weaknesses(p: Proposal, spans?: Spans): Weakness[] {
  const out: Weakness[] = [];
  const integSpans = new Set(p.integ.map((i) => spans?.get(i)).filter((s) => s !== undefined));
  const report = (t: Transform, level: WeaknessLevel, message: string) => {
    const span = spans?.get(t);
    // A PRF derived from an integrity token shares its span: prfmd5 from md5 is one warning, not two.
    if (t.kind === 'prf' && span && integSpans.has(span) && out.some((w) => w.offset === span.offset)) return;
    out.push(span ? { name: t.name, level, message, offset: span.offset, length: span.length } : { name: t.name, level, message });
  };
  for (const t of [...p.encr, ...p.integ, ...p.prf, ...p.dh]) {
    const rule = RULES.get(t.name);
    if (rule) report(t, typeof rule.level === 'function' ? rule.level(p.kind) : rule.level, `'${t.name}': ${rule.why(p.kind)}`);
  }
  if (p.kind === 'esp' && p.integ.length === 0) {
    const classic = p.encr.find((e) => !e.aead && e.family !== 'null');
    if (classic) {
      report(classic, 'NOT RECOMMENDED',
        `'${classic.name}' without an integrity algorithm: ESP confidentiality without integrity is open to active attacks ` +
        `(RFC 4303 §3.2); add one, e.g. '${classic.name}-sha256', or use an AEAD such as 'aes128gcm16'`);
    }
  }
  return out.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
}
