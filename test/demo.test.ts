// `ipsecgw demo` as an administrator runs it: the CLI as a child process, for IKEv2 (the default),
// --ikev1 and --nat, and once interrupted with SIGINT in the middle. Each run must show the tunnel,
// the pings and a status table, exit as documented, and leave nothing behind: no namespace of its
// prefix, no /etc/netns overlay, no process of its gateways, no temporary directory. Also: the
// example pair passes `ipsecgw check`, and a user who is not root gets one line and exit code 77.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_PREFIX, EXIT_NOT_ROOT } from '../src/cli/demo.js';
import { canUseNat, canUseNetns } from '../src/lab/netns.js';
import { haveIperf3 } from '../src/lab/traffic.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const noNetns = canUseNetns();
const noNat = canUseNat();

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the run's output named: its namespaces' common start and its temporary directory. */
  stem?: string;
  dir?: string;
}

/**
 * Runs `ipsecgw demo ARGS` (1 s of iperf3); `onLine` sees each stdout line as it comes. Whatever the
 * outcome, the child is gone when this resolves.
 */
function runDemo(args: string[], onLine?: (line: string, run: DemoRun, kill: (s: NodeJS.Signals) => void) => void): Promise<DemoRun> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [cli, 'demo', '--seconds', '1', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: DemoRun = { code: null, stdout: '', stderr: '' };
    let partial = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), 100_000);
    c.stdout.setEncoding('utf8').on('data', (d: string) => {
      r.stdout += d;
      partial += d;
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        r.stem ??= /\b(igdemo\w+?)hA\b/.exec(line)?.[1];
        r.dir ??= /(\/\S+\/ipsecgw-demo-\w+)/.exec(line)?.[1];
        onLine?.(line, r, (s) => c.kill(s));
      }
    });
    c.stderr.setEncoding('utf8').on('data', (d: string) => (r.stderr += d));
    c.on('close', (code) => {
      clearTimeout(timer);
      r.code = code;
      resolve(r);
    });
  });
}

/** Processes whose command line names `text` (the gateways run `ipsecgw run -c DIR/demo-a.yaml`). */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch { /* gone meanwhile */ }
  }
  return found;
}

const namespaces = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);

/** Nothing of the run is left; if something is, it goes now (and the test fails). */
function assertNothingLeft(r: DemoRun): void {
  assert.ok(r.stem?.startsWith(DEMO_PREFIX), `the output names the namespaces:\n${r.stdout}`);
  assert.ok(r.dir, `the output names the temporary directory:\n${r.stdout}`);
  const left = namespaces().filter((n) => n.startsWith(r.stem!));
  const procs = processesNaming(r.dir!);
  const overlays = left.concat(r.stem ? ['hA', 'gwA', 'gwB', 'hB', 'nat'].map((s) => `${r.stem}${s}`) : []).filter((n) => existsSync(`/etc/netns/${n}`));
  try {
    assert.deepEqual(left, [], 'namespaces left behind');
    assert.deepEqual(procs, [], 'gateway processes left behind');
    assert.deepEqual(overlays, [], '/etc/netns overlays left behind');
    assert.equal(existsSync(r.dir!), false, `${r.dir} left behind`);
  } finally {
    for (const p of procs) process.kill(Number(p.split(':')[0]), 'SIGKILL');
    for (const n of left) spawnSync('ip', ['netns', 'del', n]);
  }
}

/** What every successful run prints: the tunnel, both pings, the throughput step, two status tables, the cleanup. */
function assertShowsTheTunnel(r: DemoRun, version: 'IKEv1' | 'IKEv2'): void {
  const out = r.stdout;
  assert.equal(r.code, 0, `exit 0 expected:\n${out}\n${r.stderr}`);
  assert.match(out, new RegExp(`tunnel up in \\d+\\.\\d+ s \\(${version} .*ESP aes128gcm16`));
  assert.match(out, /hA → hB 10\.2\.0\.2: [1-9]\d*\/\d+ replies/);
  assert.match(out, /hB → hA 10\.1\.0\.2: [1-9]\d*\/\d+ replies/);
  assert.match(out, haveIperf3() ? /\d+\.\d+ Gbit\/s/ : /skipped, iperf3 is not installed/);
  for (const [gw, name] of [['gwA', 'demo-a'], ['gwB', 'demo-b']]) {
    // The table is formatStatus's (src/cli/status.ts): whatever its shape, it names the gateway or its peer.
    const section = new RegExp(`── status of ${gw} [^\\n]*──\\n([\\s\\S]*?)(?:\\n── |\\nfigures:)`).exec(out);
    assert.ok(section, `${gw}'s status is shown:\n${out}`);
    assert.match(section[1], new RegExp(`${name}|demo-[ab]`), `${gw}'s status table:\n${section[1]}`);
  }
  assert.match(out, /figures: tunnel up in/);
  assert.match(out, /\ncleaned up: /);
}

test('the demo configurations pass `ipsecgw check`', () => {
  for (const f of ['config/demo-a.yaml', 'config/demo-b.yaml']) {
    const r = spawnSync(process.execPath, [cli, 'check', '-c', f], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`${f}: ok`));
    assert.doesNotMatch(r.stdout, /error/);
  }
});

test('not root: one line and exit code 77', () => {
  // As root, the test becomes nobody for the child; otherwise it already is not root.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [cli, 'demo'], { cwd: repo, encoding: 'utf8', ...asNobody });
  assert.equal(r.status, EXIT_NOT_ROOT, `${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ipsecgw demo: needs root[^\n]*\n$/);
});

test('IKEv2 (the default): tunnel, pings, throughput, status, nothing left behind', { skip: noNetns ?? false, timeout: 120_000 }, async () => {
  let secretMode: number | undefined;
  const r = await runDemo([], (line, run) => {
    // While the gateways start, the staged PSK is there, private to root.
    if (line.startsWith('[3/6]')) secretMode = statSync(`${run.dir}/keys/example-demo.psk`).mode & 0o777;
  });
  try {
    assertShowsTheTunnel(r, 'IKEv2');
    assert.match(r.stdout, /demo-a\.yaml: gateway\.socket → /);
    assert.equal(secretMode, 0o600);
  } finally {
    assertNothingLeft(r);
  }
});

test('--ikev1: main mode', { skip: noNetns ?? false, timeout: 120_000 }, async () => {
  const r = await runDemo(['--ikev1']);
  try {
    assertShowsTheTunnel(r, 'IKEv1');
    assert.match(r.stdout, /IKEv1 main mode tunnel/);
    assert.match(r.stdout, /demo-a\.yaml: connections\.demo-b\.version → 1, mode: main/);
  } finally {
    assertNothingLeft(r);
  }
});

test('--nat: NAT detected, ESP in UDP', { skip: noNat ?? false, timeout: 120_000 }, async () => {
  const r = await runDemo(['--nat']);
  try {
    assertShowsTheTunnel(r, 'IKEv2');
    // gwA's own address behind the NAT, and the NAT's address as gwB sees it: changed in the copies and said so.
    assert.match(r.stdout, /demo-a\.yaml: connections\.demo-b\.local\.address 192\.0\.2\.1 → 192\.168\.77\.2/);
    assert.match(r.stdout, /demo-b\.yaml: connections\.demo-a\.remote\.address 192\.0\.2\.1 → 192\.0\.2\.3/);
    assert.match(r.stdout, /ESP aes128gcm16 in UDP/);
    assert.match(r.stdout, /NAT detected \(in front of gwA\)/);
  } finally {
    assertNothingLeft(r);
  }
});

test('SIGINT in the middle: everything removed, exit 130', { skip: noNetns ?? false, timeout: 120_000 }, async () => {
  let sent = false;
  const r = await runDemo([], (line, _run, kill) => {
    // The tunnel is up and traffic flows: gateways, namespaces, ping processes and files all exist.
    if (line.startsWith('[5/6]') && !sent) {
      sent = true;
      kill('SIGINT');
    }
  });
  try {
    assert.ok(sent, `the demo reached the ping step:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /SIGINT: stopping the demo/);
    assert.match(r.stdout, /\ncleaned up: /);
    assert.doesNotMatch(r.stdout, /figures:/);
  } finally {
    assertNothingLeft(r);
  }
});
