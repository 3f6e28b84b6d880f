// docs/logs.md is the catalogue of log events: every `event: '…'` in src/ must be listed there with
// the level it is logged at, and every event listed there must still be logged — so the catalogue
// cannot drift from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Event name → the levels it is logged at, from every `log.LEVEL({ event: EXPR` in src/. */
function loggedEvents(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of sources(join(repo, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const calls = [...text.matchAll(/\.(trace|debug|info|warn|error|fatal)\(\{\s*event:\s*([^,}]+)/g)];
    // Every `event:` sits in such a call, its names written out (a variable would hide them).
    const all = [...text.matchAll(/\bevent:\s/g)].length;
    assert.equal(calls.length, all, `${file}: an 'event:' outside a log call's first field`);
    assert.ok(!/\.(?:trace|debug|info|warn|error|fatal)\(\{[^}]*?\bevent\s*[,}]/.test(text), `${file}: '{ event }' shorthand hides the event's name from this test`);
    for (const [, level, expr] of calls) {
      const names = [...expr.matchAll(/'([a-z]+\.[a-z_]+)'/g)].map((m) => m[1]);
      assert.ok(names.length > 0, `${file}: event ${expr.trim()} is not a literal name`);
      for (const n of names) {
        if (!out.has(n)) out.set(n, new Set());
        out.get(n)!.add(level);
      }
    }
  }
  return out;
}

/** Failures and removals: every call that logs one of these names gives a `reason`. */
const WITH_REASON = [
  'ike.failed', 'ike.timeout', 'ike.rekey_failed', 'ike.peer_error', 'ike.bad_hash', 'proposal.mismatch', 'auth.failed', 'dpd.timeout',
  'child.failed', 'child.deleted', 'gateway.failed', 'config.reload_failed',
];

/** Event name → levels, from the rows of docs/logs.md's tables: | `name` | level[, level] | … */
function catalogue(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of readFileSync(join(repo, 'docs/logs.md'), 'utf8').matchAll(/^\| `([a-z]+\.[a-z_]+)` \| ([a-z, ]+) \|/gm)) {
    assert.ok(!out.has(m[1]), `docs/logs.md lists ${m[1]} twice`);
    out.set(m[1], new Set(m[2].split(',').map((l) => l.trim())));
  }
  return out;
}

test('every event logged in src/ is in docs/logs.md at its level, and docs/logs.md lists no other', () => {
  const logged = loggedEvents(), listed = catalogue();
  assert.ok(logged.size > 40, `found only ${logged.size} events: the scan is broken`);
  const missing = [...logged.keys()].filter((e) => !listed.has(e));
  assert.deepEqual(missing, [], 'logged but not in docs/logs.md');
  const stale = [...listed.keys()].filter((e) => !logged.has(e));
  assert.deepEqual(stale, [], 'in docs/logs.md but no longer logged');
  for (const [e, levels] of logged) assert.deepEqual([...listed.get(e)!].sort(), [...levels].sort(), `level of ${e}`);
});

test('failures and removals carry a reason field wherever they are logged', () => {
  for (const file of sources(join(repo, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\.(?:warn|error|fatal|info)\(\{\s*event:\s*([^,}]+)/g)) {
      if (![...m[1].matchAll(/'([a-z]+\.[a-z_]+)'/g)].some((n) => WITH_REASON.includes(n[1]))) continue;
      // The log object: flat for these events, so it ends at the first '}' after the match.
      const object = text.slice(m.index, text.indexOf('}', m.index + m[0].length));
      const line = text.slice(0, m.index).split('\n').length;
      assert.match(`${object}}`, /[{,]\s*reason\s*[:,}]/, `${file}:${line}: ${m[1].trim()} without a reason`);
    }
  }
});

test('the events issue 7 names exist, for IKE SAs of both versions and for CHILD SAs', () => {
  const logged = loggedEvents();
  for (const e of ['ike.established', 'ike.rekeyed', 'ike.deleted', 'child.established', 'child.rekeyed', 'child.deleted', 'proposal.mismatch', 'auth.failed', 'dpd.timeout', 'ike.failed']) {
    assert.ok(logged.has(e), e);
  }
  // One name for one thing in both IKE versions: each of these is logged by both daemons.
  const both = (e: string) => ['v1', 'v2'].every((v) => sources(join(repo, 'src/ike', v)).some((f) => readFileSync(f, 'utf8').includes(`'${e}'`)));
  for (const e of ['ike.established', 'ike.rekeyed', 'ike.deleted', 'ike.failed', 'ike.expired', 'proposal.mismatch', 'auth.failed', 'dpd.timeout']) assert.ok(both(e), `${e} in IKEv1 and IKEv2`);
});
