// The IV of each outbound ESP packet. AES-GCM and ChaCha20-Poly1305 need IVs that never repeat
// under one key, and RFC 4106 §3.1 / RFC 7634 §2 suggest a counter: the 64-bit sequence number,
// which never repeats within an SA, is that counter. CBC needs unpredictable IVs (RFC 3602 §2):
// they come from the generator in rng.ts.
//
// Tests that reproduce published packets can fix the next IV once (espTestIv); nothing else sets it.
import { ESP_IV_AT, scratch } from "../scratch";
import { put32 } from "./ip";
import { ENC_AES_GCM, ENC_CHACHA20_POLY1305, SA_ENC, SA_IV } from "./layout";
import { rngBytes } from "./rng";

/** Tests only: the next packet encapsulated by this instance gets these `len` IV bytes. */
export function espTestIv(p: usize, len: u32): void {
  const t = scratch() + ESP_IV_AT;
  store<u32>(t, len);
  memory.copy(t + 4, p, len);
}

/** Writes the IV of the packet with sequence number seq at out. */
export function ivFor(sa: usize, out: usize, seq: u64): void {
  const n = <u32>load<u8>(sa + SA_IV);
  const t = scratch() + ESP_IV_AT;
  if (load<u32>(t) == n && n != 0) {
    memory.copy(out, t + 4, n);
    memory.fill(t, 0, 28);
    return;
  }
  const enc = load<u8>(sa + SA_ENC);
  if (enc == ENC_AES_GCM || enc == ENC_CHACHA20_POLY1305) {
    put32(out, <u32>(seq >> 32));
    put32(out + 4, <u32>seq);
  } else if (n) {
    rngBytes(out, n);
  }
}
