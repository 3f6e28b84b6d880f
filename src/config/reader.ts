// Typed reading of the YAML AST with positions. Each reader returns the value, or undefined after
// reporting why not at the node; callers carry on with the next key, so that every problem in
// the file is found in one pass. Values are read from the AST, not from doc.toJS(), because only
// the nodes know where they were written.

import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Reporter, Where } from './diagnostics.js';
import { didYouMean } from './suggest.js';

export interface Ctx {
  readonly r: Reporter;
  readonly doc: Document;
  /** The file's text, to map offsets inside scalars (proposal tokens) to columns. */
  readonly src: string;
  /** The configuration file, absolute. */
  readonly path: string;
  /** Its directory: relative paths in the file are relative to it. */
  readonly dir: string;
}

/** The node behind an alias (*name); null scalars count as absent (`mtu:` or `mtu: ~` = not set). */
export function deref(ctx: Ctx, node: unknown): Node | undefined {
  let n = node;
  for (let hops = 0; isAlias(n) && hops < 16; hops++) n = n.resolve(ctx.doc);
  if (n === null || n === undefined || isAlias(n)) return undefined;
  if (isScalar(n) && n.value === null) return undefined;
  return n as Node;
}

function kindOf(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number' || typeof v === 'bigint') return `the number ${scalarText(node)}`;
    if (typeof v === 'boolean') return `the boolean ${v}`;
    return `'${scalarText(node)}'`;
  }
  return 'something else';
}

/** The scalar as written: YAML reads `key: 0011…` as a number and `0x…` as hex, we want the digits. */
export function scalarText(node: Scalar): string {
  return node.source ?? String(node.value);
}

/** A string: any scalar, as written (so `id: 1e3` stays "1e3"); not a list or a mapping. */
export function asString(ctx: Ctx, node: Node, label: string): string | undefined {
  if (!isScalar(node) || node.value === null) {
    ctx.r.error(node, `'${label}' must be a string, not ${kindOf(node)}`);
    return undefined;
  }
  return scalarText(node);
}

/** An integer in [min, max]. Plain YAML numbers only: "1400" in quotes is a string, as YAML says. */
export function asInt(ctx: Ctx, node: Node, label: string, min: number, max: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
    ctx.r.error(node, `'${label}' must be an integer from ${min} to ${max}, not ${kindOf(node)}`);
    return undefined;
  }
  if (node.value < min || node.value > max) {
    ctx.r.error(node, `'${label}' must be from ${min} to ${max}, not ${scalarText(node)}`);
    return undefined;
  }
  return node.value;
}

export function asBool(ctx: Ctx, node: Node, label: string): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  // YAML 1.1 read yes/no/on/off as booleans; YAML 1.2 (and this loader) reads them as strings.
  const text = isScalar(node) ? scalarText(node).toLowerCase() : '';
  const hint = ['yes', 'on', 'y'].includes(text) ? "; write 'true'" : ['no', 'off', 'n'].includes(text) ? "; write 'false'" : '';
  ctx.r.error(node, `'${label}' must be true or false, not ${kindOf(node)}${hint}`);
  return undefined;
}

/** One of a few keywords; a close miss gets a suggestion. */
export function asChoice<T extends string>(ctx: Ctx, node: Node, label: string, choices: readonly T[]): T | undefined {
  const text = isScalar(node) ? scalarText(node) : undefined;
  if (text !== undefined && (choices as readonly string[]).includes(text)) return text as T;
  const guess = text === undefined ? undefined : didYouMean(text, choices);
  ctx.r.error(node, `'${label}' must be ${choices.map((c) => `'${c}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, not ${kindOf(node)}` +
    (guess ? `; did you mean '${guess}'?` : ''));
  return undefined;
}

/** A list; a single scalar counts as a list of one (swanctl's lists are often one item long). */
export function asList(ctx: Ctx, node: Node, label: string): Node[] | undefined {
  if (isSeq(node)) {
    const items: Node[] = [];
    for (const item of node.items) {
      const n = deref(ctx, item);
      if (n) items.push(n);
      else ctx.r.error(isScalar(item) ? item : node, `empty item in '${label}'`);
    }
    return items;
  }
  if (isScalar(node)) return [node];
  ctx.r.error(node, `'${label}' must be a list, not ${kindOf(node)}`);
  return undefined;
}

/**
 * A mapping with a fixed set of keys (schema.ts's, via keysOf). Unknown keys are reported when the
 * view is made (with a suggestion when one of the known keys is close); getters report wrong types
 * and missing keys. K types the getters, so a reader can only ask for keys the schema describes.
 */
export class MapView<K extends string = string> {
  readonly ok: boolean;
  /** Whether the mapping had a key outside `keys` (already reported). */
  reportedUnknown = false;
  private readonly pairs = new Map<string, Pair<Scalar, unknown>>();

  /**
   * @param what   how messages name this mapping: "gateway", "manual SA 'lab-link'"
   * @param anchor where a missing key is reported: the key that introduced this mapping
   */
  constructor(readonly ctx: Ctx, node: Node | undefined, readonly what: string, readonly anchor: Where, keys: readonly K[]) {
    if (node !== undefined && !isMap(node)) {
      ctx.r.error(node, `${what} must be a mapping of keys to values, not ${kindOf(node)}`);
      this.ok = false;
      return;
    }
    this.ok = node !== undefined;
    for (const pair of (node as YAMLMap | undefined)?.items ?? []) {
      const key = deref(ctx, pair.key);
      if (!key || !isScalar(key)) {
        ctx.r.error(key ?? (pair.key as Where) ?? node, `keys in ${what} must be plain names`);
        continue;
      }
      const name = scalarText(key);
      if (!(keys as readonly string[]).includes(name)) {
        const guess = didYouMean(name, keys);
        ctx.r.error(key, `unknown key '${name}' in ${what}` +
          (guess ? `; did you mean '${guess}'?` : `; known keys: ${keys.join(', ')}`));
        this.reportedUnknown = true;
        continue;
      }
      // Duplicate keys are a YAML error already reported by the parser.
      this.pairs.set(name, pair as Pair<Scalar, unknown>);
    }
  }

  /** The key node, to point at a key rather than at its value. */
  keyNode(key: K): Scalar | undefined {
    return this.pairs.get(key)?.key;
  }

  /** The value node, alias resolved; undefined when absent or null. */
  get(key: K): Node | undefined {
    const pair = this.pairs.get(key);
    return pair ? deref(this.ctx, pair.value) : undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** The value node, or an error: missing (at the anchor) or empty (at the key). */
  need(key: K): Node | undefined {
    const node = this.get(key);
    if (node !== undefined || !this.ok) return node;
    const keyNode = this.keyNode(key);
    if (keyNode) this.ctx.r.error(keyNode, `'${key}' in ${this.what} has no value`);
    else this.ctx.r.error(this.anchor, `${this.what} needs '${key}'`);
    return undefined;
  }

  private read<T>(key: K, required: boolean, fn: (n: Node) => T | undefined): T | undefined {
    const node = required ? this.need(key) : this.get(key);
    return node === undefined ? undefined : fn(node);
  }

  str(key: K, required = false): string | undefined {
    return this.read(key, required, (n) => asString(this.ctx, n, key));
  }

  int(key: K, min: number, max: number, required = false): number | undefined {
    return this.read(key, required, (n) => asInt(this.ctx, n, key, min, max));
  }

  bool(key: K): boolean | undefined {
    return this.read(key, false, (n) => asBool(this.ctx, n, key));
  }

  choice<T extends string>(key: K, choices: readonly T[], required = false): T | undefined {
    return this.read(key, required, (n) => asChoice(this.ctx, n, key, choices));
  }

  list(key: K, required = false): Node[] | undefined {
    return this.read(key, required, (n) => asList(this.ctx, n, key));
  }

  /** A nested mapping; absent gives a view with ok = false, so its getters return undefined quietly. */
  map<K2 extends string>(key: K, what: string, keys: readonly K2[], required = false): MapView<K2> {
    const node = required ? this.need(key) : this.get(key);
    return new MapView(this.ctx, node, what, this.keyNode(key) ?? this.anchor, keys);
  }
}

export interface Entry {
  readonly name: string;
  readonly keyNode: Scalar;
  readonly value: Node | undefined;
}

/** The NAME: {…} entries of a section (manual, connections, children), in file order. */
export function entries(ctx: Ctx, node: Node | undefined, what: string): Entry[] {
  if (node === undefined) return [];
  if (!isMap(node)) {
    ctx.r.error(node, `${what} must be a mapping of names to settings, not ${kindOf(node)}`);
    return [];
  }
  const out: Entry[] = [];
  for (const pair of node.items) {
    const key = deref(ctx, pair.key);
    if (!key || !isScalar(key)) {
      ctx.r.error(key ?? node, `names in ${what} must be plain strings`);
      continue;
    }
    out.push({ name: scalarText(key), keyNode: key, value: deref(ctx, pair.value) });
  }
  return out;
}

/**
 * Offset of the character `offset` of a string scalar's value inside the file, so a diagnostic
 * about a token (a proposal keyword) points at the token. Only when the value is written verbatim
 * (plain, or quoted without escapes, on one line); otherwise the scalar's start.
 */
export function offsetInScalar(ctx: Ctx, node: Scalar, offset: number): number {
  const [start, end] = node.range ?? [0, 0];
  const value = scalarText(node);
  const raw = ctx.src.slice(start, end);
  if (node.type === 'PLAIN' && raw === value) return offset;
  if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && raw.slice(1, -1) === value) return offset + 1;
  return 0;
}
