// Key material: manual SA keys and pre-shared keys, from a file, an environment variable, or
// written inline. The bytes are read and decoded here so that `ipsecgw check` finds a missing file
// or a short key before the gateway runs; no message ever quotes a secret, only where it came from
// and its length.
//
// Files are checked as ssh checks private keys: access by group or others is a warning. Inline
// secrets make the configuration file itself a secret, so the same check applies to it.

import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isScalar, type Node } from 'yaml';
import { MapView, asString, offsetInScalar, type Ctx } from './reader.js';
import { SECRET, keysOf } from './schema.js';

export interface Secret {
  /** The secret as text, '#' comment lines and surrounding whitespace removed (files). */
  readonly text: string;
  /** Where to point diagnostics about the value. */
  readonly node: Node;
  /** How messages name it: "key file 'keys/in.hex'", "environment variable IN_KEY", "the inline key". */
  readonly origin: string;
  /** Written in the YAML file: offsets in `text` are columns there. */
  readonly inline: boolean;
}

/** Permission bits that let anyone but the owner in (ssh's check on private keys). */
const NOT_OWNER = 0o077;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** The fix, ready to paste: `chmod 600 PATH`, the path quoted for the shell when it needs it. */
function chmodFix(path: string): string {
  return `chmod 600 ${/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`}`;
}

/** The warning for a secret that others may read: what, its mode, and the command that fixes it. */
function exposed(what: string, mode: number, path: string): string {
  return `${what} is accessible by group or others (mode ${octal(mode)}); ${chmodFix(path)}`;
}

/** Reads `key: "hex"`, `key: { file: PATH }` or `key: { env: VAR }`; label names it in messages. */
export function readSecret(ctx: Ctx, node: Node, label: string): Secret | undefined {
  if (isScalar(node)) {
    const text = asString(ctx, node, label);
    if (text === undefined) return undefined;
    inlineWarning(ctx, node, label);
    return { text, node, origin: `the inline ${label}`, inline: true };
  }
  const view = new MapView(ctx, node, `'${label}'`, node, keysOf(SECRET));
  if (!view.ok) return undefined;
  const file = view.get('file'), env = view.get('env');
  if (file && env) {
    ctx.r.error(node, `'${label}' takes one of 'file' or 'env', not both`);
    return undefined;
  }
  if (!file && !env) {
    // An unknown key ({ fiel: … }) was reported already, with its suggestion.
    if (!view.reportedUnknown) ctx.r.error(node, `'${label}' needs 'file' or 'env' (or the ${label} itself, in hex)`);
    return undefined;
  }
  return file ? readFile(ctx, file, label) : readEnv(ctx, env!, label);
}

function readFile(ctx: Ctx, node: Node, label: string): Secret | undefined {
  const name = asString(ctx, node, 'file');
  if (name === undefined) return undefined;
  const path = resolve(ctx.dir, name);
  const shown = isAbsolute(name) ? `'${name}'` : `'${name}' (${path})`;
  const origin = `${label} file '${name}'`;
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      ctx.r.error(node, `${label} file ${shown} is not a regular file`);
      return undefined;
    }
    mode = st.mode;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    ctx.r.error(node, code === 'ENOENT' ? `${label} file ${shown} does not exist` : `${label} file ${shown}: ${code ?? String(e)}`);
    return undefined;
  }
  if (mode & NOT_OWNER) {
    ctx.r.warn(node, exposed(origin, mode, path));
  }
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    ctx.r.error(node, `${label} file ${shown} can't be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return undefined;
  }
  // Comment lines let example and generated key files say what they are.
  const text = raw.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').trim();
  return { text, node, origin, inline: false };
}

function readEnv(ctx: Ctx, node: Node, label: string): Secret | undefined {
  const name = asString(ctx, node, 'env');
  if (name === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    // Not quoted: a secret pasted here by mistake must not end up in logs.
    ctx.r.error(node, `'env' must name an environment variable (letters, digits, '_')`);
    return undefined;
  }
  const value = process.env[name];
  if (value === undefined) {
    ctx.r.error(node, `environment variable ${name} (${label}) is not set`);
    return undefined;
  }
  return { text: value.trim(), node, origin: `environment variable ${name}`, inline: false };
}

const warnedInline = new WeakSet<Ctx>();

function inlineWarning(ctx: Ctx, node: Node, label: string): void {
  if (warnedInline.has(ctx)) return;
  let mode: number;
  try {
    mode = statSync(ctx.path).mode;
  } catch {
    return;
  }
  if (mode & NOT_OWNER) {
    warnedInline.add(ctx);
    ctx.r.warn(node, `an inline ${label} makes this file a secret, but ${exposed('it', mode, ctx.path)}, ` +
      'or use { file: PATH } or { env: VAR }');
  }
}

/** Hex digits, whitespace ignored, an optional 0x in front; an error at the first bad digit. */
export function decodeHex(ctx: Ctx, s: Secret): Uint8Array | undefined {
  const start = /^0x/i.test(s.text) ? 2 : 0;
  let digits = '';
  for (let i = start; i < s.text.length; i++) {
    const c = s.text[i];
    if (/\s/.test(c)) continue;
    if (!/[0-9a-fA-F]/.test(c)) {
      // Point at the digit when it is in the YAML file; never quote it.
      const at = s.inline && isScalar(s.node) ? offsetInScalar(ctx, s.node, i) : 0;
      ctx.r.error(s.node, `${s.origin} is not hex: character ${i + 1} is not a hex digit`, at);
      return undefined;
    }
    digits += c;
  }
  if (digits.length % 2 !== 0) {
    ctx.r.error(s.node, `${s.origin} has an odd number of hex digits (${digits.length})`);
    return undefined;
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/**
 * A pre-shared key as strongSwan's secrets take them: "0x…" is hex, "0s…" base64, anything else
 * the text's UTF-8 bytes.
 */
export function decodePsk(ctx: Ctx, s: Secret): Uint8Array | undefined {
  if (s.text.length === 0) {
    ctx.r.error(s.node, `${s.origin} is empty`);
    return undefined;
  }
  if (/^0x/i.test(s.text)) return decodeHex(ctx, s);
  if (s.text.startsWith('0s')) {
    const b64 = s.text.slice(2).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      ctx.r.error(s.node, `${s.origin} starts with 0s (base64) but is not valid base64`);
      return undefined;
    }
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }
  return new Uint8Array(Buffer.from(s.text, 'utf8'));
}

/**
 * A certificate, private key or CA file named in the configuration: absolute path, or an error
 * when it does not exist. Private keys get the permission check of secrets.
 */
export function readPath(ctx: Ctx, node: Node, label: string, secret: boolean): string | undefined {
  const name = asString(ctx, node, label);
  if (name === undefined) return undefined;
  const path = resolve(ctx.dir, name);
  const shown = isAbsolute(name) ? `'${name}'` : `'${name}' (${path})`;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      ctx.r.error(node, `'${label}': ${shown} is not a regular file`);
      return undefined;
    }
    if (secret && st.mode & NOT_OWNER) {
      ctx.r.warn(node, exposed(`private key file '${name}'`, st.mode, path));
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    ctx.r.error(node, code === 'ENOENT' ? `'${label}': ${shown} does not exist` : `'${label}': ${shown}: ${code ?? String(e)}`);
    return undefined;
  }
  return path;
}
