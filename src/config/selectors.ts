// Traffic selectors (local-ts / remote-ts): lists of prefixes, shared by manual SAs and CHILD SAs.
//
// Families: a side may list IPv4 and IPv6 prefixes (a dual-stack tunnel), and the inner family
// may differ from the outer one (IPv6 over IPv4 is fine). But policies pair local and remote
// prefixes of one family, as strongSwan does, so a family present on one side only would match no
// packet: that is an error at the prefix left without a partner.

import type { Node } from 'yaml';
import type { Prefix } from '../dataplane/addr.js';
import { formatPrefix, overlaps } from './prefix.js';
import type { Ctx } from './reader.js';
import { readPrefix } from './values.js';

export interface TsItem {
  readonly prefix: Prefix;
  readonly node: Node;
}

export function readSelectors(ctx: Ctx, nodes: readonly Node[], label: string): TsItem[] {
  const out: TsItem[] = [];
  for (const node of nodes) {
    const prefix = readPrefix(ctx, node, label);
    if (prefix) out.push({ prefix, node });
  }
  return out;
}

export function checkFamilies(ctx: Ctx, local: readonly TsItem[], remote: readonly TsItem[]): void {
  const unpaired = (side: readonly TsItem[], other: readonly TsItem[], label: string, otherLabel: string) => {
    for (const item of side) {
      const f = item.prefix.family;
      if (!other.some((o) => o.prefix.family === f)) {
        ctx.r.error(item.node, `${label} ${formatPrefix(item.prefix)} is IPv${f}, but ${otherLabel} has no IPv${f} prefix to pair it with`);
      }
    }
  };
  if (local.length === 0 || remote.length === 0) return;
  unpaired(local, remote, 'local-ts', 'remote-ts');
  unpaired(remote, local, 'remote-ts', 'local-ts');
}

/** A pair of overlapping prefixes, one from each list, or undefined. */
export function overlap(a: readonly Prefix[], b: readonly Prefix[]): [Prefix, Prefix] | undefined {
  for (const x of a) for (const y of b) if (overlaps(x, y)) return [x, y];
  return undefined;
}
