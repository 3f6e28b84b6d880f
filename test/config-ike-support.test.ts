// The loader's table of what our IKE runs (src/config/ike-support.ts) against the IKE code itself:
// every keyword the table accepts must work in the SK payload / PRF / D-H code, and every one it
// refuses must not — so `ipsecgw check` neither refuses what works nor lets through what can't.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEYWORDS } from '../src/config/keywords.js';
import { dhSupport, ikeSupport } from '../src/config/ike-support.js';
import type { DhTransform, EncrTransform, IntegTransform, PrfTransform } from '../src/config/transforms.js';
import { INTEG } from '../src/ike/codec/v2/constants.js';
import { suiteOf } from '../src/ike/codec/v2/sk-suite.js';
import { dhGroup, hashFromIkev2Prf } from '../src/ike/crypto/index.js';
import { encryptionAlgorithm } from '../src/ike/crypto/ikev1.js';

const all = <T>(kind: string) => [...new Set(KEYWORDS.values())].filter((t) => t.kind === kind) as T[];
const works = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

test('IKEv2 SK ciphers: accepted exactly when the SK payload code runs them (single DES is the opt-in rule\'s)', () => {
  for (const e of all<EncrTransform>('encr')) {
    if (e.family === 'des' || e.family === 'null' || e.family === 'aes-gmac') continue; // refused elsewhere (weaknesses.ts, parseProposal)
    const runs = works(() => suiteOf({
      encr: { id: e.ikev2.id, ...(e.ikev2.keyLength ? { keyLength: e.ikev2.keyLength } : {}) },
      integ: e.aead ? INTEG.NONE : INTEG.HMAC_SHA2_256_128,
      ke: new Uint8Array(e.keyBytes + (e.aead ? e.saltBytes : 0)),
      ...(e.aead ? {} : { ka: new Uint8Array(32) }),
    }));
    assert.equal(ikeSupport(e, 2).supported, runs, e.name);
  }
});

test('IKEv2 SK integrity and PRFs: accepted exactly when implemented', () => {
  for (const i of all<IntegTransform>('integ')) {
    if (i.name.endsWith('gmac')) continue; // AH only (parseProposal)
    const runs = works(() => suiteOf({ encr: { id: 12, keyLength: 128 }, integ: i.ikev2.id, ke: new Uint8Array(16), ka: new Uint8Array(i.keyBytes) }));
    assert.equal(ikeSupport(i, 2).supported, runs, i.name);
  }
  for (const p of all<PrfTransform>('prf')) assert.equal(ikeSupport(p, 2).supported, hashFromIkev2Prf(p.ikev2.id) !== undefined, p.name);
});

test('IKEv1 phase 1: every cipher with a phase-1 value is implemented (checkIkev1 refuses the rest)', () => {
  for (const e of all<EncrTransform>('encr')) {
    if (e.ikev1.ike === null) continue;
    assert.ok(encryptionAlgorithm(e.ikev1.ike, e.ikev1.keyLength ?? (e.family === 'des' ? undefined : e.keyBytes * 8)), e.name);
    assert.ok(ikeSupport(e, 1).supported, e.name);
  }
});

test('D-H groups: accepted for IKE and PFS exactly when crypto/dh.ts implements them', () => {
  for (const g of all<DhTransform>('dh')) {
    const implemented = g.group === 0 || dhGroup(g.group) !== undefined;
    assert.equal(dhSupport(g).supported, implemented, g.name);
    assert.equal(ikeSupport(g, 1).supported, implemented, g.name);
    assert.equal(ikeSupport(g, 2).supported, implemented, g.name);
  }
});
