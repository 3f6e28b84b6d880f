// Loads the datapath module (assembly/, compiled by asc) once per thread and hands out its exports.
// The module imports nothing but `env.abort`; it exports its memory and plain functions over
// pointers into that memory (see assembly/README.md).
//
// Two builds of the same source exist: build/esp-relaxed.wasm uses relaxed SIMD's swizzle, which
// maps to one instruction (pshufb / tbl) instead of two; the AES code only ever passes indices for
// which relaxed and strict swizzle agree on every platform, so both builds compute the same bytes
// (test/crypto-variants.test.ts checks it). Node 20 hides relaxed SIMD behind a V8 flag, which is
// set here before compiling; IPSECGW_WASM=strict forces the portable build.
//
// The gateway's workers share one memory (a SharedArrayBuffer): for that, the "shared" builds
// import their memory instead of defining it (instantiate(variant, memory)).
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

export type WasmFn = (...args: Array<number | bigint>) => number;
export type Variant = 'relaxed' | 'strict';
export interface Datapath {
  readonly variant: Variant;
  readonly memory: WebAssembly.Memory;
  readonly fn: Readonly<Record<string, WasmFn>>;
  /** The module's exported constants (layouts and codes of assembly/esp/layout.ts, sizes). */
  readonly consts: Readonly<Record<string, number>>;
  /** First byte of linear memory that belongs to the host. */
  readonly heapBase: number;
}

const FILES: Record<Variant, URL> = {
  relaxed: new URL('../../../build/esp-relaxed.wasm', import.meta.url),
  strict: new URL('../../../build/esp.wasm', import.meta.url),
};
const SHARED_FILES: Record<Variant, URL> = {
  relaxed: new URL('../../../build/esp-shared.wasm', import.meta.url),
  strict: new URL('../../../build/esp-shared-strict.wasm', import.meta.url),
};

/** Pages the shared builds may grow to (asconfig.json, target "shared"). */
export const SHARED_MAX_PAGES = 16384;
const loaded = new Map<Variant, Datapath>();
let preferred: Variant | undefined;

/** The module's `abort(message, file, line, column)`: strings are AssemblyScript's (UTF-16, byte length before them). */
function abortWith(memory: () => WebAssembly.Memory) {
  const text = (ptr: number): string => {
    if (!ptr) return '';
    const buf = memory().buffer;
    const bytes = new DataView(buf).getUint32(ptr - 4, true);
    return Buffer.from(buf, ptr, bytes).toString('utf16le');
  };
  return (msg: number, file: number, line: number, col: number): never => {
    throw new Error(`esp.wasm aborted: ${text(msg) || 'no message'} (${text(file) || '?'}:${line}:${col})`);
  };
}

/** The variant this engine can run: relaxed when V8 accepts it, else strict. */
export function preferredVariant(): Variant {
  if (preferred) return preferred;
  const bytes = readFileSync(FILES.relaxed);
  if (process.env.IPSECGW_WASM === 'strict') preferred = 'strict';
  else if (WebAssembly.validate(bytes)) preferred = 'relaxed';
  else {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    preferred = WebAssembly.validate(bytes) ? 'relaxed' : 'strict';
  }
  return preferred;
}

/** The shared instance of a variant (the one-shot crypto functions use it). */
export function datapath(variant: Variant = preferredVariant()): Datapath {
  let dp = loaded.get(variant);
  if (!dp) {
    dp = instantiate(variant);
    loaded.set(variant, dp);
  }
  return dp;
}

const modules = new Map<string, WebAssembly.Module>();

/**
 * A new instance: with memory of its own, or on `shared` memory (a shared WebAssembly.Memory of at
 * most SHARED_MAX_PAGES pages) that other instances, in other threads, use too.
 */
export function instantiate(variant: Variant = preferredVariant(), shared?: WebAssembly.Memory): Datapath {
  const file = shared ? SHARED_FILES[variant] : FILES[variant];
  let module = modules.get(file.href);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(file));
    modules.set(file.href, module);
  }
  let exp: Record<string, unknown> = {};
  const abort = abortWith(() => exp.memory as WebAssembly.Memory);
  const env: Record<string, unknown> = { abort };
  if (shared) env.memory = shared;
  exp = new WebAssembly.Instance(module, { env } as WebAssembly.Imports).exports as Record<string, unknown>;
  const fn: Record<string, WasmFn> = {};
  const consts: Record<string, number> = {};
  for (const [name, value] of Object.entries(exp)) {
    if (typeof value === 'function') fn[name] = value as WasmFn;
    else if (value instanceof WebAssembly.Global) consts[name] = Number(value.value);
  }
  // Copied by spread: built key by key, both objects are in V8's dictionary mode (more than a few
  // properties stored under computed names), and every `fn.x` / `consts.X` in a worker's loop then
  // went through the generic LoadIC (1.4 % of both CPUs in bench e2e); a spread copy has fast properties.
  return { variant, memory: exp.memory as WebAssembly.Memory, fn: { ...fn }, consts: { ...consts }, heapBase: fn.heapBase() };
}
