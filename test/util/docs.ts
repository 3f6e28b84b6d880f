// The documentation's YAML, for the tests that check it (docs.test.ts loads every block, docs-lab.test.ts
// runs the guides): the ```yaml blocks of docs/*.md, and the files a configuration names, made in a
// directory so that it loads — PSK files, hex keys of the length their algorithm needs,
// certificates (placeholders, or real ones from a directory), environment variables.
//
// A block whose first line is a comment starting with "# fragment" is deliberately partial (a
// section of a configuration) and is not loaded on its own. Any other block's first comment line
// is its title: "# site-a.yaml (gw-a)".
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { espKeyBytes, espSuite, parseProposal } from '../../src/config/proposal.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const DOCS = join(REPO, 'docs');

/** What every PSK file and PSK variable of a test configuration holds. */
export const TEST_PSK = 'a pre-shared key for the documentation tests';

export interface YamlBlock {
  /** docs/NAME.md */
  readonly doc: string;
  /** 1-based line of the block's first line of YAML. */
  readonly line: number;
  readonly text: string;
  /** Its first comment line without '# ', or ''. */
  readonly title: string;
  readonly fragment: boolean;
}

export const docFiles = (): string[] => readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();

export function yamlBlocks(doc: string): YamlBlock[] {
  const lines = readFileSync(join(DOCS, doc), 'utf8').split('\n');
  const out: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    const body = lines.slice(start, end);
    const first = body[0]?.trim() ?? '';
    const title = first.startsWith('#') ? first.replace(/^#\s*/, '') : '';
    out.push({ doc, line: start + 1, text: `${body.join('\n')}\n`, title, fragment: /^fragment\b/.test(title) });
    i = end;
  }
  return out;
}

/** Deterministic bytes from a name: both gateways' copies of one key file agree, different files differ. */
function bytesFor(name: string, length: number): string {
  let out = Buffer.alloc(0);
  for (let i = 0; out.length < length; i++) out = Buffer.concat([out, createHash('sha256').update(`${name}/${i}`).digest()]);
  return out.subarray(0, length).toString('hex');
}

/** Bytes of keying material a manual SA's `esp: …` or `ah: …` needs. */
function manualKeyBytes(sa: Record<string, unknown>): number {
  if (typeof sa.esp === 'string') {
    const r = parseProposal(sa.esp, 'esp');
    if (r.ok) {
      const suite = espSuite(r.proposal);
      if (!('message' in suite)) return espKeyBytes(suite).total;
    }
  }
  if (typeof sa.ah === 'string') {
    const r = parseProposal(sa.ah, 'ah');
    if (r.ok && r.proposal.integ.length > 0) return r.proposal.integ[0].keyBytes;
  }
  return 16;
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

export interface Materialized {
  /** Environment variables the configuration reads, with values; the caller sets and restores them. */
  readonly env: Record<string, string>;
}

/**
 * Creates in `dir` every file the configuration `text` names (mode 0600), and says which environment
 * variables it needs. Certificates and keys are copied by name from `certs` when given, else placeholders.
 */
export function materialize(dir: string, text: string, certs?: string): Materialized {
  const env: Record<string, string> = {};
  const write = (name: string, content: string | { copyOf: string }) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === 'string') writeFileSync(path, content);
    else copyFileSync(content.copyOf, path);
    chmodSync(path, 0o600);
  };
  const secret = (s: unknown, content: (name: string) => string) => {
    if (typeof s !== 'object' || s === null) return;
    const { file, env: variable } = s as { file?: unknown; env?: unknown };
    if (typeof file === 'string') write(file, `${content(basename(file))}\n`);
    if (typeof variable === 'string') env[variable] = content(variable);
  };
  const pem = (name: unknown, kind: string) => {
    if (typeof name !== 'string') return;
    const real = certs && join(certs, basename(name));
    write(name, real && existsSync(real) ? { copyOf: real } : `-----BEGIN ${kind}-----\n`);
  };

  const root = asRecord(parse(text));
  for (const conn of Object.values(asRecord(root.connections)).map(asRecord)) {
    secret(conn.psk, () => TEST_PSK);
    const local = asRecord(conn.local), remote = asRecord(conn.remote);
    pem(local.cert, 'CERTIFICATE');
    pem(local.key, 'PRIVATE KEY');
    for (const ca of Array.isArray(remote.ca) ? remote.ca : [remote.ca]) pem(ca, 'CERTIFICATE');
  }
  for (const sa of Object.values(asRecord(root.manual)).map(asRecord)) {
    const bytes = manualKeyBytes(sa);
    for (const dir of ['in', 'out']) secret(asRecord(sa[dir]).key, (name) => bytesFor(name, bytes));
  }
  return { env };
}

/** Runs fn with the variables set, and restores the environment afterwards. */
export function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
