// docs/reference.md, generated from the schema (schema.ts), so the reference cannot drift from what
// the loader accepts; and exampleConfig(), every key of the schema with its example value, which
// the reference shows and a test loads (test/docs.test.ts).
//
//   npm run docs        (= node dist/src/config/reference.js docs/reference.md, after building)

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SECRET, VALUE_TYPES, type Field, type Leaf, type Mapping, type ValueType } from './schema.js';

/** A key with its full path: connections.<name>.ike.dpd.action. */
interface Place {
  readonly path: string;
  readonly key: string;
  readonly field: Field;
}

/** The places under a mapping, depth first in schema order; shared mappings are not entered. */
function places(m: Mapping, prefix: string): Place[] {
  const out: Place[] = [];
  for (const [key, field] of Object.entries(m.keys)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, key, field });
    if (field.kind === 'mapping' && !field.shared) out.push(...places(field, path));
    if (field.kind === 'named') out.push(...places(field.item, `${path}.${field.placeholder}`));
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation other than '-' dropped, spaces to '-'. */
const anchor = (heading: string): string => heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const link = (path: string): string => `[\`${path}\`](#${anchor(path)})`;
const code = (s: string): string => (/^<.*>$/.test(s) ? s.replace(/</g, '&lt;').replace(/>/g, '&gt;') : `\`${s}\``);
/** Table cells may not hold '|'. */
const cell = (s: string): string => s.replace(/\|/g, '\\|');

const isSafeMax = (n: number) => n >= Number.MAX_SAFE_INTEGER;

function range(l: Leaf): string | undefined {
  if (!l.range) return undefined;
  const [min, max] = l.range;
  const unit = l.type === 'duration' ? 's' : '';
  return isSafeMax(max) ? `at least ${min}${unit}` : max === min + 1 ? `${min} or ${max}` : `${min} to ${max}`;
}

function typeText(f: Field): string {
  if (f.kind === 'named') return 'names → mappings';
  if (f.kind === 'mapping') return f.shared ? `[${f.shared}](#${anchor(sharedHeading(f))})` : 'mapping';
  const values = f.values ? `: ${orList(f.values.map(code))}` : '';
  return `${f.type}${values}`;
}

const joinList = (items: readonly string[], word: string): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
const orList = (items: readonly string[]) => joinList(items, 'or');

function requiredText(f: Field): string {
  if (f.required === true) return 'required';
  if (typeof f.required === 'string') return `required ${f.required}`;
  return '';
}

function defaultText(f: Field): string {
  if (f.kind !== 'leaf' || f.default === undefined) return '';
  // A default that is a value is code; one that says what happens is prose.
  const d = f.default;
  const value = f.values?.includes(d) || /^\[.*\]$/.test(d) || (/^[\w./<>:-]+$/.test(d) && /[\d./]/.test(d));
  return value ? code(d) : d;
}

/** An example as a YAML value: leaves' examples, and small mappings built from them. */
function exampleValue(f: Field): string | undefined {
  if (f.kind === 'leaf' || (f.kind === 'mapping' && f.example)) return f.example;
  if (f.kind === 'mapping' && Object.values(f.keys).every((k) => k.kind === 'leaf')) {
    const text = `{ ${Object.entries(f.keys).map(([k, v]) => `${k}: ${exampleValue(v)}`).join(', ')} }`;
    return text.length <= 80 ? text : undefined;
  }
  return undefined;
}

const sharedHeading = (m: Mapping): string => `${m.shared![0].toUpperCase()}${m.shared!.slice(1)}s`;

/** A section or key: its facts, description, keys, swanctl.conf equivalent (when it has one) and example. */
function describe(p: Place, level: string): string[] {
  const f = p.field;
  const facts = [typeText(f), requiredText(f), f.kind === 'leaf' && range(f) ? range(f)! : '',
    defaultText(f) ? `default ${defaultText(f)}` : ''].filter(Boolean);
  const lines = [`${level} \`${p.path}\``, '', `*${facts.join('; ')}*`, '', f.description];
  if (f.kind === 'mapping' && !f.shared) lines.push('', `Keys: ${Object.keys(f.keys).map((k) => link(`${p.path}.${k}`)).join(', ')}.`);
  if (f.kind === 'named') lines.push('', `Each ${f.placeholder.replace(/[<>]/g, '')}: ${Object.keys(f.item.keys).map((k) => link(`${p.path}.${f.placeholder}.${k}`)).join(', ')}.`);
  // Sections always say; keys only when there is one (swanctl.md lists what has none).
  if (f.strongswan || !p.path.includes('.')) lines.push('', `strongSwan: ${f.strongswan ?? 'no equivalent'}`.replace(/([^.])$/, '$1.'));
  const example = exampleValue(f);
  if (example !== undefined) lines.push('', `Example: \`${p.key}: ${example}\``);
  lines.push('');
  return lines;
}

/** YAML text with every key of the schema at its example value; some keys exclude others, so it loads with errors. */
export function exampleConfig(): string {
  const out: string[] = [];
  const walk = (m: Mapping, indent: string): void => {
    for (const [key, f] of Object.entries(m.keys)) {
      if (f.kind === 'leaf') out.push(`${indent}${key}: ${f.example}`);
      else if (f.kind === 'mapping') {
        out.push(`${indent}${key}:`);
        walk(f, `${indent}  `);
      } else {
        out.push(`${indent}${key}:`, `${indent}  ${f.exampleName}:`);
        walk(f.item, `${indent}    `);
      }
    }
  };
  walk(ROOT, '');
  return `${out.join('\n')}\n`;
}

export function renderReference(): string {
  const all = places(ROOT, '');
  const sections = Object.entries(ROOT.keys);
  const lines: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`; edit the schema, not this file. -->',
    '',
    'One YAML file configures one gateway: `ipsecgw check -c FILE` validates it and prints every problem as',
    '`FILE:LINE:COL: message`, `ipsecgw run -c FILE` runs it. Names follow strongSwan\'s swanctl.conf where they',
    'can, with `-` for `_`; [swanctl.md](swanctl.md) maps one to the other. A key the loader does not know is an',
    'error (with a suggestion when it is close to a known one). Relative file names are relative to the directory',
    'of the configuration file.',
    '',
    `Sections: ${sections.map(([k]) => link(k)).join(', ')}; then [${sharedHeading(SECRET)}](#${anchor(sharedHeading(SECRET))}) and`,
    '[Value types](#value-types).',
    '',
    '## Every key',
    '',
    'Each key with its example value. Not a working configuration: some keys exclude others (`mode` is',
    "IKEv1's, `esp` and `ah` are alternatives, a secret comes from `file` or `env`).",
    '',
    '```yaml',
    '# fragment: every key of the schema, not a working configuration',
    ...exampleConfig().trimEnd().split('\n'),
    '```',
    '',
  ];
  for (const [key, field] of sections) {
    lines.push(...describe({ path: key, key, field }, '##'));
    const below = all.filter((p) => p.path.startsWith(`${key}.`));
    if (below.length > 0) {
      lines.push('| key | type | default |', '| --- | --- | --- |');
      for (const p of below) {
        const req = requiredText(p.field);
        lines.push(`| ${link(p.path)} | ${cell(typeText(p.field))}${req ? ` (${req})` : ''} | ${cell(defaultText(p.field))} |`);
      }
      lines.push('');
    }
    for (const p of below) lines.push(...describe(p, '###'));
  }

  const heading = sharedHeading(SECRET);
  const users = all.filter((p) => p.field.kind === 'mapping' && p.field.shared === SECRET.shared).map((p) => link(p.path));
  lines.push(`## ${heading}`, '', `${SECRET.description} Used by ${joinList(users, 'and')}.`, '',
    `As a string, the value is ${SECRET.scalar}. As a mapping it takes one of:`, '');
  for (const [key, f] of Object.entries(SECRET.keys)) {
    lines.push(`- \`${key}\` (${typeText(f)}): ${f.description} Example: \`{ ${key}: ${exampleValue(f)} }\``);
  }
  lines.push('', '## Value types', '');
  for (const [type, text] of Object.entries(VALUE_TYPES) as Array<[ValueType, string]>) lines.push(`- **${type}**: ${text}`);
  lines.push('');
  return lines.join('\n');
}

// `node dist/src/config/reference.js [FILE]`: write the reference to FILE, or to stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (out) writeFileSync(out, renderReference());
  else process.stdout.write(renderReference());
}
