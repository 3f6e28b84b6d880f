// Lab gateways started the way contrib/systemd/ipsecgw@.service starts one: as an unprivileged
// user whose capabilities are the unit's AmbientCapabilities=, within its CapabilityBoundingSet=,
// with NoNewPrivileges= — done here by setpriv(1) (util-linux), which makes the same calls systemd
// does (setresuid/setresgid, setgroups, the inheritable then ambient sets, PR_CAPBSET_DROP,
// PR_SET_NO_NEW_PRIVS). The settings are read from the unit file itself, so a test of the lab runs
// what the unit says.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is dist/src/lab/unprivileged.js). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const UNIT = join(ROOT, 'contrib/systemd/ipsecgw@.service');

/** `nobody`: a user that owns nothing. */
export const NOBODY = { uid: 65534, gid: 65534 };

/** A unit file's settings: key → every value it was given, in order (comments and sections dropped). */
export function unitSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return out;
}

/** The unit's capabilities (AmbientCapabilities=, space-separated names). */
export function unitCapabilities(path = UNIT): string[] {
  return (unitSettings(readFileSync(path, 'utf8')).get('AmbientCapabilities') ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
}

export const canUseSetpriv = (): string | null => {
  if (process.getuid?.() !== 0) return 'needs root (setpriv changes the user)';
  try {
    if (!execFileSync('setpriv', ['--help'], { encoding: 'utf8' }).includes('--ambient-caps')) return 'needs a setpriv with --ambient-caps (util-linux 2.32+)';
  } catch {
    return 'needs setpriv (util-linux)';
  }
  return null;
};

/** setpriv's arguments for `user` with these capabilities (names as in the unit: CAP_NET_ADMIN …). */
export function setprivPrefix(user: { uid: number; gid: number }, caps: readonly string[]): string[] {
  const list = caps.map((c) => `+${c.toLowerCase().replace(/^cap_/, '')}`).join(',');
  return [
    'setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups',
    `--inh-caps=-all,${list}`, `--ambient-caps=-all,${list}`, `--bounding-set=-all,${list}`, '--no-new-privs',
  ];
}

/** Whether `user` can load the CLI and the native shim from the checkout at `root`. */
function readable(root: string, user: { uid: number; gid: number }): boolean {
  const check = `require('fs').accessSync(${JSON.stringify(join(root, 'dist/src/cli/main.js'))}); require(${JSON.stringify(join(root, 'build/Release/ipsecgw.node'))})`;
  try {
    execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', process.execPath, '-e', check], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The CLI as `user` can run it: this checkout's when the user can read it, else a copy of what it
 * needs to run (a clone under /root is out of reach of anyone else). `remove` deletes the copy.
 */
export function cliFor(user: { uid: number; gid: number }): { cli: string; remove(): void } {
  if (readable(ROOT, user)) return { cli: join(ROOT, 'dist/src/cli/main.js'), remove: () => undefined };
  const copy = mkdtempSync(join(tmpdir(), 'ipsecgw-checkout-'));
  for (const p of ['package.json', 'dist', 'build', 'node_modules']) cpSync(join(ROOT, p), join(copy, p), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', copy]);
  chmodSync(copy, 0o755);
  if (!readable(copy, user)) {
    rmSync(copy, { recursive: true, force: true });
    throw new Error(`uid ${user.uid} cannot run ${process.execPath} or read a copy of the checkout in ${tmpdir()}`);
  }
  return { cli: join(copy, 'dist/src/cli/main.js'), remove: () => rmSync(copy, { recursive: true, force: true }) };
}
