// loadConfig: one gateway's YAML file → a validated, typed Config, or every diagnostic that stands
// in the way, each at FILE:LINE:COL.
//
//   1. Read and parse the YAML (syntax errors stop here: a broken tree gives misleading errors).
//   2. gateway:     name, listen, tun, mtu, workers, socket.
//   3. manual:      each SA on its own, then the set (SPIs, overlapping selectors, reused keys).
//   4. connections: each IKE connection and its children.
//   5. Checks across sections (names, the MTU against IPv6 selectors).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseAllDocuments, type Node } from 'yaml';
import { readConnection } from './connections.js';
import { Reporter, formatDiagnostic, sortDiagnostics } from './diagnostics.js';
import { MIN_MTU_IPV6, readGateway } from './gateway.js';
import { checkManualSet, readManual } from './manual.js';
import { MapView, entries, type Ctx } from './reader.js';
import { ROOT, keysOf } from './schema.js';
import type { Config, Connection, LoadResult } from './types.js';

export { formatDiagnostic };
export type { Config, Diagnostic, LoadResult } from './types.js';

export function loadConfig(path: string): LoadResult {
  let src: string;
  const abs = resolve(path);
  const lines = new LineCounter();
  const r = new Reporter(path, lines);
  try {
    src = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    r.error(0, code === 'ENOENT' ? 'no such file' : `can't read the file: ${code ?? String(e)}`);
    return { diagnostics: r.diagnostics };
  }

  // YAML 1.2 core schema (yes/no are strings); duplicate keys are errors.
  const docs = parseAllDocuments(src, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    for (const e of doc.errors) r.error(e.pos[0], `YAML: ${e.message}`);
    for (const w of doc.warnings) r.warn(w.pos[0], `YAML: ${w.message}`);
  }
  if (list.length > 1) r.error(list[1].range[0], 'one YAML document per file: a second document starts here');
  if (r.failed) return { diagnostics: sortDiagnostics(r.diagnostics) };
  const doc = list[0];
  if (!doc || doc.contents === null) {
    r.error(0, "the configuration is empty; it needs at least a 'gateway' section");
    return { diagnostics: sortDiagnostics(r.diagnostics) };
  }

  const ctx: Ctx = { r, doc, src, path: abs, dir: dirname(abs) };
  const root = doc.contents as Node;
  const top = new MapView(ctx, root, 'the configuration', root, keysOf(ROOT));
  if (!top.ok) return { diagnostics: sortDiagnostics(r.diagnostics) };

  const gw = readGateway(ctx, top.get('gateway'), top.keyNode('gateway') ?? root);
  const listen = gw.gateway?.listen;

  const drafts = entries(ctx, top.get('manual'), "'manual'").map((e) => readManual(ctx, e, { listen }));
  checkManualSet(ctx, drafts);

  const connections: Connection[] = [];
  let ipv6Inner: Node | undefined;
  const connectionEntries = entries(ctx, top.get('connections'), "'connections'");
  for (const e of connectionEntries) {
    const c = readConnection(ctx, e, { listen });
    if (c.connection) connections.push(c.connection);
    ipv6Inner ??= c.ipv6Inner;
  }

  // `ipsecgw up NAME` takes connection and manual SA names alike: one name, one thing.
  for (const e of connectionEntries) {
    const clash = drafts.find((d) => d.name === e.name);
    if (clash) ctx.r.error(e.keyNode, `'${e.name}' is also the name of a manual SA (line ${r.lineOf(clash.keyNode)}); names must be unique`);
  }

  const mtu = gw.gateway?.mtu;
  const manualV6 = drafts.some((d) => [...d.localTs, ...d.remoteTs].some((p) => p.family === 6));
  if (mtu !== undefined && mtu < MIN_MTU_IPV6 && (manualV6 || ipv6Inner)) {
    r.error(gw.mtuNode ?? top.keyNode('gateway'), `'mtu' ${mtu} is too small for the IPv6 traffic selectors: IPv6 needs at least ${MIN_MTU_IPV6} (RFC 8200 §5)`);
  }
  if (drafts.length === 0 && connectionEntries.length === 0 && gw.gateway) {
    r.warn(top.keyNode('gateway'), "neither 'manual' SAs nor 'connections': the gateway would protect no traffic");
  }

  const diagnostics = sortDiagnostics(r.diagnostics);
  if (r.failed || !gw.gateway) return { diagnostics };
  const manual = drafts.map((d) => {
    if (!d.sa) throw new Error(`internal: manual SA '${d.name}' was dropped without an error`);
    return d.sa;
  });
  const config: Config = { file: path, gateway: gw.gateway, connections, manual };
  return { config, diagnostics };
}
