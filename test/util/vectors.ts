// Test data shared with CI: ../shared/vectors next to the checkout (or $IPSECGW_SHARED).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export function sharedDir(): string {
  const candidates = [process.env.IPSECGW_SHARED, join(repoRoot, '..', 'shared'), '/work/shared'];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'vectors'))) return dir;
  throw new Error(`shared test data not found (tried ${candidates.filter(Boolean).join(', ')}); set IPSECGW_SHARED`);
}

export interface WycheproofTest {
  tcId: number;
  comment: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
  [field: string]: unknown;
}
export interface WycheproofGroup {
  tests: WycheproofTest[];
  [param: string]: unknown;
}

export function wycheproof(file: string): WycheproofGroup[] {
  const doc = JSON.parse(readFileSync(join(sharedDir(), 'vectors', 'wycheproof', file), 'utf8'));
  return doc.testGroups as WycheproofGroup[];
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
