// The lab side of `ipsecgw demo`: the example pair config/demo-a.yaml / demo-b.yaml staged for one
// run in a topology (netns.ts), and the wait for the tunnel between the two gateways.
//
// The files are used as they are. A copy goes to a private temporary directory, with every file a
// configuration names (`file:` — the PSK) beside it at mode 0600, and only what must differ per run
// is changed in the copy, each change listed for the output:
//   - gateway.socket: in the temporary directory, so two runs (or a run and a gateway already on
//     /run/ipsecgw/<name>.sock) never share a control socket;
//   - with IKEv1: `version: 1` and `mode: main` on each connection;
//   - the gateways' addresses, where the topology's differ from the files': with a NAT between them,
//     gwA has its own address behind the NAT and gwB sees the NAT's (netns.ts). Only `address:` and
//     `listen:` values change; the identities are names, the same on either side of a NAT.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Scalar } from 'yaml';
import { request } from '../gateway/control.js';
import type { GatewayStatus } from '../gateway/status.js';
import type { ChildSaStatus, IkeSaStatus } from '../ike/status.js';
import type { Topology } from './netns.js';

/** config/ of this package (dist/src/lab → ../../../config). */
export const DEMO_CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));
export const DEMO_FILES = { a: 'demo-a.yaml', b: 'demo-b.yaml' } as const;

export interface DemoSite {
  /** The namespace the gateway runs in. */
  ns: string;
  /** The example file, and its staged copy. */
  source: string;
  config: string;
  socket: string;
  /** gateway.name, and its connection to the other site (the first in the file). */
  name: string;
  conn: string;
}

export interface StagedDemo {
  dir: string;
  a: DemoSite;
  b: DemoSite;
  /** What the copies changed, one line each ("demo-a.yaml: gateway.socket → …"). */
  changes: string[];
}

export interface StageOptions {
  ikev1?: boolean;
  /** Where demo-a.yaml and demo-b.yaml are (default: the package's config/). */
  configDir?: string;
}

/** Copies the example pair (and the files it names) to a new temporary directory, adapted to `t`. */
export function stageDemo(t: Topology, o: StageOptions = {}): StagedDemo {
  const from = o.configDir ?? DEMO_CONFIG_DIR;
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-demo-'));
  const docs = { a: load(join(from, DEMO_FILES.a)), b: load(join(from, DEMO_FILES.b)) };
  const connA = firstConnection(docs.a, DEMO_FILES.a), connB = firstConnection(docs.b, DEMO_FILES.b);
  // Each file's own address and its peer's, as written: what the topology's addresses replace.
  const addr = (d: Document, conn: string, end: 'local' | 'remote'): string => String(d.getIn(['connections', conn, end, 'address']));
  const a = t.addr;
  const moves = {
    a: new Map([[addr(docs.a, connA, 'local'), a.gwA.wire4], [addr(docs.a, connA, 'remote'), a.gwB.seen4]]),
    b: new Map([[addr(docs.b, connB, 'local'), a.gwB.wire4], [addr(docs.b, connB, 'remote'), a.gwA.seen4]]),
  };
  const changes: string[] = [];
  const site = (side: 'a' | 'b', ns: string, conn: string): DemoSite => {
    const doc = docs[side], file = DEMO_FILES[side];
    const name = String(doc.getIn(['gateway', 'name']));
    const socket = join(dir, `${name}.sock`);
    doc.setIn(['gateway', 'socket'], socket);
    changes.push(`${file}: gateway.socket → ${socket}`);
    for (const [path, before, after] of moveAddresses(doc, moves[side])) changes.push(`${file}: ${path} ${before} → ${after}`);
    if (o.ikev1) {
      for (const c of connectionNames(doc)) {
        doc.setIn(['connections', c, 'version'], 1);
        doc.setIn(['connections', c, 'mode'], 'main');
        changes.push(`${file}: connections.${c}.version → 1, mode: main`);
      }
    }
    for (const f of namedFiles(doc)) {
      // Relative to the configuration, as the loader reads them; absolute paths are left alone.
      if (isAbsolute(f)) continue;
      const target = join(dir, f);
      if (relative(dir, target).startsWith('..')) throw new Error(`${file}: file '${f}' is outside the configuration's directory`);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      copyFileSync(resolve(from, f), target);
      chmodSync(target, 0o600);
    }
    const config = join(dir, file);
    writeFileSync(config, doc.toString(), { mode: 0o600 });
    return { ns, source: join(from, file), config, socket, name, conn };
  };
  return { dir, a: site('a', t.gwA, connA), b: site('b', t.gwB, connB), changes };
}

function load(path: string): Document {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
  return doc;
}

function connectionNames(doc: Document): string[] {
  const conns = doc.get('connections');
  return isMap(conns) ? conns.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : [];
}

function firstConnection(doc: Document, file: string): string {
  const name = connectionNames(doc)[0];
  if (!name) throw new Error(`${file} has no connection to the other site`);
  return name;
}

/** A node's place as the output names it: connections.demo-b.local.address, gateway.listen[0]. */
function pathText(path: readonly unknown[], index: number | 'key' | 'value' | null): string {
  const parts: string[] = [];
  for (const p of path) if (isPair(p)) parts.push(String(isScalar(p.key) ? p.key.value : p.key));
  return `${parts.join('.')}${typeof index === 'number' ? `[${index}]` : ''}`;
}

/** Rewrites `address:` values and `listen:` items found in `moves`; [path, before, after] of each change. */
function moveAddresses(doc: Document, moves: Map<string, string>): Array<[string, string, string]> {
  const done: Array<[string, string, string]> = [];
  visit(doc, {
    Scalar(index, node: Scalar, path) {
      const parent = path[path.length - 1];
      const owner = isSeq(parent) ? path[path.length - 2] : parent;
      const key = isPair(owner) && isScalar(owner.key) ? owner.key.value : undefined;
      if (index === 'key' || !(key === 'address' || (key === 'listen' && isSeq(parent)))) return;
      const before = String(node.value), after = moves.get(before);
      if (after === undefined || after === before) return;
      node.value = after;
      done.push([pathText(path, index), before, after]);
    },
  });
  return done;
}

/** Every `file:` value (PSK files, key files, certificates). */
function namedFiles(doc: Document): string[] {
  const files: string[] = [];
  visit(doc, {
    Pair(_i, pair) {
      if (isScalar(pair.key) && pair.key.value === 'file' && isScalar(pair.value)) files.push(String(pair.value.value));
    },
  });
  return files;
}

export interface TunnelUp {
  /** From the `up` request to both gateways' CHILD SAs carrying traffic. */
  seconds: number;
  ike: IkeSaStatus;
  child: ChildSaStatus;
}

const activeChild = (s: GatewayStatus, conn: string): ChildSaStatus | undefined =>
  s.children.find((c) => c.conn === conn && c.state === 'active');

/** Asks gwA to bring its connection up (`ipsecgw up`), then waits for an active CHILD SA on both sides. */
export async function bringUp(d: StagedDemo, timeoutMs = 15_000): Promise<TunnelUp> {
  const started = performance.now();
  await request(d.a.socket, { cmd: 'up', name: d.a.conn });
  for (;;) {
    const [sa, sb] = (await Promise.all([request(d.a.socket, { cmd: 'status' }), request(d.b.socket, { cmd: 'status' })])) as GatewayStatus[];
    const child = activeChild(sa, d.a.conn);
    if (child && activeChild(sb, d.b.conn)) {
      const seconds = (performance.now() - started) / 1000;
      const ike = sa.ike.find((i) => i.conn === d.a.conn && i.state === 'established');
      if (ike) return { seconds, ike, child };
    }
    if (performance.now() - started > timeoutMs) throw new Error(`the tunnel did not come up within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}
