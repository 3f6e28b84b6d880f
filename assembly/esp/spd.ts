// The security policy database for outbound packets (RFC 4301 §4.4.1): an array of entries, each
// a selector and what to do, searched in order; the host sorts it as strongSwan does, more specific
// policies first, and swaps in a new array as a whole (spdSet) when policies change.
import { SPD_SIZE } from "./layout";
import { selectorMatches } from "./selector";

let base: usize = 0;
let count: u32 = 0;

/** Uses the `n` entries at p from now on. */
export function spdSet(p: usize, n: u32): void {
  base = p;
  count = n;
}

/** The first entry whose selector covers the outbound flow at f, or 0. */
export function spdLookup(f: usize): usize {
  for (let i: u32 = 0; i < count; i++) {
    const e = base + <usize>i * SPD_SIZE;
    if (selectorMatches(e, f, true)) return e;
  }
  return 0;
}

/** The index of entry e. */
export function spdIndex(e: usize): u32 {
  return <u32>((e - base) / SPD_SIZE);
}
