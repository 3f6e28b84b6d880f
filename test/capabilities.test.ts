// The capability drop of the native shim (native/caps.c) and privileges.ts, in a child Node process
// (a drop cannot be undone): every thread ends up with CAP_NET_ADMIN alone — Node's inspector thread
// included, which blocks every signal but glibc's two — and so do threads and processes started
// afterwards; glibc's own broadcast (setgid) still works once its handler is given back; bad
// arguments throw before anything is dropped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { capabilityNumber, maskNames, parseStatusCaps } from '../src/gateway/privileges.js';

const NATIVE = new URL('../src/dataplane/native.js', import.meta.url).href;
const PRIVILEGES = new URL('../src/gateway/privileges.js', import.meta.url).href;

// Runs in the child: reports what it saw as one JSON line.
const CHILD = `
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadNative } from ${JSON.stringify(NATIVE)};
import { dropPrivileges, threadCaps } from ${JSON.stringify(PRIVILEGES)};
const native = loadNative();
const worker = () => new Promise((resolve) => {
  const w = new Worker('setInterval(() => {}, 1000)', { eval: true });
  w.once('online', () => resolve(w));
});
const workers = [await worker()];
const errors = [];
for (const bad of [['x'], [64], [-1], 'CAP_NET_ADMIN']) {
  try { native.dropCapabilities(bad); errors.push('no error'); } catch (e) { errors.push(e.code); }
}
const untouched = native.capabilities().permitted.length;
// SigBlk: every thread's blocked signals; the inspector's thread blocks all but SIGKILL, SIGSTOP and glibc's 32 and 33.
const blocked = () => readdirSync('/proc/self/task').map((t) => [Number(t), readFileSync('/proc/self/task/' + t + '/status', 'utf8').match(/^SigBlk:\\s*(\\S+)/m)[1]]);
const privileges = dropPrivileges(native);
workers.push(await worker());
process.setgid(process.getgid()); // glibc's setxid broadcast, through SIGSETXID, to every thread
const child = execFileSync('sh', ['-c', 'cat /proc/self/status'], { encoding: 'utf8' });
const threads = threadCaps().map((t) => ({ ...t, effective: t.effective.toString(16), permitted: t.permitted.toString(16), inheritable: t.inheritable.toString(16), bounding: t.bounding.toString(16), ambient: t.ambient.toString(16) }));
console.log(JSON.stringify({ errors, untouched, blocked: blocked(), privileges, threads, child }));
process.exit(0);
`;

const skip = process.getuid?.() === 0 ? false : 'needs root (capabilities to drop)';

describe('dropping capabilities in every thread', { skip }, () => {
  test('every thread, later threads and children keep CAP_NET_ADMIN alone', { timeout: 30_000 }, () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 25_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      errors: string[]; untouched: number; blocked: Array<[number, string]>;
      privileges: { kept: string[]; bounding: string[]; ambient: string[]; boundingReduced: boolean; threads: number; uid: number };
      threads: Array<{ tid: number; effective: string; permitted: string; inheritable: string; bounding: string; ambient: string; noNewPrivs: boolean }>;
      child: string;
    };
    assert.deepEqual(r.errors, ['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_TYPE']);
    assert.ok(r.untouched > 3, 'bad arguments dropped nothing');
    // The inspector's thread: every signal below 32 blocked but SIGKILL (9) and SIGSTOP (19).
    const sealed = r.blocked.filter(([, mask]) => (BigInt(`0x${mask}`) & 0xffffffffn) === 0x7ffbfeffn);
    assert.ok(sealed.length >= 1, `a thread that blocks almost every signal: ${JSON.stringify(r.blocked)}`);
    assert.deepEqual(r.privileges.kept, ['CAP_NET_ADMIN']);
    assert.deepEqual(r.privileges.bounding, ['CAP_NET_ADMIN']);
    assert.deepEqual(r.privileges.ambient, [], 'root: children get it through the bounding set');
    assert.equal(r.privileges.boundingReduced, true);
    assert.ok(r.privileges.threads >= 8, `${r.privileges.threads} threads dropped`);
    // Every thread now, the sealed one and a worker started after the drop among them.
    assert.ok(r.threads.length > r.privileges.threads, 'a worker started after the drop');
    assert.ok(sealed.every(([tid]) => r.threads.some((t) => t.tid === tid)));
    for (const t of r.threads) assert.deepEqual(t, { ...t, effective: '1000', permitted: '1000', inheritable: '1000', bounding: '1000', ambient: '0', noNewPrivs: true });
    const child = parseStatusCaps(r.child);
    const netAdmin = 1n << BigInt(capabilityNumber('CAP_NET_ADMIN'));
    assert.deepEqual([child.effective, child.permitted, child.bounding].map(maskNames), [['CAP_NET_ADMIN'], ['CAP_NET_ADMIN'], ['CAP_NET_ADMIN']]);
    assert.equal(child.effective, netAdmin);
    assert.ok(child.noNewPrivs);
  });
});
