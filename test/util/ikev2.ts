// Helpers shared by the IKEv2 codec tests: hex, DecodeError assertions, the SK keys of a strongSwan
// capture (test/vectors/ikev2-messages.ts) from the transforms its IKE_SA_INIT response chose.
import assert from 'node:assert/strict';
import {
  constName, decodeMessage, decodePayloads, DecodeError, findPayloads, NOTIFY, PAYLOAD, TRANSFORM, type SaPayload, type SkKeys,
} from '../../src/ike/codec/v2/index.js';
import type { Ikev2Capture } from '../vectors/ikev2-messages.js';

/** Hex to a plain Uint8Array (not a Buffer: deepEqual compares prototypes). */
export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Runs fn, asserts it throws a DecodeError with the notify type; returns it. */
export function decodeError(fn: () => unknown, notify: number, what = ''): DecodeError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DecodeError, `${what}: threw ${String(err)}, not a DecodeError`);
    assert.equal(err.notify, notify, `${what}: notify ${constName(NOTIFY, err.notify)} (${err.message}), expected ${constName(NOTIFY, notify)}`);
    return err;
  }
  assert.fail(`${what}: no DecodeError`);
}

/** The SK keys of each direction of a capture: ENCR and INTEG from the responder's chosen proposal. */
export function captureKeys(c: Ikev2Capture): { A: SkKeys; B: SkKeys } {
  const resp = c.messages.find((m) => m.from === 'B' && m.strongswan.includes('IKE_SA_INIT response'))!;
  const { header, body } = decodeMessage(hex(resp.hex));
  const [sa] = findPayloads(decodePayloads(header.nextPayload, body), PAYLOAD.SA) as SaPayload[];
  const [prop] = sa.proposals;
  const encr = prop.transforms.find((t) => t.type === TRANSFORM.ENCR)!;
  const integ = prop.transforms.find((t) => t.type === TRANSFORM.INTEG)?.id ?? 0;
  const k = (e: string, a: string): SkKeys => ({ encr: { id: encr.id, keyLength: encr.keyLength }, integ, ke: hex(e), ...(a ? { ka: hex(a) } : {}) });
  return { A: k(c.SK_ei, c.SK_ai), B: k(c.SK_er, c.SK_ar) };
}
