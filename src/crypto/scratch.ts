// Scratch memory for the one-shot crypto functions: a fixed context area at the host's heap base,
// then the call's arguments laid out one after another (64-byte aligned). Calls are synchronous and
// not re-entrant, so one area serves them all. Keys and contexts are wiped after every call.
import { datapath, type Datapath, type WasmFn } from '../dataplane/wasm.js';

const ALIGN = 64;
/** Bytes reserved for one key context (AES + GHASH, HMAC states, ChaCha20, 3DES all fit). */
export const CTX_AREA = 4096;

const align = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

export interface Staged {
  /** The context area. */
  ctx: number;
  /** One pointer per item, in order. */
  ptr: number[];
  fn: Readonly<Record<string, WasmFn>>;
}

/**
 * Lays `items` out after the context area: a Uint8Array is copied in, a number reserves that many
 * bytes; a [bytes, size] pair copies bytes into an area of at least size bytes (room for a tag).
 * `reserve` appends areas of the given sizes. Grows the memory when needed.
 */
export function stage(
  items: Array<Uint8Array | number | [Uint8Array, number]>, reserve: number[] = [], dp: Datapath = datapath(),
): Staged {
  items = [...items, ...reserve];
  const ctx = align(dp.heapBase);
  let at = ctx + CTX_AREA;
  const ptr: number[] = [];
  for (const item of items) {
    const size = typeof item === 'number' ? item : Array.isArray(item) ? Math.max(item[0].length, item[1]) : item.length;
    ptr.push(at);
    at += align(Math.max(size, 1));
  }
  const missing = at - dp.memory.buffer.byteLength;
  if (missing > 0) dp.memory.grow(Math.ceil(missing / 65536));
  const mem = new Uint8Array(dp.memory.buffer);
  items.forEach((item, i) => {
    if (typeof item !== 'number') mem.set(Array.isArray(item) ? item[0] : item, ptr[i]);
  });
  return { ctx, ptr, fn: dp.fn };
}

/** A copy of `len` bytes at `ptr`. */
export function read(ptr: number, len: number, dp: Datapath = datapath()): Uint8Array {
  return new Uint8Array(dp.memory.buffer, ptr, len).slice();
}

/** Zeroes the context area and the first `len` bytes after it (keys, nonces, data). */
export function wipe(len: number): void {
  const dp = datapath();
  new Uint8Array(dp.memory.buffer, align(dp.heapBase), CTX_AREA + len).fill(0);
}
