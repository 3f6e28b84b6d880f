// Poly1305 straight from the pseudocode of RFC 8439 §2.5.1, with BigInt: slow and obviously
// right, the reference for differential tests of the WASM implementation.

const le = (b: Uint8Array): bigint => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
};

export function poly1305Reference(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn; // clamp(r)
  const s = le(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let a = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    a = ((a + le(block) + (1n << BigInt(8 * block.length))) * r) % p; // block | [0x01]
  }
  a += s;
  const tag = new Uint8Array(16);
  for (let i = 0; i < 16; i++) tag[i] = Number((a >> BigInt(8 * i)) & 0xffn);
  return tag;
}
