// What ESP feeds its AEADs besides the data: the nonce, salt ‖ IV (RFC 4106 §4, RFC 7634 §2), and
// the AAD, SPI ‖ sequence number — the 32-bit one as it stands in the ESP header, or SPI ‖ high
// 32 bits ‖ low 32 bits with extended sequence numbers (RFC 4106 §5). And, for the HMACs, the high
// 32 bits that RFC 4303 §3.3.2.1 appends to the ICV input without sending them.
import { ESP_AAD_AT, ESP_NONCE_AT, scratch } from "../scratch";
import { put32 } from "./ip";
import { SA_ENC_KEY, SA_ESN, SA_KEY } from "./layout";

/** The nonce of the packet whose ESP header is at esp (the IV follows the header), in scratch. */
export function aeadNonce(sa: usize, esp: usize): usize {
  const nonce = scratch() + ESP_NONCE_AT;
  store<u32>(nonce, load<u32>(sa + SA_KEY + <usize>load<u8>(sa + SA_ENC_KEY))); // the salt follows the key
  store<u64>(nonce + 4, load<u64>(esp + 8));
  return nonce;
}

/** Where the AAD of the packet is; its length is aadLength(sa). */
export function aeadAad(sa: usize, esp: usize, seq: u64): usize {
  if (!load<u8>(sa + SA_ESN)) return esp;
  const aad = scratch() + ESP_AAD_AT;
  store<u32>(aad, load<u32>(esp));
  put32(aad + 4, <u32>(seq >> 32));
  store<u32>(aad + 8, load<u32>(esp + 4));
  return aad;
}

// @ts-ignore: decorator
@inline export function aadLength(sa: usize): usize {
  return load<u8>(sa + SA_ESN) ? 12 : 8;
}

/** The high 32 bits of seq, big-endian, in scratch: appended to the HMAC input with ESN. */
export function esnHigh(seq: u64): usize {
  const hi = scratch() + ESP_AAD_AT;
  put32(hi, <u32>(seq >> 32));
  return hi;
}

// @ts-ignore: decorator
@inline export function esnHighLength(sa: usize): usize {
  return load<u8>(sa + SA_ESN) ? 4 : 0;
}
