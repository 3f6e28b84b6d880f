// The documentation against the code: docs/reference.md is what the schema generates; every key of
// the schema, at its example value, is one the loader knows; the schema's defaults are the loader's;
// every configuration in a ```yaml block of docs/*.md loads; relative links lead somewhere; every drop
// reason a datapath worker reports is described in docs/metrics.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatDiagnostic, loadConfig, type LoadResult } from '../src/config/load.js';
import { exampleConfig, renderReference } from '../src/config/reference.js';
import {
  CHILD, CHILD_LIFETIME, CONNECTION, DPD, GATEWAY, IKE, IKE_LIFETIME, LOCAL, MANUAL, REMOTE, ROOT, type Field, type Mapping,
} from '../src/config/schema.js';
import { Engine } from '../src/dataplane/engine.js';
import { DOCS, docFiles, materialize, withEnv, yamlBlocks } from './util/docs.js';

/** Writes `text` (and the files it names) to a fresh directory and loads it. */
function loadText(text: string): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'ipsecgw-docs-'));
  try {
    const { env } = materialize(dir, text);
    const file = join(dir, 'config.yaml');
    writeFileSync(file, text);
    chmodSync(file, 0o600);
    return withEnv(env, () => loadConfig(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const show = (r: LoadResult) => r.diagnostics.map(formatDiagnostic).join('\n');
const asObject = (v: unknown): object => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

test('docs/reference.md is what the schema generates', () => {
  const file = join(DOCS, 'reference.md');
  const written = existsSync(file) ? readFileSync(file, 'utf8') : '';
  assert.equal(written, renderReference(), 'docs/reference.md is out of date: run `npm run docs`');
});

test('every key of the schema, at its example value, is a key the loader knows', () => {
  const text = exampleConfig();
  // The example holds every place of the schema…
  const doc = parse(text) as Record<string, unknown>;
  const missing: string[] = [];
  const walk = (m: Mapping, node: unknown, path: string): void => {
    for (const [key, f] of Object.entries(m.keys) as Array<[string, Field]>) {
      const here = `${path}${key}`;
      const value = (node as Record<string, unknown> | undefined)?.[key];
      if (value === undefined) missing.push(here);
      else if (f.kind === 'mapping') walk(f, value, `${here}.`);
      else if (f.kind === 'named') {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length !== 1) missing.push(`${here}.${f.placeholder}`);
        for (const [name, item] of entries) walk(f.item, item, `${here}.${name}.`);
      }
    }
  };
  walk(ROOT, doc, '');
  assert.deepEqual(missing, []);
  // …and the loader reads it without an unknown key or a value of the wrong type. The errors left are
  // the keys that exclude each other: IKEv1's keys under IKEv2, 'esp' with 'ah', 'file' with 'env'.
  const r = loadText(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  assert.deepEqual(errors.filter((m) => /unknown key/.test(m)), [], show(r));
  const exclusive = [
    /^'mode' \(main or aggressive\) is IKEv1's/, /^'allow-weak' is for IKEv1/, /^IKEv2 SAs have no kilobyte lifetime/,
    /takes 'esp' or 'ah', not both/, /takes one of 'file' or 'env', not both/,
  ];
  assert.deepEqual(errors.filter((m) => !exclusive.some((e) => e.test(m))), [], show(r));
});

test("the schema's defaults are the loader's", () => {
  const r = loadText([
    'gateway: { name: gw, listen: [192.0.2.1] }',
    'connections:',
    '  psk:',
    '    local: { auth: psk }',
    '    remote: { address: 192.0.2.2, auth: psk }',
    '    psk: { file: secrets/p.psk }',
    '    ike: { dpd: { action: restart } }',
    '    children: { lan: { local-ts: [10.1.0.0/24], remote-ts: [10.2.0.0/24] } }',
    '  certs:',
    '    local: { cert: certs/a.crt, key: private/a.key }',
    '    remote: { address: 192.0.2.3, ca: [certs/ca.crt] }',
    '    ike: { dpd: { delay: 10s } }',
    '    children: { lan: { local-ts: [10.1.1.0/24], remote-ts: [10.3.0.0/24] } }',
    'manual:',
    '  m:',
    '    local: 192.0.2.1',
    '    remote: 192.0.2.4',
    '    local-ts: [10.1.2.0/24]',
    '    remote-ts: [10.4.0.0/24]',
    '    esp: aes128gcm16',
    '    in: { spi: 0x1001, key: { file: keys/in.hex } }',
    '    out: { spi: 0x1002, key: { file: keys/out.hex } }',
    '',
  ].join('\n'));
  assert.ok(r.config, show(r));
  const { gateway, connections: [psk, certs], manual: [m] } = r.config;
  const seconds = (d: string | undefined) => Number(/^(\d+)h$/.exec(d ?? '')?.[1]) * 3600 || Number(/^(\d+)s$/.exec(d ?? '')?.[1]);
  const child = psk.children[0];
  const checks: Array<[string, unknown, unknown]> = [
    ['gateway.tun', gateway.tun, GATEWAY.keys.tun.default],
    ['gateway.mtu', gateway.mtu, Number(GATEWAY.keys.mtu.default)],
    ['gateway.socket', gateway.socket, GATEWAY.keys.socket.default.replace('<name>', 'gw')],
    ['version', psk.version, Number(CONNECTION.keys.version.default)],
    ['local.auth', certs.local.auth, LOCAL.keys.auth.default],
    ['remote.auth', certs.remote.auth, REMOTE.keys.auth.default],
    ['ike.lifetime.time', psk.ike.lifetime.time, seconds(IKE_LIFETIME.keys.time.default)],
    ['ike.nat-traversal', psk.ike.natTraversal, IKE.keys['nat-traversal'].default],
    ['ike.dpd.delay', psk.ike.dpd?.delay, seconds(DPD.keys.delay.default)],
    ['ike.dpd.action', certs.ike.dpd?.action, DPD.keys.action.default],
    ['child mode', child.mode, CHILD.keys.mode.default],
    ['child protocol', child.protocol, CHILD.keys.protocol.default],
    ['child pfs', child.pfs, CHILD.keys.pfs.default],
    ['child start', child.start, CHILD.keys.start.default],
    ['child lifetime.time', child.lifetime.time, seconds(CHILD_LIFETIME.keys.time.default)],
    ['manual mode', m.mode, MANUAL.keys.mode.default],
    ['manual encap', m.encap ? 'udp' : 'none', MANUAL.keys.encap.default],
    ['manual df', m.df, MANUAL.keys.df.default],
    ['manual replay-window', m.replayWindow, Number(MANUAL.keys['replay-window'].default)],
  ];
  for (const [what, actual, documented] of checks) assert.equal(actual, documented, `${what}: the loader gives ${String(actual)}, the schema says ${String(documented)}`);
});

// Every block loads without an error; a complete configuration (one with connections or manual SAs)
// also without a warning. Not loaded: blocks marked '# fragment', and other programs' YAML — blocks
// with none of the configuration's sections at the top (a prometheus.yml).
const SECTIONS = Object.keys(ROOT.keys);
for (const doc of docFiles()) {
  const blocks = yamlBlocks(doc).filter((b) => !b.fragment && Object.keys(asObject(parse(b.text))).some((k) => SECTIONS.includes(k)));
  if (blocks.length === 0) continue;
  test(`docs/${doc}: every configuration in a yaml block loads`, () => {
    for (const b of blocks) {
      const r = loadText(b.text);
      const complete = /^(connections|manual):/m.test(b.text);
      const shown = r.diagnostics.filter((d) => d.severity === 'error' || complete).map(formatDiagnostic);
      assert.deepEqual(shown, [], `docs/${doc}:${b.line} (${b.title || 'untitled'}); a deliberately partial block starts with '# fragment'`);
    }
  });
}

/** GitHub's anchors: lower case, punctuation but '-' and '_' dropped, spaces to '-'. */
const anchors = (markdown: string): Set<string> =>
  new Set([...markdown.matchAll(/^#+ (.*)$/gm)].map((m) => m[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));

test('relative links in docs/*.md lead to a file and, with #, to one of its headings', () => {
  const broken: string[] = [];
  for (const doc of docFiles()) {
    const text = readFileSync(join(DOCS, doc), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, hash] = target.split('#');
      const path = join(DOCS, file || doc);
      if (!existsSync(path)) broken.push(`${doc}: ${target} (no such file)`);
      else if (hash && path.endsWith('.md') && !anchors(readFileSync(path, 'utf8')).has(hash)) broken.push(`${doc}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test('docs/metrics.md describes every drop reason of ipsecgw_datapath_drops_total', () => {
  // The engine's reasons and the ones a worker counts itself, as a worker lane reports them; but
  // 'none', which the metrics leave out (src/metrics/registry.ts).
  const reasons = Object.keys(new Engine({ maxSas: 1, batch: 4, workers: 1 }).laneStats(1).drops).filter((r) => r !== 'none');
  assert.ok(reasons.includes('send-failed') && reasons.includes('no-sa'), reasons.join(' '));
  const row = readFileSync(join(DOCS, 'metrics.md'), 'utf8').split('\n').find((l) => l.startsWith('| `ipsecgw_datapath_drops_total`')) ?? '';
  assert.deepEqual(reasons.filter((r) => !row.includes(`\`${r}\``)), []);
});
