// The `connections:` section: IKE peers and their CHILD SAs, swanctl.conf's shape in YAML. IKE
// itself is later work; the loader already checks everything a configuration can get wrong on its
// own, so that configurations written now keep working when IKE arrives.

import { isScalar, type Node } from 'yaml';
import { formatAddress, type Address } from '../dataplane/addr.js';
import { DEFAULT_CHILD_LIFETIME, DEFAULT_IKE_LIFETIME } from './defaults.js';
import { KEYWORDS } from './keywords.js';
import { isUnspecified, sameAddress } from './prefix.js';
import { weaknesses, type ProposalKind } from './proposal.js';
import { readProposals } from './proposals.js';
import { MapView, asChoice, asString, entries, scalarText, type Ctx, type Entry } from './reader.js';
import { dhSupport } from './ike-support.js';
import { CHILD, CHILD_LIFETIME, CONNECTION, DPD, IKE, IKE_LIFETIME, LOCAL, REMOTE, keysOf, type KeyOf } from './schema.js';
import { decodePsk, readPath, readSecret } from './secrets.js';
import { checkFamilies, readSelectors } from './selectors.js';
import { didYouMean } from './suggest.js';
import type { DhTransform } from './transforms.js';
import type { Auth, Child, Connection, Lifetime, LocalEnd, RemoteEnd, TrafficSelectors } from './types.js';
import { readAddress, readDuration } from './values.js';
import type { OptIn } from './weaknesses.js';

export interface ConnectionContext {
  readonly listen?: readonly Address[];
}

export interface ConnectionRead {
  readonly connection?: Connection;
  /** Whether some child has IPv6 selectors (for the MTU check). */
  readonly ipv6Inner?: Node;
}

export function readConnection(ctx: Ctx, entry: Entry, env: ConnectionContext): ConnectionRead {
  const what = `connection '${entry.name}'`;
  const v = new MapView(ctx, entry.value, what, entry.keyNode, keysOf(CONNECTION));
  if (!v.ok) {
    if (entry.value === undefined) ctx.r.error(entry.keyNode, `${what} has no settings`);
    return {};
  }
  const errorsBefore = errorCount(ctx);

  let version: 1 | 2 = 2;
  const versionNode = v.get('version');
  if (versionNode) {
    if (isScalar(versionNode) && (versionNode.value === 1 || versionNode.value === 2)) version = versionNode.value;
    else ctx.r.error(versionNode, `'version' must be 1 (IKEv1) or 2 (IKEv2), not ${isScalar(versionNode) ? scalarText(versionNode) : 'that'}`);
  }

  let mode: 'main' | 'aggressive' | undefined;
  if (v.has('mode')) {
    mode = v.choice('mode', CONNECTION.keys.mode.values);
    if (version === 2) ctx.r.error(v.keyNode('mode'), "'mode' (main or aggressive) is IKEv1's phase 1; IKEv2 has neither");
  } else if (version === 1) mode = 'main';

  const localView = v.map('local', `'local' of ${what}`, keysOf(LOCAL), true);
  const remoteView = v.map('remote', `'remote' of ${what}`, keysOf(REMOTE), true);
  const local = readLocal(ctx, localView, env);
  const remote = readRemote(ctx, remoteView);
  if (local?.address && remote && remote.address !== 'any' && local.address.family !== remote.address.family) {
    ctx.r.error(remoteView.get('address'), `remote address ${formatAddress(remote.address)} is IPv${remote.address.family} ` +
      `but local address ${formatAddress(local.address)} is IPv${local.address.family}`);
  }
  if (local && remote && version === 1 && local.auth !== remote.auth) {
    // RFC 2409 §5: one Authentication Method attribute in the phase 1 SA covers both ends.
    ctx.r.error(v.keyNode('remote'), `IKEv1 authenticates both ends with one method (RFC 2409 §5), not local '${local.auth}' and remote '${remote.auth}'`);
  }

  const usesPsk = local?.auth === 'psk' || remote?.auth === 'psk';
  let psk: Uint8Array | undefined;
  const pskNode = v.get('psk');
  if (pskNode) {
    const secret = readSecret(ctx, pskNode, 'psk');
    psk = secret && decodePsk(ctx, secret);
    if (!usesPsk && local && remote) ctx.r.warn(v.keyNode('psk'), `'psk' is unused: neither end of ${what} has 'auth: psk'`);
  } else if (usesPsk) {
    ctx.r.error(v.anchor, `${what} authenticates with a PSK but has no 'psk' ({ file: PATH } or { env: VAR })`);
  }
  if (version === 1 && mode === 'aggressive' && usesPsk) {
    ctx.r.warn(v.get('mode'), 'aggressive mode with a PSK sends a hash an eavesdropper can attack offline to recover the PSK; ' +
      'use main mode or IKEv2 (strongSwan refuses it as a responder unless told not to care)');
  }

  const allowWeak = readAllowWeak(ctx, v, version);
  const ike = readIke(ctx, v.map('ike', `'ike' of ${what}`, keysOf(IKE)), version, allowWeak);

  const childEntries = entries(ctx, v.get('children'), `'children' of ${what}`);
  if (childEntries.length === 0) ctx.r.warn(v.keyNode('children') ?? entry.keyNode, `${what} has no children: its IKE SA would carry no traffic`);
  let ipv6Inner: Node | undefined;
  const children: Child[] = [];
  for (const c of childEntries) {
    const r = readChild(ctx, c, version, remote?.address === 'any', allowWeak);
    if (r.child) children.push(r.child);
    ipv6Inner ??= r.ipv6Inner;
  }
  const proposals = [...ike?.proposals ?? [], ...children.flatMap((c) => c.proposals)];
  for (const name of allowWeak) {
    if (!proposals.some((p) => p.encr.some((e) => e.name === name))) {
      ctx.r.warn(v.keyNode('allow-weak'), `'allow-weak' lists '${name}', but no proposal of ${what} names it; remove it`);
    }
  }

  if (errorCount(ctx) > errorsBefore || !local || !remote || !ike) return { ipv6Inner };
  const connection: Connection = {
    name: entry.name, version, ...(mode ? { mode } : {}), local, remote, ...(psk ? { psk } : {}), ike, children,
  };
  return { connection, ipv6Inner };
}

const errorCount = (ctx: Ctx) => ctx.r.diagnostics.filter((d) => d.severity === 'error').length;

function readLocal(ctx: Ctx, v: MapView<KeyOf<typeof LOCAL>>, env: ConnectionContext): LocalEnd | undefined {
  if (!v.ok) return undefined;
  const addressNode = v.get('address');
  const address = addressNode && readAddress(ctx, addressNode, 'address');
  if (address && env.listen && env.listen.length > 0 &&
      !env.listen.some((l) => sameAddress(l, address) || (l.family === address.family && isUnspecified(l)))) {
    ctx.r.error(addressNode, `local address ${formatAddress(address)} is not one of gateway 'listen' (${env.listen.map(formatAddress).join(', ')})`);
  }
  const id = v.str('id');
  const auth = readAuth(v, LOCAL.keys.auth.values);
  const cert = v.get('cert') && readPath(ctx, v.get('cert')!, 'cert', false);
  const key = v.get('key') && readPath(ctx, v.get('key')!, 'key', true);
  if (auth === undefined) return undefined;
  if (auth === 'pubkey') {
    // swanctl's default auth is pubkey: say so when the certificate is what is missing.
    for (const k of ['cert', 'key'] as const) {
      if (!v.has(k)) ctx.r.error(v.keyNode('auth') ?? v.anchor, `${v.what} authenticates with 'auth: pubkey'${v.has('auth') ? '' : ' (the default)'} and needs '${k}'`);
    }
  } else {
    for (const k of ['cert', 'key'] as const) if (v.has(k)) ctx.r.warn(v.keyNode(k), `'${k}' is unused with 'auth: ${auth}'`);
  }
  return { ...(address ? { address } : {}), ...(id !== undefined ? { id } : {}), auth, ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** 'auth', swanctl's default pubkey when absent; undefined (reported) when misspelt, so nothing is checked against a guess. */
function readAuth(v: MapView<'auth'>, values: readonly Auth[]): Auth | undefined {
  return v.has('auth') ? v.choice('auth', values) : 'pubkey';
}

function readRemote(ctx: Ctx, v: MapView<KeyOf<typeof REMOTE>>): RemoteEnd | undefined {
  if (!v.ok) return undefined;
  const addressNode = v.need('address');
  let address: Address | 'any' | undefined;
  if (addressNode) {
    // swanctl writes the wildcard %any; both spellings mean "whoever connects" (responder only).
    const text = asString(ctx, addressNode, 'address');
    address = text === 'any' || text === '%any' ? 'any' : text === undefined ? undefined : readAddress(ctx, addressNode, 'address');
  }
  const id = v.str('id');
  const auth = readAuth(v, REMOTE.keys.auth.values);
  const ca: string[] = [];
  for (const n of v.list('ca') ?? []) {
    const path = readPath(ctx, n, 'ca', false);
    if (path) ca.push(path);
  }
  if (auth === undefined) return undefined;
  if (auth === 'pubkey' && !v.has('ca')) {
    ctx.r.error(v.keyNode('auth') ?? v.anchor, `${v.what} authenticates with 'auth: pubkey'${v.has('auth') ? '' : ' (the default)'} and needs 'ca' (trust anchors)`);
  }
  if (auth !== 'pubkey' && v.has('ca')) ctx.r.warn(v.keyNode('ca'), `'ca' is unused with 'auth: ${auth}'`);
  if (address === undefined) return undefined;
  return { address, ...(id !== undefined ? { id } : {}), auth, ca };
}

/** `time`, `kilobytes` and (CHILD SAs: strongSwan's life_packets) `packets`; `noKilobytes` says why kilobytes are refused. */
function readLifetime(ctx: Ctx, v: MapView<KeyOf<typeof CHILD_LIFETIME>>, fallback: number, noKilobytes: string | undefined): Lifetime {
  const time = v.get('time') ? readDuration(ctx, v.get('time')!, 'time', 1) : undefined;
  const kilobytes = v.int('kilobytes', ...CHILD_LIFETIME.keys.kilobytes.range);
  if (kilobytes !== undefined && noKilobytes) ctx.r.error(v.keyNode('kilobytes'), noKilobytes);
  const packets = v.int('packets', ...CHILD_LIFETIME.keys.packets.range);
  return { time: time ?? fallback, ...(kilobytes !== undefined ? { kilobytes } : {}), ...(packets !== undefined ? { packets } : {}) };
}

/**
 * `allow-weak: [des]`: single DES for a legacy IKEv1 peer, phase 1 and phase 2. RFC 8247 and RFC
 * 8221 say MUST NOT, so without it 'des' in a proposal is an error (proposals.ts); with it, a
 * warning. IKEv2 has no such peers to excuse it.
 */
function readAllowWeak(ctx: Ctx, v: MapView<KeyOf<typeof CONNECTION>>, version: 1 | 2): OptIn[] {
  const items = v.list('allow-weak') ?? [];
  if (items.length > 0 && version === 2) {
    ctx.r.error(v.keyNode('allow-weak'), "'allow-weak' is for IKEv1 connections with legacy peers; IKEv2 has none that need single DES (RFC 8247: MUST NOT)");
    return [];
  }
  return [...new Set(items.map((n) => asChoice(ctx, n, 'allow-weak', CONNECTION.keys['allow-weak'].values)).filter((x) => x !== undefined))];
}

function readIke(ctx: Ctx, v: MapView<KeyOf<typeof IKE>>, version: 1 | 2, allowWeak: readonly OptIn[]): Connection['ike'] | undefined {
  const proposals = readProposals(ctx, v.get('proposals'), 'ike', { version, datapath: false, allowWeak });
  const lifetime = readLifetime(ctx, v.map('lifetime', "'ike' 'lifetime'", keysOf(IKE_LIFETIME)), DEFAULT_IKE_LIFETIME,
    version === 2 ? "IKEv2 SAs have no kilobyte lifetime (RFC 7296 §2.8 rekeys them by time); only IKEv1's phase 1 does" : undefined);
  let dpd: Connection['ike']['dpd'];
  const d = v.map('dpd', "'dpd'", keysOf(DPD));
  if (d.ok) {
    const delay = d.get('delay') ? readDuration(ctx, d.get('delay')!, 'delay') : 30;
    const action = d.choice('action', DPD.keys.action.values) ?? 'clear';
    // swanctl's dpd_timeout is IKEv1's; for IKEv2 it cuts the retransmissions of a liveness check
    // short (strongSwan waits for them all: 165 s with its defaults).
    const timeout = d.get('timeout') ? readDuration(ctx, d.get('timeout')!, 'timeout', 1) : undefined;
    if (delay !== undefined && delay > 0) dpd = { delay, action, ...(timeout !== undefined ? { timeout } : {}) };
  }
  const natTraversal = v.choice('nat-traversal', IKE.keys['nat-traversal'].values) ?? 'auto';
  // strongSwan's reauth_time: IKEv2 only (IKEv1 renews phase 1 from scratch anyway).
  const reauth = v.get('reauth') ? readDuration(ctx, v.get('reauth')!, 'reauth', 1) : undefined;
  if (reauth !== undefined && version === 1) ctx.r.error(v.keyNode('reauth'), "'reauth' is IKEv2's: IKEv1 renews its ISAKMP SA with a new phase 1 at 'lifetime' already");
  if (proposals.length === 0) return undefined;
  return { proposals, lifetime, ...(reauth !== undefined ? { reauth } : {}), ...(dpd ? { dpd } : {}), natTraversal };
}

interface ChildRead {
  readonly child?: Child;
  readonly ipv6Inner?: Node;
}

function readChild(ctx: Ctx, entry: Entry, version: 1 | 2, roaming: boolean, allowWeak: readonly OptIn[]): ChildRead {
  const what = `child '${entry.name}'`;
  const v = new MapView(ctx, entry.value, what, entry.keyNode, keysOf(CHILD));
  if (!v.ok) {
    if (entry.value === undefined) ctx.r.error(entry.keyNode, `${what} has no settings`);
    return {};
  }
  const errorsBefore = errorCount(ctx);
  // Absent selectors are 'dynamic', swanctl's default: the address the IKE SA runs on.
  const side = (key: 'local-ts' | 'remote-ts') => (v.has(key) ? readSelectors(ctx, v.list(key) ?? [], key) : undefined);
  const localItems = side('local-ts'), remoteItems = side('remote-ts');
  if (localItems && remoteItems) checkFamilies(ctx, localItems, remoteItems);
  const ipv6Inner = [...(localItems ?? []), ...(remoteItems ?? [])].find((t) => t.prefix.family === 6)?.node;
  const ts = (items: typeof localItems): TrafficSelectors => (items ? items.map((t) => t.prefix) : 'dynamic');

  const mode = v.choice('mode', CHILD.keys.mode.values) ?? 'tunnel';
  const protocol = v.choice('protocol', CHILD.keys.protocol.values) ?? 'esp';
  const kind: ProposalKind = protocol;
  const proposals = readProposals(ctx, v.get('proposals'), kind, { version, datapath: true, allowWeak });
  const pfs = readPfs(ctx, v, version);
  if (pfs !== undefined && pfs !== 'none') {
    const withGroup = proposals.find((p) => p.dh.some((g) => g.group !== 0));
    if (withGroup && v.has('proposals')) {
      ctx.r.error(v.keyNode('pfs'), `the proposals of ${what} name PFS groups already ('${withGroup.dh[0].name}'); set PFS in one place`);
    }
  }
  const lifetime = readLifetime(ctx, v.map('lifetime', `'lifetime' of ${what}`, keysOf(CHILD_LIFETIME)), DEFAULT_CHILD_LIFETIME, undefined);
  // swanctl's default start_action is none: respond only.
  const start = v.choice('start', CHILD.keys.start.values) ?? 'none';
  if (roaming && start !== 'none') {
    ctx.r.error(v.get('start'), `'start: ${start}' needs a peer to initiate to, but the remote address is 'any'; use 'start: none'`);
  }

  if (errorCount(ctx) > errorsBefore || pfs === undefined) return { ipv6Inner };
  return {
    child: { name: entry.name, localTs: ts(localItems), remoteTs: ts(remoteItems), mode, protocol, proposals, pfs, lifetime, start },
    ipv6Inner,
  };
}

function readPfs(ctx: Ctx, v: MapView<KeyOf<typeof CHILD>>, version: 1 | 2): Child['pfs'] | undefined {
  const node = v.get('pfs');
  if (!node) return 'none';
  const text = asString(ctx, node, 'pfs');
  if (text === undefined) return undefined;
  if (text === 'none') return 'none';
  if (text === 'identities') {
    if (version === 2) ctx.r.error(node, "'pfs: identities' is IKEv1's PFS of identities (RFC 2409 §8); IKEv2 has no such mode");
    return 'identities';
  }
  const t = KEYWORDS.get(text);
  if (!t || t.kind !== 'dh') {
    const groups = [...new Set([...KEYWORDS.values()].filter((k): k is DhTransform => k.kind === 'dh' && k.group !== 0).map((g) => g.name))];
    const guess = didYouMean(text, ['none', ...(version === 1 ? ['identities'] : []), ...groups]);
    ctx.r.error(node, `'pfs' must be 'none', a D-H group such as 'x25519' or 'modp3072'${version === 1 ? ", or 'identities'" : ''}, not '${text}'` +
      (guess ? `; did you mean '${guess}'?` : ''));
    return undefined;
  }
  if (t.group === 0) return 'none';
  const group = t as DhTransform;
  if (version === 1 && group.ikev1.group === null) ctx.r.error(node, `'${group.name}' has no IKEv1 Group Description value`);
  const support = dhSupport(group);
  if (!support.supported) {
    ctx.r.error(node, support.reason);
    return undefined;
  }
  for (const w of weaknesses({ kind: 'esp', encr: [], integ: [], prf: [], dh: [group], esn: [] })) ctx.r.warn(node, w.message);
  return group;
}
