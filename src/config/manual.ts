// The `manual:` section: statically keyed SA pairs, the first thing the gateway runs. Each entry
// is checked on its own (readManual), then the set as a whole (checkManualSet): SPIs, overlapping
// selectors, keys used twice.

import type { Node, Scalar } from 'yaml';
import { formatAddress, type Address, type Prefix } from '../dataplane/addr.js';
import { espKeyBytes, espSuite, type EspSuite, type Proposal, type Spans } from './proposal.js';
import { encrNull, esnOff, esnOn } from './transforms.js';
import { contains, formatPrefix, hostPrefix, isUnspecified, sameAddress } from './prefix.js';
import { readProposal } from './proposals.js';
import { MapView, asInt, type Ctx, type Entry } from './reader.js';
import { DIRECTION, MANUAL, keysOf, type KeyOf } from './schema.js';
import { decodeHex, readSecret } from './secrets.js';
import { checkFamilies, overlap, readSelectors, type TsItem } from './selectors.js';
import type { IpsecProtocol, ManualDirection, ManualSa } from './types.js';
import { readAddress, readSpi } from './values.js';

/** RFC 3948 §2: UDP-encapsulated ESP uses the IKE NAT-T port, 4500, at both ends unless NAT rewrote them. */
const NATT_PORT = 4500;

/** What the set-wide checks need of one entry, even when parts of it are invalid. */
export interface ManualDraft {
  readonly name: string;
  readonly keyNode: Scalar;
  readonly protocol?: IpsecProtocol;
  readonly localTs: readonly Prefix[];
  readonly remoteTs: readonly Prefix[];
  readonly spis: ReadonlyArray<{ readonly dir: 'in' | 'out'; readonly spi: number; readonly node: Node }>;
  readonly keys: ReadonlyArray<{ readonly dir: 'in' | 'out'; readonly key: Uint8Array; readonly node: Node }>;
  readonly aead: boolean;
  /** The SA, when the entry has no error. */
  readonly sa?: ManualSa;
}

/** gateway.listen, to check that a manual SA's local address is one we receive ESP on. */
export interface ManualContext {
  readonly listen?: readonly Address[];
}

export function readManual(ctx: Ctx, entry: Entry, env: ManualContext): ManualDraft {
  const what = `manual SA '${entry.name}'`;
  const v = new MapView(ctx, entry.value, what, entry.keyNode, keysOf(MANUAL));
  const errorsBefore = ctx.r.diagnostics.filter((d) => d.severity === 'error').length;
  const empty: ManualDraft = { name: entry.name, keyNode: entry.keyNode, localTs: [], remoteTs: [], spis: [], keys: [], aead: false };
  if (!v.ok) {
    if (entry.value === undefined) ctx.r.error(entry.keyNode, `${what} has no settings`);
    return empty;
  }

  const local = v.need('local') && readAddress(ctx, v.get('local')!, 'local');
  const remote = v.need('remote') && readAddress(ctx, v.get('remote')!, 'remote');
  if (local && remote) {
    if (local.family !== remote.family) {
      ctx.r.error(v.get('remote'), `remote ${formatAddress(remote)} is IPv${remote.family} but local ${formatAddress(local)} is IPv${local.family}; ` +
        "an SA's outer addresses share one family");
    } else if (sameAddress(local, remote)) {
      ctx.r.error(v.get('remote'), `remote is the same address as local (${formatAddress(local)})`);
    }
  }
  if (local && env.listen && env.listen.length > 0 &&
      !env.listen.some((l) => sameAddress(l, local) || (l.family === local.family && isUnspecified(l)))) {
    ctx.r.error(v.get('local'), `local ${formatAddress(local)} is not one of gateway 'listen' (${env.listen.map(formatAddress).join(', ')}); ` +
      "the gateway would not receive this SA's packets");
  }

  const mode = v.choice('mode', MANUAL.keys.mode.values) ?? 'tunnel';
  const ts = (side: 'local-ts' | 'remote-ts', outer: Address | undefined | false): TsItem[] => {
    if (mode === 'tunnel') return readSelectors(ctx, v.list(side, true) ?? [], side);
    // Transport mode protects the hosts themselves: the selectors default to the outer addresses,
    // and given ones must include them (they may still be wider, as strongSwan allows).
    if (!v.has(side)) return outer ? [{ prefix: hostPrefix(outer), node: v.get(side === 'local-ts' ? 'local' : 'remote')! }] : [];
    const items = readSelectors(ctx, v.list(side) ?? [], side);
    for (const item of items) {
      if (outer && !contains(item.prefix, outer)) {
        ctx.r.error(item.node, `${side} ${formatPrefix(item.prefix)} does not include ${side === 'local-ts' ? 'local' : 'remote'} ` +
          `${formatAddress(outer)}; in transport mode the selectors are the outer addresses`);
      }
    }
    return items;
  };
  const localTs = ts('local-ts', local), remoteTs = ts('remote-ts', remote);
  checkFamilies(ctx, localTs, remoteTs);

  const algs = readAlgorithms(ctx, v, what);

  const encap = v.choice('encap', MANUAL.keys.encap.values) ?? 'none';
  let ports: [number, number] = [NATT_PORT, NATT_PORT];
  if (v.has('ports')) {
    if (encap !== 'udp') ctx.r.error(v.keyNode('ports'), "'ports' only applies with 'encap: udp'");
    const items = v.list('ports') ?? [];
    if (items.length !== 2) ctx.r.error(v.get('ports'), "'ports' is [source port, destination port]");
    else {
      const sport = asInt(ctx, items[0], 'ports', 1, 65535), dport = asInt(ctx, items[1], 'ports', 1, 65535);
      if (sport !== undefined && dport !== undefined) ports = [sport, dport];
    }
  }
  if (encap === 'udp' && algs?.protocol === 'ah') {
    ctx.r.error(v.get('encap'), 'AH cannot be UDP-encapsulated: RFC 3948 covers ESP only (AH authenticates the addresses a NAT rewrites)');
  }

  const replayWindow = v.int('replay-window', ...MANUAL.keys['replay-window'].range) ?? 1024;
  const df = v.choice('df', MANUAL.keys.df.values) ?? 'copy';
  if (v.has('df') && mode === 'transport') ctx.r.warn(v.keyNode('df'), "'df' sets the outer header's DF bit in tunnel mode; transport mode has no outer header");

  const dirs = (['in', 'out'] as const).map((dir) => readDirection(ctx, v, dir, what, algs?.suite, algs?.text));
  const spis = dirs.flatMap((d, i) => (d.spi !== undefined ? [{ dir: (['in', 'out'] as const)[i], spi: d.spi, node: d.spiNode! }] : []));
  const keys = dirs.flatMap((d, i) => (d.key ? [{ dir: (['in', 'out'] as const)[i], key: d.key, node: d.keyNode! }] : []));

  // SPIs are checked per protocol even when the algorithm itself is wrong.
  const protocol: IpsecProtocol | undefined = v.has('esp') ? 'esp' : v.has('ah') ? 'ah' : undefined;
  const draft = {
    ...empty, protocol, localTs: localTs.map((t) => t.prefix), remoteTs: remoteTs.map((t) => t.prefix),
    spis, keys, aead: algs?.suite.encr.aead ?? false,
  };
  const errorsAfter = ctx.r.diagnostics.filter((d) => d.severity === 'error').length;
  if (errorsAfter > errorsBefore || !local || !remote || !algs || dirs.some((d) => d.spi === undefined || !d.key)) return draft;
  const direction = (i: number): ManualDirection => ({ spi: dirs[i].spi!, key: dirs[i].key! });
  const sa: ManualSa = {
    name: entry.name, local, remote, localTs: draft.localTs, remoteTs: draft.remoteTs, mode, protocol: algs.protocol,
    suite: algs.suite, ...(encap === 'udp' ? { encap: { sport: ports[0], dport: ports[1] } } : {}),
    replayWindow, df, in: direction(0), out: direction(1),
  };
  return { ...draft, sa };
}

interface Algorithms {
  readonly protocol: IpsecProtocol;
  readonly suite: EspSuite;
  /** As written, for messages. */
  readonly text: string;
}

/** `esp: SUITE` or `ah: INTEG`, exactly one, with `esn` folded in. */
function readAlgorithms(ctx: Ctx, v: MapView<KeyOf<typeof MANUAL>>, what: string): Algorithms | undefined {
  const esnKey = v.bool('esn');
  const esp = v.get('esp'), ah = v.get('ah');
  if (esp && ah) {
    ctx.r.error(v.keyNode('ah'), `${what} takes 'esp' or 'ah', not both`);
    return undefined;
  }
  if (!esp && !ah) {
    ctx.r.error(v.keyNode('esp') ?? v.keyNode('ah') ?? v.anchor, `${what} needs 'esp' (e.g. esp: aes128gcm16) or 'ah' (e.g. ah: sha256)`);
    return undefined;
  }
  const protocol: IpsecProtocol = esp ? 'esp' : 'ah';
  const node = (esp ?? ah)!;
  const parsed = readProposal(ctx, node, protocol, protocol, { version: 2, datapath: true });
  if (!parsed) return undefined;
  const suite = protocol === 'esp' ? espSuite(parsed.proposal) : ahSuite(parsed.proposal);
  if ('message' in suite) {
    ctx.r.error(node, `'${protocol}': ${suite.message}`);
    return undefined;
  }

  // `esn: true|false` and 'esn'/'noesn' in the string say the same thing; they must agree.
  const written = writtenEsn(parsed.spans);
  if (esnKey !== undefined && written !== undefined && esnKey !== written) {
    ctx.r.error(v.get('esn'), `'esn: ${esnKey}' contradicts '${written ? 'esn' : 'noesn'}' in '${protocol}'`);
    return undefined;
  }
  const text = String((node as Scalar).value);
  return { protocol, suite: { ...suite, esn: esnKey ?? suite.esn }, text };
}

/** esn / noesn when the proposal string names one; undefined when it relies on the default. */
function writtenEsn(spans: Spans): boolean | undefined {
  if (spans.has(esnOn)) return true;
  if (spans.has(esnOff)) return false;
  return undefined;
}

/** The one AH algorithm of a proposal, in the suite shape the datapath takes (NULL encryption). */
function ahSuite(p: Proposal): EspSuite | { message: string } {
  if (p.integ.length !== 1) return { message: `name exactly one integrity algorithm here, not ${p.integ.length} (${p.integ.map((i) => i.name).join(', ')})` };
  if (p.esn.length !== 1) return { message: "choose either 'esn' or 'noesn' here, not both" };
  if (p.dh.length > 0) return { message: `a D-H group ('${p.dh[0].name}') means nothing without a key exchange` };
  return { encr: encrNull, integ: p.integ[0], esn: p.esn[0].esn };
}

interface DirectionRead {
  readonly spi?: number;
  readonly spiNode?: Node;
  readonly key?: Uint8Array;
  readonly keyNode?: Node;
}

function readDirection(ctx: Ctx, v: MapView<KeyOf<typeof MANUAL>>, dir: 'in' | 'out', what: string, suite: EspSuite | undefined, text: string | undefined): DirectionRead {
  const d = v.map(dir, `'${dir}' of ${what}`, keysOf(DIRECTION), true);
  if (!d.ok) return {};
  const spiNode = d.need('spi');
  const spi = spiNode && readSpi(ctx, spiNode, 'spi');
  const keyNode = d.need('key');
  const secret = keyNode && readSecret(ctx, keyNode, 'key');
  let key = secret ? decodeHex(ctx, secret) : undefined;
  if (key && suite) {
    const layout = espKeyBytes(suite);
    if (key.length !== layout.total) {
      const parts = [
        layout.encrKey ? `${layout.encrKey}-byte ${suite.encr.name} key` : '',
        layout.salt ? `${layout.salt}-byte salt` : '',
        layout.integKey ? `${layout.integKey}-byte ${suite.integ!.name} key` : '',
      ].filter(Boolean).join(' + ');
      ctx.r.error(secret!.node, `${secret!.origin} has ${key.length * 2} hex digits; '${text}' needs ${layout.total * 2} (${parts})`);
      key = undefined;
    }
  }
  return { spi, spiNode, key, keyNode: secret?.node };
}

/** Checks across all manual SAs: SPIs used twice, overlapping selectors, keys used twice. */
export function checkManualSet(ctx: Ctx, drafts: readonly ManualDraft[]): void {
  const line = (d: ManualDraft) => ctx.r.lineOf(d.keyNode);
  const spiOwner = new Map<string, ManualDraft>();
  for (const d of drafts) {
    if (!d.protocol) continue;
    for (const s of d.spis) {
      const id = `${s.dir}/${d.protocol}/${s.spi}`;
      const first = spiOwner.get(id);
      if (first) {
        ctx.r.error(s.node, `SPI 0x${s.spi.toString(16)} is already the ${s.dir === 'in' ? 'inbound' : 'outbound'} ${d.protocol.toUpperCase()} SPI ` +
          `of manual SA '${first.name}' (line ${line(first)})`);
      } else spiOwner.set(id, d);
    }
  }

  for (let j = 1; j < drafts.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = drafts[i], b = drafts[j];
      const l = overlap(a.localTs, b.localTs), r = overlap(a.remoteTs, b.remoteTs);
      if (!l || !r) continue;
      ctx.r.error(b.keyNode, `manual SAs '${a.name}' (line ${line(a)}) and '${b.name}' overlap: local-ts ${formatPrefix(l[0])} and ` +
        `${formatPrefix(l[1])}, remote-ts ${formatPrefix(r[0])} and ${formatPrefix(r[1])}; a packet could match either`);
    }
  }

  // One key for two directions (or two SAs) means two senders under one key: with an AEAD their
  // nonces repeat (RFC 4106 §3.1: an IV MUST NOT repeat under a key), and with any suite a packet
  // can be reflected back to its sender. Compared, never printed.
  const seen: Array<{ d: ManualDraft; dir: string; key: Uint8Array }> = [];
  for (const d of drafts) {
    for (const k of d.keys) {
      const first = seen.find((s) => Buffer.compare(s.key, k.key) === 0);
      if (first) {
        const owner = first.d === d ? `its ${first.dir} key` : `the ${first.dir} key of manual SA '${first.d.name}' (line ${line(first.d)})`;
        ctx.r.warn(k.node, `the ${k.dir} key of manual SA '${d.name}' is the same as ${owner}; give every direction its own key` +
          (d.aead ? ': two senders under one AEAD key repeat nonces (RFC 4106 §3.1)' : ''));
      } else seen.push({ d, dir: k.dir, key: k.key });
    }
  }
}
