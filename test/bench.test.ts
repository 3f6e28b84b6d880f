// The benchmark runner works end to end (tiny time budget: a smoke test, not a measurement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUITES } from '../bench/micro.js';
import { e2eTable, type E2eRow } from '../bench/e2e.js';
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

test('ipsecgw bench --sizes / --streams: whole numbers, spaced or comma-separated; anything else a usage error', () => {
  for (const bad of [['micro', '--sizes', '64,x'], ['micro', '--sizes', '0'], ['e2e', '--streams', '1.5']]) {
    const r = spawnSync(process.execPath, [cli, 'bench', ...bad], { encoding: 'utf8' });
    assert.equal(r.status, EXIT.USAGE, `${bad.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${bad[1]}: positive whole numbers`), bad.join(' '));
  }
  const help = execFileSync(process.execPath, [cli, 'bench', 'micro', '--help'], { encoding: 'utf8' });
  assert.match(help, /--sizes[\s\S]*?\[default: \[64,512,1400\]\]/);
});

test('bench e2e table: medians over the runs, min–max beside them, ratios of the medians', () => {
  const row = (setup: E2eRow['setup'], suite: string, run: number, gbps: number): E2eRow => ({ setup, suite, streams: 1, run, gbps, retransmits: 0 });
  const rows = [1, 2, 3].flatMap((run) => [
    row('plain routing', '-', run, 10 + run),
    row('ipsecgw ↔ ipsecgw', 'aes128gcm16', run, [1.2, 1.5, 1.4][run - 1]),
    row('strongSwan ↔ strongSwan', 'aes128gcm16', run, [0.3, 0.35, 0.28][run - 1]),
  ]);
  const lines = e2eTable(rows).split('\n');
  assert.equal(lines.length, 3, 'one line for the one suite and stream count');
  assert.equal(lines[2], '| aes128gcm16 | 1 | 1.400 (1.200–1.500) | 0.300 (0.280–0.350) | 12.00 (11.00–13.00) | 4.7 | 12 |');
  assert.match(e2eTable(rows.filter((r) => r.run === 1)), /\| aes128gcm16 \| 1 \| 1\.200 \| 0\.300 \| 11\.00 \| 4\.0 \| 11 \|/, 'one run: the figures alone');
});
