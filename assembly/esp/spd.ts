// The security policy database for outbound packets (RFC 4301 §4.4.1): an array of entries, each
// a selector and what to do, searched in order; the host sorts it as strongSwan does, more specific
// policies first, and swaps in a new array as a whole when policies change.
//
// Which array is current is one 64-bit word in memory (table address, entry count), the SPD
// header: every instance sharing the memory reads it, the control plane replaces it with one
// aligned store (spdSet), so a lookup sees either the old array or the new one, never a mix.
import { SPD_SIZE } from "./layout";
import { selectorMatches } from "./selector";

let header: usize = 0;
/** The index of the entry the last spdLookup found, in the array it searched. */
export let spdFound: u32 = 0;

/** Where the SPD header is (each instance, once). */
export function spdInit(p: usize): void {
  header = p;
}

/** Makes the `n` entries at p the SPD. */
export function spdSet(p: usize, n: u32): void {
  store<u64>(header, (<u64>n << 32) | <u64>p);
}

/** The first entry whose selector covers the outbound flow at f, or 0. */
export function spdLookup(f: usize): usize {
  const d = load<u64>(header);
  const base = <usize>(<u32>d);
  const count = <u32>(d >> 32);
  for (let i: u32 = 0; i < count; i++) {
    const e = base + <usize>i * SPD_SIZE;
    if (selectorMatches(e, f, true)) {
      spdFound = i;
      return e;
    }
  }
  return 0;
}
