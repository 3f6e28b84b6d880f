// The ceiling: `openssl speed` on one core, same sizes, parsed from its table. Optional: without
// an openssl binary the column stays empty.
import { spawnSync } from 'node:child_process';

/** Bytes per second for `openssl speed -evp ALG` (or `-hmac DIGEST`) at one size, or null. */
export function opensslSpeed(args: string[], bytes: number, seconds: number): number | null {
  const r = spawnSync('openssl', ['speed', '-elapsed', '-seconds', String(Math.max(1, Math.round(seconds))),
    '-bytes', String(bytes), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || !r.stdout) return null;
  // Last line: "<name>   <value>k" — thousands of bytes per second.
  const lines = r.stdout.trim().split('\n');
  const m = /([\d.]+)k\s*$/.exec(lines[lines.length - 1]);
  return m ? Number(m[1]) * 1000 : null;
}
