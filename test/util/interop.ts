// Helpers of the interop tests (ipsecgw in gwA against strongSwan in gwB, src/lab/ike.ts): sites
// that clean up after themselves, pings through the tunnel, strongSwan's view of the SAs, and the
// gateway's log events.
import type { ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSite, type Site, type SiteCase } from '../../src/lab/ike.js';
import { createTopology, type Topology } from '../../src/lab/netns.js';
import type { SwanSa } from '../../src/lab/strongswan.js';
import { ping as labPing, reachable } from '../../src/lab/traffic.js';

export const BOTH = ['ipsecgw', 'strongswan'] as const;

/** Pings until one answers (the first may wait for the SA), then `count` that all must. */
export async function ping(t: Topology, from: string, to: string, count = 3): Promise<void> {
  await reachable(t, from, to, 50).catch(() => undefined); // the count below says what failed
  const r = await labPing(t, from, to, count);
  assert.equal(r.received, r.sent, `ping ${to} from ${from}: ${r.received} of ${r.sent} answered`);
}

export async function bothWays(t: Topology): Promise<void> {
  await ping(t, t.hA, t.addr.hB.lan4);
  await ping(t, t.hB, t.addr.hA.lan4);
}

/** A ping running in the background: its summary once it ends. */
export function pingFor(t: Topology, from: string, to: string, seconds: number): Promise<string> {
  const p: ChildProcess = t.spawn(from, 'ping', ['-i', '0.2', '-w', String(seconds), to]);
  let out = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve) => p.once('exit', () => resolve(out)));
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch { /* the rest still goes */ }
  }
});

/** Runs `fn` when the test file ends, even after a failure. */
export const atEnd = (fn: () => Promise<void> | void): void => void cleanups.push(fn);

/** A topology destroyed when the test file ends. */
export function topology(nat: false | 'preserve' | 'remap' = false): Topology {
  const t = createTopology({ nat: nat ? { ports: nat } : false });
  cleanups.push(() => t.destroy());
  return t;
}

export async function site(c: SiteCase, nat: false | 'preserve' | 'remap' = false): Promise<{ t: Topology; s: Site }> {
  const t = topology(nat);
  const s = await startSite(t, c);
  cleanups.push(() => s.stop());
  return { t, s };
}

/** strongSwan's view once the IKE SA and a CHILD SA are up (it initiates first when the case says so). */
export async function established(s: Site, c: SiteCase): Promise<SwanSa> {
  if (c.initiator === 'strongswan') await s.charon.initiate('lan', { timeoutSec: 20 });
  return s.charon.waitFor((sas) => sas.find((sa) => sa.state === 'ESTABLISHED' && sa.children.some((ch) => ch.state === 'INSTALLED')), 20_000);
}

export const installed = (sa: SwanSa) => sa.children.find((ch) => ch.state === 'INSTALLED')!;
export const events = (s: Site, name: string) => s.gw.events().filter((e) => e.event === name);

export async function waitUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
