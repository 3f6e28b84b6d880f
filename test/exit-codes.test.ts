// The exit codes of the commands (src/cli/exit-codes.ts; the table in docs/service.md), as a script
// or systemd sees them: usage, configuration, control socket, and the two ways `run` fails to start
// — not allowed (a capability missing) and not possible (a port in use). The gateways
// that fail to start do so in a network namespace of their own (unshare), which goes with them.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { controlFailureCode, EXIT, startFailureCode } from '../src/cli/exit-codes.js';
import { canUseSetpriv, cliFor, NOBODY } from '../src/lab/unprivileged.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SITE_A = fileURLToPath(new URL('../../config/site-a.yaml', import.meta.url));

/** The `gateway.failed` line of a run's log. */
const failed = (stdout: string): Record<string, unknown> | undefined =>
  stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === 'gateway.failed');

const ipsecgw = (args: string[], prefix: string[] = [], cli = CLI) => {
  const [cmd, ...rest] = [...prefix, process.execPath, cli, ...args];
  return spawnSync(cmd, rest, { encoding: 'utf8', timeout: 60_000 });
};

test('the mapping of errors to codes', () => {
  const err = (code: string): Error => Object.assign(new Error(code), { code });
  assert.equal(startFailureCode(err('EPERM')), EXIT.NO_PERMISSION);
  assert.equal(startFailureCode(err('EACCES')), EXIT.NO_PERMISSION);
  assert.equal(startFailureCode(err('EADDRNOTAVAIL')), EXIT.START_FAILED);
  assert.equal(startFailureCode(new Error('no code')), EXIT.START_FAILED);
  for (const c of ['ENOENT', 'ECONNREFUSED', 'ETIMEDOUT']) assert.equal(controlFailureCode(err(c)), EXIT.UNAVAILABLE);
  assert.equal(controlFailureCode(err('EACCES')), EXIT.NO_PERMISSION);
  assert.equal(controlFailureCode(new Error("no connection 'x'")), EXIT.FAILURE);
});

test('usage errors exit 64, with a line on stderr', () => {
  for (const args of [[], ['bogus'], ['run'], ['status', '--bogus']]) {
    const r = ipsecgw(args);
    assert.equal(r.status, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^ipsecgw: .+ \(see ipsecgw --help\)\n$/);
  }
  assert.equal(ipsecgw(['--help']).status, EXIT.SUCCESS);
});

test('check: 0 for a good file, 1 for errors; run: 78 for errors, nothing started', () => {
  assert.equal(ipsecgw(['check', '-c', SITE_A]).status, EXIT.SUCCESS);
  const missing = join(tmpdir(), `ipsecgw-missing-${process.pid}.yaml`);
  assert.equal(ipsecgw(['check', '-c', missing]).status, EXIT.FAILURE);
  const run = ipsecgw(['run', '-c', missing]);
  assert.equal(run.status, EXIT.CONFIG);
  assert.equal(failed(run.stdout)?.exit, EXIT.CONFIG);
});

test('status: 69 when nothing listens, 1 when the gateway answers an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-exit-'));
  try {
    const none = ipsecgw(['status', '--socket', join(dir, 'none.sock')]);
    assert.equal(none.status, EXIT.UNAVAILABLE);
    assert.match(none.stderr, /no gateway answers on/);
    const sock = join(dir, 'gw.sock');
    const server = createServer((c) => c.on('data', () => c.end('{"ok":false,"error":"refused here"}\n')));
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      // Asynchronously: the server answers from this process's event loop.
      const r = await new Promise<{ status: number; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, 'status', '--socket', sock], (e, _out, stderr) => resolve({ status: e ? Number(e.code) : 0, stderr }));
      });
      assert.equal(r.status, EXIT.FAILURE);
      assert.match(r.stderr, /refused here/);
    } finally {
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('run that cannot start', { skip: canUseSetpriv() ?? false }, () => {
  // An IKE gateway on 192.0.2.1 (port 500).
  const config = (dir: string): string => {
    writeFileSync(join(dir, 'psk'), 'exit code test key', { mode: 0o600 });
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, [
      'gateway:', '  name: gw', '  listen: [192.0.2.1]', `  socket: ${join(dir, 'gw.sock')}`,
      'connections:', '  peer:', '    version: 2',
      '    local: { address: 192.0.2.1, id: 192.0.2.1, auth: psk }', '    remote: { address: 192.0.2.2, id: 192.0.2.2, auth: psk }',
      `    psk: { file: ${join(dir, 'psk')} }`, '    children:', '      lan: { local-ts: [10.1.0.0/24], remote-ts: [10.2.0.0/24] }', '',
    ].join('\n'));
    return file;
  };

  test('without capabilities: 77', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-exit-'));
    const { cli, remove } = cliFor(NOBODY);
    try {
      const file = config(dir);
      for (const f of [dir, file, join(dir, 'psk')]) chownSync(f, NOBODY.uid, NOBODY.gid);
      const nobody = ['unshare', '--net', 'setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
      const r = ipsecgw(['run', '-c', file], nobody, cli);
      assert.equal(r.status, EXIT.NO_PERMISSION, r.stdout + r.stderr);
      assert.deepEqual(failed(r.stdout), { ...failed(r.stdout), exit: EXIT.NO_PERMISSION, reason: 'tunOpen: ioctl(TUNSETIFF): Operation not permitted' });
    } finally {
      remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a port in use: 71', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-exit-'));
    try {
      // Port 500 taken by a socket that python binds and passes on to the gateway it execs.
      const holder = ['python3', '-c', "import os, socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 500)); s.set_inheritable(True); os.execv(sys.argv[1], sys.argv[1:])"];
      const r = ipsecgw(['run', '-c', config(dir)], ['unshare', '--net', ...holder]);
      assert.equal(r.status, EXIT.START_FAILED, r.stdout + r.stderr);
      assert.equal(failed(r.stdout)?.exit, EXIT.START_FAILED);
      assert.match(String(failed(r.stdout)?.reason), /EADDRINUSE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
