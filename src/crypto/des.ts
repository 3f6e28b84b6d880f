// 3DES-CBC without padding (RFC 2451, ESP_3DES): the one-shot face of assembly/crypto/des.ts.
// cbc.ts has already checked the arguments (24-byte key, 8-byte IV, whole blocks).
import { CTX_AREA, read, stage, wipe } from './scratch.js';

/** Encrypts or decrypts `data` with the 24-byte key K1‖K2‖K3; returns a new array. */
export function des3Cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const { ctx, ptr, fn } = stage([key, iv, data], [data.length]);
  const [k, v, src, out] = ptr;
  try {
    fn.des3SetKey(ctx, k);
    (encrypt ? fn.des3CbcEncrypt : fn.des3CbcDecrypt)(ctx, v, src, data.length, out);
    return read(out, data.length);
  } finally {
    // Everything staged after the context area: key, IV, input and output.
    wipe(out + data.length - (ctx + CTX_AREA));
  }
}
