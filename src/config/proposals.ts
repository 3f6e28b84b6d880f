// Proposal strings in the YAML: parsed by proposal.ts, with every issue moved from its offset in
// the string to its line and column in the file, so `ipsecgw check` points at the bad token.

import { isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { DEFAULT_PROPOSALS } from './defaults.js';
import {
  checkIkev1, espSupport, parseProposal, weaknesses, type Proposal, type ProposalIssue, type ProposalKind, type Spans,
} from './proposal.js';
import { asList, asString, offsetInScalar, type Ctx } from './reader.js';
import { dhSupport, ikeSupport } from './ike-support.js';
import type { Transform } from './transforms.js';
import { needsOptIn, type OptIn } from './weaknesses.js';

export interface Parsed {
  readonly proposal: Proposal;
  readonly spans: Spans;
}

export interface ProposalOptions {
  readonly version: 1 | 2;
  /** ESP / AH of a CHILD SA or manual SA: every algorithm must run in our datapath. */
  readonly datapath: boolean;
  /** What the connection opted into with `allow-weak`; every other OPT_IN algorithm is an error. */
  readonly allowWeak?: readonly OptIn[];
}

/** Where a proposal sits: the scalar, and the string's offset in the scalar's value. */
interface At {
  readonly node: Scalar;
  readonly base: number;
}

function report(ctx: Ctx, at: At, issue: ProposalIssue | { offset?: number; message: string }, severity: 'error' | 'warning'): void {
  const offset = offsetInScalar(ctx, at.node, at.base + (issue.offset ?? 0));
  if (severity === 'error') ctx.r.error(at.node, issue.message, offset);
  else ctx.r.warn(at.node, issue.message, offset);
}

/** Parses one proposal written at `at`; reports every issue there. Undefined after an error. */
function parseAt(ctx: Ctx, at: At, text: string, kind: ProposalKind, opts: ProposalOptions): Parsed | undefined {
  const result = parseProposal(text, kind);
  if (!result.ok) {
    report(ctx, at, result.error, 'error');
    return undefined;
  }
  for (const w of result.warnings) report(ctx, at, w, 'warning');
  let failed = false;
  if (opts.version === 1) {
    const v1 = checkIkev1(result.proposal, result.spans);
    for (const e of v1.errors) report(ctx, at, e, 'error');
    for (const w of v1.warnings) report(ctx, at, w, 'warning');
    failed = v1.errors.length > 0;
  }
  // What we can't run is an error at its token; a transform refused that way gets no weakness
  // warning on top, and a PRF derived from a refused integrity token (same span) no second error.
  const refused = new Set<number | undefined>();
  const refuse = (t: Transform, reason: string) => {
    const offset = result.spans.get(t)?.offset;
    if (refused.has(offset)) return;
    refused.add(offset);
    report(ctx, at, { offset, message: reason }, 'error');
    failed = true;
  };
  const p = result.proposal;
  if (kind === 'ike') {
    for (const t of [...p.encr, ...p.integ, ...p.prf, ...p.dh]) {
      const support = ikeSupport(t, opts.version);
      if (!support.supported) refuse(t, support.reason);
    }
  } else if (opts.datapath) {
    for (const t of [...p.encr, ...p.integ]) {
      const support = espSupport(t);
      if (!support.supported) refuse(t, `${support.reason} (the datapath can't run it)`);
    }
    // PFS groups run in our IKE (a manual SA's are refused by espSuite: no key exchange there).
    for (const g of p.dh) {
      const support = dhSupport(g);
      if (!support.supported) refuse(g, support.reason);
    }
  }
  for (const w of weaknesses(result.proposal, result.spans)) {
    if (w.offset !== undefined && refused.has(w.offset)) continue;
    if (needsOptIn(w) && !opts.allowWeak?.includes(w.name)) {
      report(ctx, at, { ...w, message: `${w.message}; ipsecgw runs it only for an IKEv1 connection that opts in with ` +
        `'allow-weak: [${w.name}]' (for a legacy peer; it is then a warning)` }, 'error');
      failed = true;
    } else report(ctx, at, w, 'warning');
  }
  return failed ? undefined : { proposal: result.proposal, spans: result.spans };
}

/** One proposal in one scalar (a manual SA's `esp:` or `ah:`). */
export function readProposal(ctx: Ctx, node: Node, label: string, kind: ProposalKind, opts: ProposalOptions): Parsed | undefined {
  if (!isScalar(node)) {
    ctx.r.error(node, `'${label}' takes one algorithm set, e.g. 'aes128gcm16' or 'aes256-sha256', not a list`);
    return undefined;
  }
  const text = asString(ctx, node, label);
  if (text === undefined) return undefined;
  if (text.includes(',')) {
    ctx.r.error(node, `'${label}' takes one algorithm set, not several`, offsetInScalar(ctx, node, text.indexOf(',')));
    return undefined;
  }
  return parseAt(ctx, { node, base: 0 }, text, kind, opts);
}

/**
 * A list of proposals, in order of preference. An item may hold several separated by commas, as
 * in swanctl.conf; 'default' stands for the built-in list (defaults.ts). Absent: the defaults.
 */
export function readProposals(ctx: Ctx, list: Node | undefined, kind: ProposalKind, opts: ProposalOptions): Proposal[] {
  const defaults = () => DEFAULT_PROPOSALS[opts.version][kind].map((s) => {
    const r = parseProposal(s, kind);
    if (!r.ok) throw new Error(`built-in ${kind} proposal '${s}': ${r.error.message}`);
    return r.proposal;
  });
  if (list === undefined) return defaults();
  const nodes = asList(ctx, list, 'proposals') ?? [];
  if (isSeq(list) && nodes.length === 0) ctx.r.error(list, "'proposals' is empty; leave it out for the defaults");
  const out: Proposal[] = [];
  for (const node of nodes) {
    const text = asString(ctx, node, 'proposals');
    if (text === undefined || !isScalar(node)) continue;
    let base = 0;
    for (const part of text.split(',')) {
      const lead = part.length - part.trimStart().length;
      const item = part.trim();
      const at = { node, base: base + lead };
      if (item.length === 0) {
        report(ctx, at, { message: 'empty proposal in the list' }, 'error');
      } else if (item.toLowerCase() === 'default') {
        out.push(...defaults());
      } else {
        const parsed = parseAt(ctx, at, item, kind, opts);
        if (parsed) out.push(parsed.proposal);
      }
      base += part.length + 1;
    }
  }
  return out;
}
