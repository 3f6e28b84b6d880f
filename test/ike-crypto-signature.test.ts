// src/ike/crypto/signature.ts: IKEv1 RSA signatures (PKCS#1 v1.5 type 1 over the raw HASH, no
// DigestInfo) cross-checked with `openssl pkeyutl` on the same raw hash; RFC 7427 signatures
// checked by `openssl dgst` / `pkeyutl`; AlgorithmIdentifiers compared with RFC 7427 Appendix A
// and with what OpenSSL itself writes into a certificate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  algorithmIdentifier, decodeAuth, encodeAuth, schemeFromAlgorithmIdentifier, SIGNATURE_SCHEMES, signV1, signV2, verifyV1,
  verifyV2, type SignatureScheme,
} from '../src/ike/crypto/signature.js';
import { toHex } from './util/vectors.js';

let dir = '';
let rsa: { privateKey: KeyObject; publicKey: KeyObject };
let ec256: { privateKey: KeyObject; publicKey: KeyObject };
let ed: { privateKey: KeyObject; publicKey: KeyObject };

const file = (name: string, data: Uint8Array | string): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const pem = (k: KeyObject): string => k.export({ type: k.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }) as string;
const openssl = (args: string[], input?: Uint8Array): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ike-sig-'));
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  ec256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  ed = generateKeyPairSync('ed25519');
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('signV1 is `openssl pkeyutl -sign -pkeyopt rsa_padding_mode:pkcs1` of the raw hash, no DigestInfo', () => {
  const key = file('rsa.key', pem(rsa.privateKey)), pub = file('rsa.pub', pem(rsa.publicKey));
  for (const n of [16, 20, 32, 48, 64]) {
    const hash = randomBytes(n);
    const sig = signV1(rsa.privateKey, hash);
    assert.equal(sig.length, 256);
    // PKCS#1 v1.5 signatures are deterministic: the same bytes from both.
    const theirs = openssl(['pkeyutl', '-sign', '-inkey', key, '-pkeyopt', 'rsa_padding_mode:pkcs1'], hash);
    assert.equal(toHex(sig), theirs.toString('hex'), `${n}-byte hash`);
    // The recovered message is the hash itself: no DigestInfo around it.
    const recovered = openssl(['pkeyutl', '-verifyrecover', '-pubin', '-inkey', pub, '-pkeyopt', 'rsa_padding_mode:pkcs1'], sig);
    assert.equal(recovered.toString('hex'), hash.toString('hex'));
    assert.ok(verifyV1(rsa.publicKey, hash, sig));
    assert.ok(verifyV1(rsa.privateKey, hash, theirs), 'a private key verifies with its public half');
  }
});

test('verifyV1 refuses other hashes, altered signatures, other keys, non-RSA keys', () => {
  const hash = randomBytes(20);
  const sig = signV1(rsa.privateKey, hash);
  const other = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.ok(!verifyV1(rsa.publicKey, randomBytes(20), sig));
  assert.ok(!verifyV1(rsa.publicKey, hash.subarray(0, 19), sig));
  const bad = sig.slice();
  bad[100] ^= 1;
  assert.ok(!verifyV1(rsa.publicKey, hash, bad));
  assert.ok(!verifyV1(other.publicKey, hash, sig));
  assert.ok(!verifyV1(rsa.publicKey, hash, new Uint8Array(0)));
  assert.ok(!verifyV1(rsa.publicKey, hash, new Uint8Array(257)));
  // A signature with SHA-1's DigestInfo (what EMSA-PKCS1-v1_5 would give) is not the IKEv1 format.
  const withDigestInfo = openssl(['pkeyutl', '-sign', '-inkey', file('rsa2.key', pem(rsa.privateKey)), '-pkeyopt', 'digest:sha1'], hash);
  assert.ok(!verifyV1(rsa.publicKey, hash, withDigestInfo));
  assert.throws(() => signV1(ec256.privateKey, hash), /needs an RSA key/);
  assert.throws(() => verifyV1(ec256.publicKey, hash, sig), /needs an RSA key/);
  assert.throws(() => signV1(other.privateKey, randomBytes(120)), /too long/);
});

test('verifyV1 accepts a signature whose leading zero octets were stripped', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  for (let n = 0; n < 5000; n++) {
    const hash = createHash('sha1').update(String(n)).digest();
    const sig = signV1(small.privateKey, hash);
    if (sig[0] !== 0) continue;
    assert.ok(verifyV1(small.publicKey, hash, sig.subarray(1)));
    return;
  }
  assert.fail('no signature with a leading zero in 5000 tries');
});

// RFC 7427 Appendix A: the AlgorithmIdentifiers of sha*WithRSAEncryption and ecdsa-with-SHA*.
const APPENDIX_A: Partial<Record<SignatureScheme, string>> = {
  'rsa-pkcs1-sha256': '300d06092a864886f70d01010b0500',
  'rsa-pkcs1-sha384': '300d06092a864886f70d01010c0500',
  'rsa-pkcs1-sha512': '300d06092a864886f70d01010d0500',
  'ecdsa-sha256': '300a06082a8648ce3d040302',
  'ecdsa-sha384': '300a06082a8648ce3d040303',
  'ecdsa-sha512': '300a06082a8648ce3d040304',
  // RFC 8420 §2: id-Ed25519 / id-Ed448 without parameters.
  'ed25519': '300506032b6570',
  'ed448': '300506032b6571',
};

test('algorithmIdentifier: RFC 7427 Appendix A, RFC 8420', () => {
  for (const [scheme, der] of Object.entries(APPENDIX_A)) {
    assert.equal(toHex(algorithmIdentifier(scheme as SignatureScheme)), der, scheme);
    assert.equal(schemeFromAlgorithmIdentifier(Buffer.from(der, 'hex')), scheme);
  }
  assert.equal(schemeFromAlgorithmIdentifier(Buffer.from('300d06092a864886f70d0101050500', 'hex')), undefined, 'sha1WithRSA is not offered');
});

test('algorithmIdentifier: RSASSA-PSS parameters as OpenSSL writes them into a certificate', () => {
  const key = file('pss.key', pem(rsa.privateKey));
  for (const [h, len] of [['sha256', 32], ['sha384', 48], ['sha512', 64]] as const) {
    const cert = openssl(['req', '-x509', '-new', '-key', key, '-subj', '/CN=pss', '-days', '1', `-${h}`, '-sigopt', 'rsa_padding_mode:pss',
      '-sigopt', `rsa_pss_saltlen:${len}`, '-outform', 'DER', '-config', file('min.cnf', '[req]\ndistinguished_name=dn\n[dn]\n')]);
    // The certificate ends with signatureAlgorithm, signatureValue (BIT STRING of 257 octets: 03 82 01 01 00 …).
    const sigAlg = cert.subarray(0, cert.length - 261);
    const ours = algorithmIdentifier(`rsa-pss-${h}`);
    assert.equal(toHex(sigAlg.subarray(sigAlg.length - ours.length)), toHex(ours), h);
    assert.equal(schemeFromAlgorithmIdentifier(ours), `rsa-pss-${h}`);
  }
});

function keysFor(scheme: SignatureScheme): { privateKey: KeyObject; publicKey: KeyObject } {
  return scheme.startsWith('rsa') ? rsa : scheme.startsWith('ecdsa') ? ec256 : scheme === 'ed25519' ? ed : generateKeyPairSync('ed448');
}

/** openssl's verdict on a signature over data. */
function opensslVerifies(scheme: SignatureScheme, pub: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  const pubFile = file('v.pub', pem(pub)), dataFile = file('v.data', data), sigFile = file('v.sig', sig);
  const args = scheme.startsWith('ed')
    ? ['pkeyutl', '-verify', '-pubin', '-inkey', pubFile, '-rawin', '-in', dataFile, '-sigfile', sigFile]
    : ['dgst', `-${scheme.split('-').pop()}`, ...(scheme.startsWith('rsa-pss')
      ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${{ sha256: 32, sha384: 48, sha512: 64 }[scheme.split('-').pop() as 'sha256']}`]
      : []), '-verify', pubFile, '-signature', sigFile, dataFile];
  try {
    openssl(args);
    return true;
  } catch {
    return false;
  }
}

test('signV2/verifyV2: every RFC 7427 scheme round-trips and openssl agrees', () => {
  const data = randomBytes(700); // about the size of IKE_SA_INIT signed octets
  for (const scheme of SIGNATURE_SCHEMES) {
    const { privateKey, publicKey } = keysFor(scheme);
    const sig = signV2(privateKey, scheme, data);
    assert.ok(verifyV2(publicKey, scheme, data, sig), scheme);
    assert.ok(opensslVerifies(scheme, publicKey, data, sig), `openssl verifies ${scheme}`);
    const other = data.slice();
    other[0] ^= 1;
    assert.ok(!verifyV2(publicKey, scheme, other, sig), `${scheme} other data`);
    assert.ok(!opensslVerifies(scheme, publicKey, other, sig));
    if (scheme.startsWith('ecdsa')) assert.equal(sig[0], 0x30, 'DER ECDSA-Sig-Value (RFC 7427 §3)');
  }
  assert.throws(() => signV2(ec256.privateKey, 'rsa-pkcs1-sha256', data), /needs a rsa or rsa-pss key/);
  assert.throws(() => signV2(rsa.privateKey, 'ecdsa-sha256', data), /needs a ec key/);
  assert.ok(!verifyV2(ec256.publicKey, 'ecdsa-sha256', data, new Uint8Array(8)), 'garbage is false, not an exception');
});

test('encodeAuth/decodeAuth: RFC 7427 §3 AUTH data', () => {
  const sig = randomBytes(64);
  const auth = encodeAuth('ecdsa-sha256', sig);
  assert.equal(toHex(auth), '0c' + APPENDIX_A['ecdsa-sha256'] + toHex(sig));
  assert.deepEqual(decodeAuth(auth), { algorithmIdentifier: algorithmIdentifier('ecdsa-sha256'), scheme: 'ecdsa-sha256', signature: new Uint8Array(sig) });
  assert.equal(decodeAuth(Uint8Array.of(20, 1, 2)), undefined);
  assert.equal(decodeAuth(new Uint8Array(0)), undefined);
  assert.equal(decodeAuth(Uint8Array.of(2, 0x30, 0, 9))?.scheme, undefined);
});
