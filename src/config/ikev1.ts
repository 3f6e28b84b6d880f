// What an IKEv1 connection can make of a proposal. IKEv1 reads the same strings, but:
//  - phase 1 encodes encryption, hash and group as attributes of one transform (RFC 2409
//    Appendix A); only the CBC ciphers have values there, so no AEAD, CTR or CCM for the IKE SA;
//  - phase 1 has no PRF transform in practice: the PRF is the HMAC of the negotiated hash
//    (RFC 2409 §5), and strongSwan derives both from the one Hash attribute;
//  - phase 2 needs an ESP transform ID (RFC 2407 §4.4.4) or AH transform ID (§4.4.3) and an
//    Authentication Algorithm attribute (§4.5); ChaCha20-Poly1305 and AES-CMAC have none;
//  - a transform carries one algorithm of each kind: strongSwan as initiator proposes only the
//    first of each, though as responder it accepts any listed one.

import type { Proposal, ProposalIssue, Spans } from './proposal.js';
import { derivePrfs, type Transform } from './transforms.js';

export interface Ikev1Check {
  readonly errors: readonly ProposalIssue[];
  readonly warnings: readonly ProposalIssue[];
}

/** Problems of a parsed proposal for IKEv1 (phase 1 for 'ike', phase 2 for 'esp' and 'ah'). */
export function checkIkev1(p: Proposal, spans?: Spans): Ikev1Check {
  const errors: ProposalIssue[] = [], warnings: ProposalIssue[] = [];
  const at = (t: Transform) => spans?.get(t) ?? { offset: 0, length: 0 };
  const error = (t: Transform, message: string) => errors.push({ ...at(t), message });

  if (p.kind === 'ike') {
    for (const e of p.encr) {
      if (e.ikev1.ike === null) {
        error(e, `'${e.name}' can't protect an IKEv1 IKE SA: phase 1 has values only for CBC ciphers (RFC 2409 Appendix A); ` +
          "use e.g. 'aes256' with 'sha256'");
      }
    }
    for (const i of p.integ) {
      if (i.ikev1.hash === null) error(i, `'${i.name}' has no IKEv1 phase-1 Hash Algorithm value; use 'sha256', 'sha384', 'sha512' or 'sha1'`);
    }
    const derived = derivePrfs(p.integ);
    if (p.encr.every((e) => !e.aead) && (derived.length !== p.prf.length || derived.some((d, k) => d !== p.prf[k]))) {
      const first = p.prf.find((x) => !derived.includes(x)) ?? p.prf[0];
      warnings.push({
        ...at(first),
        message: `'${first.name}' is ignored by IKEv1: its PRF is the HMAC of the negotiated hash (RFC 2409 §5), ` +
          `here ${derived.map((d) => `'${d.name}'`).join(' or ')}`,
      });
    }
  } else {
    for (const e of p.encr) {
      if (e.ikev1.esp === null) error(e, `'${e.name}' has no IKEv1 ESP transform ID (RFC 2407 §4.4.4 and IANA); use it with IKEv2 only`);
    }
    for (const i of p.integ) {
      const value = p.kind === 'ah' ? i.ikev1.ah : i.ikev1.auth;
      if (value === null) {
        error(i, `'${i.name}' has no IKEv1 ${p.kind === 'ah' ? 'AH transform ID (RFC 2407 §4.4.3)' : 'Authentication Algorithm value (RFC 2407 §4.5)'}`);
      }
    }
  }

  const lists: Array<readonly Transform[]> = [p.encr, p.integ, p.dh, ...(p.kind === 'ike' ? [] : [p.esn])];
  for (const list of lists) {
    if (list.length > 1) {
      warnings.push({
        ...at(list[1]),
        message: `an IKEv1 transform carries one algorithm of each kind: as initiator only '${list[0].name}' is proposed, ` +
          `not ${list.slice(1).map((t) => `'${t.name}'`).join(', ')}; write separate proposals to offer them`,
      });
    }
  }
  return { errors, warnings };
}
