// Loads build/esp.wasm (assembly/, compiled by asc) once per thread and hands out its exports.
// The module imports nothing but `env.abort`; it exports its memory and plain functions over
// pointers into that memory (see assembly/README.md).
import { readFileSync } from 'node:fs';

export type WasmFn = (...args: number[]) => number;
export interface Datapath {
  readonly memory: WebAssembly.Memory;
  readonly fn: Readonly<Record<string, WasmFn>>;
  /** First byte of linear memory that belongs to the host. */
  readonly heapBase: number;
}

const WASM_URL = new URL('../../../build/esp.wasm', import.meta.url);
let loaded: Datapath | undefined;

function abort(msg: number, file: number, line: number, col: number): never {
  throw new Error(`esp.wasm aborted at ${line}:${col}`);
}

export function datapath(): Datapath {
  if (loaded) return loaded;
  const module = new WebAssembly.Module(readFileSync(WASM_URL));
  const instance = new WebAssembly.Instance(module, { env: { abort } });
  const exp = instance.exports as Record<string, unknown>;
  const fn: Record<string, WasmFn> = {};
  for (const [name, value] of Object.entries(exp)) if (typeof value === 'function') fn[name] = value as WasmFn;
  loaded = { memory: exp.memory as WebAssembly.Memory, fn, heapBase: fn.heapBase() };
  return loaded;
}
