// The benchmark runner works end to end (tiny time budget: a smoke test, not a measurement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUITES } from '../bench/micro.js';
import { EXIT } from '../src/cli/exit-codes.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

test('ipsecgw bench micro writes a JSON report and prints a table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-bench-'));
  try {
    const out = join(dir, 'micro.json');
    const stdout = execFileSync(process.execPath,
      [cli, 'bench', 'micro', '--seconds', '0.02', '--sizes', '64', '--no-openssl', '--out', out],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(stdout, /\| suite \| bytes \| WASM MB\/s/);
    assert.match(stdout, /HMAC-SHA-1-96 over 64 bytes, key states precomputed: \d+ ns/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.kind, 'micro');
    assert.equal(report.rows.length, SUITES.length);
    for (const row of report.rows) {
      assert.ok(row.wasm.MBps > 0 && row.node.MBps > 0 && row.xNode > 0, row.suite);
      assert.equal(row.openssl, null);
    }
    // The ESP batch path: three suites × one size × batches of 1, 32, 128 × encap and decap.
    assert.equal(report.esp.length, 3 * 1 * 3 * 2);
    for (const row of report.esp) assert.ok(row.pps > 0 && row.rawPps > 0, `${row.suite} ${row.direction}`);
    assert.match(stdout, /\| ESP suite \| direction \| bytes \| batch \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ipsecgw --help lists the commands', () => {
  const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.match(help, /ipsecgw bench <kind>/);
});

test('ipsecgw bench e2e --encap: udp (as strongSwan\'s) by default, or none; nothing else', () => {
  const help = execFileSync(process.execPath, [cli, 'bench', 'e2e', '--help'], { encoding: 'utf8' });
  assert.match(help, /--encap[\s\S]*?\[choices: "none", "udp"\] \[default: "udp"\]/);
  const r = spawnSync(process.execPath, [cli, 'bench', 'e2e', '--encap', 'tcp'], { encoding: 'utf8' });
  assert.equal(r.status, EXIT.USAGE, r.stderr);
  assert.match(r.stderr, /Argument: encap, Given: "tcp", Choices: "none", "udp"/);
});
