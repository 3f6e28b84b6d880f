// ipsecgw as a service (contrib/systemd/ipsecgw@.service, docs/service.md).
//  - The unit: systemd-analyze verify has nothing to say about it; its capabilities are the three
//    the gateway needs, and the exit codes it does not restart after are exit-codes.ts's.
//  - The gateway started as the unit starts it — an unprivileged user whose only capabilities are
//    the unit's, as ambient capabilities (setpriv, src/lab/unprivileged.ts) — and as root, in
//    namespaces with a manually keyed pair: traffic passes; once started, every thread of it holds
//    CAP_NET_ADMIN alone (/proc/PID/task/*/status), and its children get it (ip(8) adds and removes
//    routes on reload); an entry that would need a new socket waits for a restart;
//    SIGTERM exits 0 and leaves no device, socket or process behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { cleanup, startGateways, type Gateways, type GatewaysOptions } from '../src/lab/gateways.js';
import { canUseNetns, createTopology, type Topology } from '../src/lab/netns.js';
import { canUseSetpriv, cliFor, NOBODY, setprivPrefix, UNIT, unitCapabilities, unitSettings } from '../src/lab/unprivileged.js';
import { capabilityNumber, threadCaps, type ThreadCaps } from '../src/gateway/privileges.js';
import { ping, waitUntil } from './util/interop.js';

const mask = (names: readonly string[]): bigint => names.reduce((m, n) => m | (1n << BigInt(capabilityNumber(n))), 0n);
const NET_ADMIN = mask(['CAP_NET_ADMIN']);
const THREE = ['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_NET_BIND_SERVICE'];

const canVerify = (): string | null => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'needs systemd-analyze (package systemd)';
  }
};

describe('contrib/systemd/ipsecgw@.service', () => {
  test('its settings: the three capabilities, the user, no restart after a configuration error', () => {
    const s = unitSettings(readFileSync(UNIT, 'utf8'));
    const one = (k: string): string | undefined => s.get(k)?.at(-1);
    assert.deepEqual(unitCapabilities().sort(), [...THREE].sort());
    assert.deepEqual(one('CapabilityBoundingSet')?.split(/\s+/).sort(), [...THREE].sort());
    assert.equal(one('User'), 'ipsecgw');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ExecStart'), '/usr/local/bin/ipsecgw run -c /etc/ipsecgw/%i.yaml');
    assert.match(one('ExecReload') ?? '', /kill -HUP \$MAINPID$/);
    // The control socket's default directory (src/config/gateway.ts: /run/ipsecgw/<name>.sock).
    assert.equal(one('RuntimeDirectory'), 'ipsecgw');
    assert.equal(one('Restart'), 'on-failure');
    assert.deepEqual(one('RestartPreventExitStatus')?.split(/\s+/).map(Number).sort(), [EXIT.USAGE, EXIT.NO_PERMISSION, EXIT.CONFIG].sort());
    assert.match(one('DeviceAllow') ?? '', /^\/dev\/net\/tun rw$/);
  });

  test('systemd-analyze verify has nothing to say', { skip: canVerify() ?? false }, () => {
    // verify checks that ExecStart's program exists: a stand-in where the unit expects ipsecgw.
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-unit-'));
    try {
      const stub = join(dir, 'ipsecgw');
      writeFileSync(stub, '#!/bin/sh\n', { mode: 0o755 });
      const unit = join(dir, 'ipsecgw@site-a.service');
      writeFileSync(unit, readFileSync(UNIT, 'utf8').replaceAll('/usr/local/bin/ipsecgw', stub));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no warning either');
      copyFileSync(unit, join(dir, 'ipsecgw@.service')); // the template itself, as installed
      const t = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'ipsecgw@.service')], { encoding: 'utf8' });
      assert.equal(`${t.stdout}${t.stderr}`.trim(), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What every thread of a gateway must show once it has started. */
interface Expected {
  uid: number;
  ambient: bigint;
  bounding: bigint;
  boundingReduced: boolean;
}

function checkThreads(pid: number, want: Expected): void {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, new RegExp(`^Uid:\\s+${want.uid}\\s+${want.uid}\\s+${want.uid}\\s+${want.uid}$`, 'm'));
  const threads = threadCaps(pid);
  assert.ok(threads.length > 5, `${threads.length} threads`);
  for (const t of threads) {
    const show = (c: ThreadCaps): string => JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
    assert.equal(t.effective, NET_ADMIN, show(t));
    assert.equal(t.permitted, NET_ADMIN, show(t));
    assert.equal(t.inheritable, NET_ADMIN, show(t));
    assert.equal(t.ambient, want.ambient, show(t));
    assert.equal(t.bounding, want.bounding, show(t));
    assert.ok(t.noNewPrivs, show(t));
  }
}

const routes = (t: Topology, prefix: string): string => t.exec(t.gwA, 'ip', ['route', 'show', prefix]).trim();

/** A manual entry for gwA's configuration (an inline key: these are the lab's). */
function entry(t: Topology, name: string, rts: string, spis: [string, string], encap: 'none' | 'udp'): string {
  return [
    `  ${name}:`, `    local: ${t.addr.gwA.wire4}`, `    remote: ${t.addr.gwB.wire4}`, '    local-ts: [10.1.9.0/24]', `    remote-ts: [${rts}]`,
    `    encap: ${encap}`, '    esp: aes128gcm16', `    in: { spi: ${spis[0]}, key: "${'ab'.repeat(20)}" }`, `    out: { spi: ${spis[1]}, key: "${'cd'.repeat(20)}" }`, '',
  ].join('\n');
}

/** The complete JSON log lines of one event. */
function events(logs: string[], event: string): Array<Record<string, unknown>> {
  return logs.join('').split('\n').flatMap((l) => {
    try {
      const e = JSON.parse(l) as Record<string, unknown>;
      return e.event === event ? [e] : [];
    } catch {
      return [];
    }
  });
}

async function reloadA(g: Gateways, event: 'config.reloaded'): Promise<Record<string, unknown>> {
  const before = events(g.logs.a, event).length;
  g.procs.a.kill('SIGHUP');
  await waitUntil(() => events(g.logs.a, event).length > before, 10_000, event);
  return events(g.logs.a, event).at(-1)!;
}

/** The whole check, for a gateway pair started so. */
async function serviceCase(o: GatewaysOptions, want: Expected): Promise<void> {
  const t = createTopology();
  let g: Gateways | undefined;
  try {
    g = await startGateways(t, { esp: 'aes128gcm16', encap: 'none', outer: 4, inner: 4 }, o);
    await ping(t, t.hA, t.addr.hB.lan4);
    await ping(t, t.hB, t.addr.hA.lan4);

    for (const p of [g.procs.a, g.procs.b]) checkThreads(p.pid!, want);
    const privileges = events(g.logs.a, 'gateway.privileges');
    assert.equal(privileges.length, 1);
    assert.equal(privileges[0].uid, want.uid);
    assert.deepEqual(privileges[0].kept, ['CAP_NET_ADMIN']);
    assert.equal(privileges[0].boundingReduced, want.boundingReduced);

    // Later route changes are ip(8)'s, run by the gateway with what it kept: a reload that adds an
    // entry adds its route, one that removes the entry removes it.
    const original = readFileSync(g.configs.a, 'utf8');
    appendFileSync(g.configs.a, entry(t, 'second', '10.2.9.0/24', ['0x3001', '0x3002'], 'none'));
    const added = await reloadA(g, 'config.reloaded');
    assert.deepEqual(added.added, ['second']);
    assert.match(routes(t, '10.2.9.0/24'), /dev ipsec0/);

    // UDP encapsulation needs a socket that was not opened at start (nor could be now): that entry
    // waits for a restart, the rest stays as it is.
    appendFileSync(g.configs.a, entry(t, 'third', '10.2.8.0/24', ['0x3003', '0x3004'], 'udp'));
    const held = await reloadA(g, 'config.reloaded');
    assert.deepEqual([held.added, held.restart], [[], ['manual.third']]);
    assert.deepEqual(events(g.logs.a, 'config.restart_needed').at(-1)?.settings, ['manual.third']);
    assert.equal(routes(t, '10.2.8.0/24'), '');
    assert.match(routes(t, '10.2.9.0/24'), /dev ipsec0/);

    writeFileSync(g.configs.a, original);
    const removed = await reloadA(g, 'config.reloaded');
    assert.deepEqual(removed.removed, ['second']);
    assert.equal(routes(t, '10.2.9.0/24'), '');
    await ping(t, t.hA, t.addr.hB.lan4);
    for (const p of [g.procs.a, g.procs.b]) checkThreads(p.pid!, want);

    const codes = await g.stop();
    assert.deepEqual(codes, { a: EXIT.SUCCESS, b: EXIT.SUCCESS }, `${g.logs.a.join('')}\n${g.logs.b.join('')}`);
    for (const ns of [t.gwA, t.gwB]) {
      assert.throws(() => t.exec(ns, 'ip', ['link', 'show', 'ipsec0']), 'the TUN device is gone');
      assert.equal(t.exec(ns, 'ss', ['-H', '-a', '-n', '-p', '-w', '-u']).trim(), '', 'no raw or UDP socket left');
      assert.deepEqual(t.pids(ns), [], `no process left in ${ns}`);
    }
    assert.ok(!existsSync(g.sockets.a) && !existsSync(g.sockets.b), 'control sockets removed');
    assert.doesNotMatch(`${g.logs.a.join('')}${g.logs.b.join('')}`, /worker\.(failed|exited)/);
  } finally {
    t.destroy();
    cleanup(g);
  }
}

describe('capabilities after start', { skip: canUseNetns() ?? false }, () => {
  test('as the unit runs it: an unprivileged user with its three capabilities, ambient', { skip: canUseSetpriv() ?? false, timeout: 120_000 }, async () => {
    const caps = unitCapabilities();
    const { cli, remove } = cliFor(NOBODY);
    try {
      // Without CAP_SETPCAP the bounding set cannot shrink: it stays the unit's (inert: no_new_privs).
      const run = { prefix: setprivPrefix(NOBODY, caps), cli };
      await serviceCase({ a: run, b: run, owner: NOBODY },
        { uid: NOBODY.uid, ambient: NET_ADMIN, bounding: mask(caps), boundingReduced: false });
    } finally {
      remove();
    }
  });

  test('as root: the bounding set too, which is what root passes to its children', { timeout: 120_000 }, async () => {
    await serviceCase({}, { uid: 0, ambient: 0n, bounding: NET_ADMIN, boundingReduced: true });
  });
});
