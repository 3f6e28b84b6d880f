// Reload (SIGHUP, `ipsecgw reload`): what a new configuration changes against the running one.
//
// Manual SAs and IKE connections are compared one by one, by name and by a fingerprint of their
// whole configuration: keys and PSKs included, and for a connection the contents of the
// certificate, key and CA files it names (a renewed certificate under the same path is a change).
// The fingerprint is a SHA-256 over all of it: nothing secret is kept or logged in the clear.
// Unchanged entries are kept as they run (SAs, traps, timers); changed ones are replaced; the
// rest are added or removed. Gateway settings that took effect when devices and sockets were
// opened cannot change while running (strongSwan, too, needs a restart for its sockets and
// plugins): the running values stay, and the reload says which ones wait for a restart.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Connection, Gateway, ManualSa } from '../config/types.js';

export interface Changes {
  kept: string[];
  replaced: string[];
  added: string[];
  removed: string[];
}

/** What a reload did, by entry name (manual SAs and connections share one namespace). */
export interface ReloadResult extends Changes {
  /** Settings (and entries) the running gateway cannot take without a restart; their running state stays. */
  restart: string[];
}

/** Bytes as hex, so that keys and PSKs enter the hash (JSON.stringify gives an index map otherwise). */
const bytesAsHex = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);

/** A manual SA's fingerprint: the whole entry, keys included. */
export function manualFingerprint(m: ManualSa): string {
  return createHash('sha256').update(JSON.stringify(m, bytesAsHex)).digest('hex');
}

/**
 * A connection's fingerprint: the whole entry (its PSK included) and the contents of the files it
 * names — the certificate, the private key, the trust anchors. A file that cannot be read enters
 * with its error: it differs from any content, so the connection counts as changed.
 */
export function connectionFingerprint(c: Connection): string {
  const h = createHash('sha256').update(JSON.stringify(c, bytesAsHex));
  for (const file of [c.local.cert, c.local.key, ...c.remote.ca]) {
    if (file === undefined) continue;
    h.update(`\0${file}\0`);
    try {
      h.update(readFileSync(file));
    } catch (err) {
      h.update(`unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return h.digest('hex');
}

/** Running entries (name → fingerprint) against the next configuration's, in the next one's order. */
export function compare(running: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): Changes {
  const c: Changes = { kept: [], replaced: [], added: [], removed: [] };
  for (const [name, fp] of next) {
    const was = running.get(name);
    if (was === undefined) c.added.push(name);
    else if (was === fp) c.kept.push(name);
    else c.replaced.push(name);
  }
  for (const name of running.keys()) if (!next.has(name)) c.removed.push(name);
  return c;
}

/** What a reload does to the IKE connections (the daemons' `reload` takes connections, gone, fresh). */
export interface ConnectionPlan extends Changes {
  /** The new list, in file order: the unchanged connections as the running objects (their SAs refer to them). */
  connections: Connection[];
  /** Taken down: the replaced and the removed. */
  gone: string[];
  /** Set up per `start`: the replaced (under their new configuration) and the added. */
  fresh: string[];
  /** Each connection's fingerprint from now on. */
  prints: Map<string, string>;
}

export function planConnections(running: readonly Connection[], runningPrints: ReadonlyMap<string, string>, next: readonly Connection[]): ConnectionPlan {
  const prints = new Map(next.map((c) => [c.name, connectionFingerprint(c)]));
  const changes = compare(runningPrints, prints);
  const byName = new Map(running.map((c) => [c.name, c]));
  return {
    ...changes,
    connections: next.map((c) => (changes.kept.includes(c.name) ? byName.get(c.name) ?? c : c)),
    gone: [...changes.replaced, ...changes.removed],
    fresh: [...changes.replaced, ...changes.added],
    prints,
  };
}

/** A gateway setting's YAML name from its field's (maxSas → max-sas). */
const yamlName = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The `gateway:` settings that differ: the TUN device (its name and MTU), the sockets (listen
 * addresses, the control socket and the name that defaults it), the datapath's sizes.
 */
export function fixedSettingsChanged(running: Gateway, next: Gateway): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]) as Set<keyof Gateway>;
  const same = (k: keyof Gateway): boolean => JSON.stringify(running[k], bytesAsHex) === JSON.stringify(next[k], bytesAsHex);
  return [...keys].filter((k) => !same(k)).map((k) => `gateway.${yamlName(k)}`);
}
