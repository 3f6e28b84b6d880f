// src/ike/crypto/certs.ts with a small PKI made by the openssl CLI in a temporary directory: a root
// CA, an intermediate (pathlen 0), RSA and ECDSA leaves, and the bad cases — an expired and a
// not-yet-valid leaf, a leaf from another CA with the same issuer name, an unknown issuer, a
// non-CA issuer, a pathlen violation and a chain too long. The subject DER is compared with
// `openssl asn1parse`, the IDs with what the certificates say.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import {
  basicConstraints, certMatchesId, ID_TYPE, loadCertificate, loadCertificates, loadPrivateKey, MAX_PATH, subjectDer,
  validity, verifyChain,
} from '../src/ike/crypto/certs.js';
import { Pki } from './util/pki.js';
import { toHex } from './util/vectors.js';

let pki: Pki;
let dir = '';
const day = 86_400_000;
/** After the certificates were made (openssl starts their validity at the current second). */
let now = new Date();
const key = (name: string, type: 'rsa' | 'ec'): string => pki.key(name, type);
const cert = (name: string, subject: string, section: string, issuer?: string, days?: number): X509Certificate =>
  pki.cert(name, subject, section, { issuer, days });
const openssl = (...args: string[]): string => pki.openssl(args);

const C: Record<string, X509Certificate> = {};

before(() => {
  pki = new Pki();
  dir = pki.dir;
  key('root', 'rsa');
  C.root = cert('root', '/C=CH/O=ipsecgw test/CN=Test Root CA', 'root');
  key('inter', 'ec');
  C.inter = cert('inter', '/C=CH/O=ipsecgw test/CN=Test Intermediate CA', 'inter', 'root');
  key('rsaleaf', 'rsa');
  C.rsaLeaf = cert('rsaleaf', '/C=CH/O=ipsecgw test/OU=gateways/CN=gw.example.org', 'leaf', 'inter');
  key('ecleaf', 'ec');
  C.ecLeaf = cert('ecleaf', '/C=CH/O=ipsecgw test/CN=ec.example.org', 'leaf', 'inter');
  C.shortLived = cert('ecleaf', '/C=CH/O=ipsecgw test/CN=short-lived', 'leaf', 'inter', 1);
  // Another (self-signed) CA whose name is the intermediate's: the names link, the signature cannot.
  key('evil', 'ec');
  C.evil = cert('evil', '/C=CH/O=ipsecgw test/CN=Test Intermediate CA', 'root');
  key('rogue', 'ec');
  // Without an authorityKeyIdentifier only the signature tells the two CAs apart; with one, the
  // key identifiers already do.
  C.rogue = cert('rogue', '/C=CH/O=ipsecgw test/CN=rogue', 'noakid', 'evil');
  C.rogueAkid = cert('rogue', '/C=CH/O=ipsecgw test/CN=rogue with AKID', 'notca', 'evil');
  // An unknown issuer.
  key('other', 'ec');
  C.other = cert('other', '/CN=Other Root', 'root');
  C.stranger = cert('rogue', '/CN=stranger', 'notca', 'other');
  // A CA:FALSE certificate used as an issuer (no keyUsage, so only basicConstraints stops it).
  key('fakeca', 'ec');
  C.fakeCa = cert('fakeca', '/CN=not a CA', 'notca', 'root');
  C.underFake = cert('rogue', '/CN=under a non-CA', 'notca', 'fakeca');
  // pathlen 0 on the intermediate forbids another CA below it.
  key('sub', 'ec');
  C.sub = cert('sub', '/CN=Sub CA', 'ca', 'inter');
  C.underSub = cert('rogue', '/CN=under the sub CA', 'leaf', 'sub');
  // A chain of MAX_PATH + 1 certificates: root, 7 CAs, leaf... one too many.
  C.long0 = C.root;
  for (let i = 1; i < MAX_PATH; i++) {
    key(`long${i}`, 'ec');
    C[`long${i}`] = cert(`long${i}`, `/CN=Long CA ${i}`, 'ca', i === 1 ? 'root' : `long${i - 1}`);
  }
  C.longLeaf = cert('rogue', '/CN=far away', 'leaf', `long${MAX_PATH - 1}`);
  now = new Date(Date.now() + 1000);
});

after(() => {
  pki?.remove();
});

const chainNames = (chain: X509Certificate[]): string[] => chain.map((c) => c.subject.split('\n').pop()!);

test('verifyChain: RSA and ECDSA leaves through the intermediate to the root', () => {
  for (const leaf of [C.rsaLeaf, C.ecLeaf]) {
    const r = verifyChain(leaf, [C.inter], [C.root], now);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.chain.length, 3);
    assert.deepEqual(chainNames(r.chain).slice(1), ['CN=Test Intermediate CA', 'CN=Test Root CA']);
  }
  // Unrelated and decoy certificates among the intermediates do not matter, nor does their order.
  const r = verifyChain(C.rsaLeaf, [C.evil, C.other, C.sub, C.inter], [C.other, C.root], now);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  // The intermediate itself as a trust anchor shortens the path.
  const r2 = verifyChain(C.ecLeaf, [], [C.inter], now);
  assert.ok(r2.ok && r2.chain.length === 2);
  // A pinned certificate is its own path.
  const r3 = verifyChain(C.ecLeaf, [], [C.ecLeaf], now);
  assert.ok(r3.ok && r3.chain.length === 1);
});

function rejects(r: ReturnType<typeof verifyChain>, pattern: RegExp): void {
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, pattern);
}

test('verifyChain: expired and not yet valid', () => {
  rejects(verifyChain(C.shortLived, [C.inter], [C.root], new Date(now.getTime() + 3 * day)), /certificate 'short-lived' expired on/);
  rejects(verifyChain(C.rsaLeaf, [C.inter], [C.root], new Date(now.getTime() - 2 * day)), /certificate 'gw.example.org' is not valid before/);
  // An expired CA breaks the chain too (the root lives 10 years, the intermediate as well).
  rejects(verifyChain(C.rsaLeaf, [C.inter], [C.root], new Date(now.getTime() + 3700 * day)), /expired on/);
});

test('verifyChain: signed by another CA with the same name', () => {
  rejects(verifyChain(C.rogue, [C.inter], [C.root], now), /signature of 'rogue' does not verify with the key of 'Test Intermediate CA'/);
  rejects(verifyChain(C.rogueAkid, [C.inter], [C.root], now), /no issuer of 'rogue with AKID'/);
  // Known only as an intermediate, the other (self-signed) CA leads nowhere; as a trust anchor it is the path.
  rejects(verifyChain(C.rogue, [C.inter, C.evil], [C.root], now), /does not verify/);
  const viaEvil = verifyChain(C.rogue, [C.inter], [C.root, C.evil], now);
  assert.ok(viaEvil.ok && viaEvil.chain[1] === C.evil, viaEvil.ok ? '' : viaEvil.reason);
});

test('verifyChain: unknown issuer', () => {
  rejects(verifyChain(C.stranger, [C.inter], [C.root], now), /no issuer of 'stranger' \(issuer 'CN=Other Root'\)/);
  rejects(verifyChain(C.rsaLeaf, [], [C.root], now), /no issuer of 'gw.example.org'/);
});

test('verifyChain: an issuer that is not a CA', () => {
  rejects(verifyChain(C.underFake, [C.fakeCa], [C.root], now), /issuer 'not a CA' is not a CA/);
});

test('verifyChain: pathLenConstraint', () => {
  rejects(verifyChain(C.underSub, [C.sub, C.inter], [C.root], now), /path length constraint 0 of 'Test Intermediate CA' exceeded/);
  // Without pathlen, the same depth is fine.
  assert.ok(verifyChain(C[`long3`], [C.long1, C.long2], [C.root], now).ok);
});

test(`verifyChain: at most ${MAX_PATH} certificates`, () => {
  const cas = Array.from({ length: MAX_PATH - 1 }, (_, i) => C[`long${i + 1}`]);
  rejects(verifyChain(C.longLeaf, cas, [C.root], now), new RegExp(`no trust anchor within ${MAX_PATH} certificates`));
  // One CA less, as the anchor: fits.
  const r = verifyChain(C.longLeaf, cas.slice(1), [C.long1], now);
  assert.ok(r.ok && r.chain.length === MAX_PATH, r.ok ? '' : r.reason);
});

/** The subject Name's DER according to `openssl asn1parse`: the 6th element of the TBSCertificate. */
function opensslSubjectDer(name: string): string {
  const der = execFileSync('openssl', ['x509', '-in', join(dir, `${name}.crt`), '-outform', 'DER']);
  const lines = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der }).toString().split('\n');
  const tbsFields = lines.map((l) => l.match(/^\s*(\d+):d=2\s+hl=(\d+)\s+l=\s*(\d+)/)).filter((m) => m !== null);
  const [, off, hl, l] = tbsFields[5]!; // [0] version, serial, signature, issuer, validity, subject
  return der.subarray(Number(off), Number(off) + Number(hl) + Number(l)).toString('hex');
}

test('subjectDer: the subject Name as in the certificate (openssl asn1parse)', () => {
  for (const name of ['rsaleaf', 'ecleaf', 'root', 'inter']) {
    const c = loadCertificate(readFileSync(join(dir, `${name}.crt`)));
    const der = opensslSubjectDer(name);
    assert.equal(toHex(subjectDer(c)), der, name);
    assert.ok(der.startsWith('30'));
  }
  // The text of `openssl x509 -subject` names the same RDNs.
  const text = execFileSync('openssl', ['x509', '-in', join(dir, 'rsaleaf.crt'), '-noout', '-subject', '-nameopt', 'RFC2253']).toString();
  assert.equal(text.trim(), 'subject=CN=gw.example.org,OU=gateways,O=ipsecgw test,C=CH');
  assert.ok(toHex(subjectDer(C.rsaLeaf)).includes(Buffer.from('gw.example.org').toString('hex')));
});

test('certMatchesId: DN, FQDN, USER_FQDN, IPv4, IPv6', () => {
  const leaf = C.rsaLeaf;
  const ascii = (s: string) => new TextEncoder().encode(s);
  assert.ok(certMatchesId(leaf, ID_TYPE.DER_ASN1_DN, subjectDer(leaf)));
  assert.ok(!certMatchesId(leaf, ID_TYPE.DER_ASN1_DN, subjectDer(C.ecLeaf)));
  assert.ok(certMatchesId(leaf, ID_TYPE.FQDN, ascii('gw.example.org')));
  assert.ok(certMatchesId(leaf, ID_TYPE.FQDN, ascii('GW.Example.ORG')));
  assert.ok(!certMatchesId(leaf, ID_TYPE.FQDN, ascii('example.org')));
  assert.ok(!certMatchesId(leaf, ID_TYPE.FQDN, ascii('admin@example.org')));
  assert.ok(certMatchesId(leaf, ID_TYPE.USER_FQDN, ascii('admin@example.org')));
  assert.ok(!certMatchesId(leaf, ID_TYPE.USER_FQDN, ascii('gw.example.org')));
  assert.ok(certMatchesId(leaf, ID_TYPE.IPV4_ADDR, Uint8Array.of(192, 0, 2, 1)));
  assert.ok(!certMatchesId(leaf, ID_TYPE.IPV4_ADDR, Uint8Array.of(192, 0, 2, 2)));
  const v6 = new Uint8Array(16);
  v6.set([0x20, 0x01, 0x0d, 0xb8]);
  v6[15] = 1;
  assert.ok(certMatchesId(leaf, ID_TYPE.IPV6_ADDR, v6));
  assert.ok(!certMatchesId(leaf, ID_TYPE.IPV4_ADDR, v6));
  assert.ok(!certMatchesId(leaf, 11 /* KEY_ID */, ascii('gw.example.org')));
  // A certificate without subjectAltName matches by DN only.
  assert.ok(!certMatchesId(C.root, ID_TYPE.FQDN, ascii('Test Root CA')));
});

test('basicConstraints and validity from the DER', () => {
  assert.deepEqual(basicConstraints(C.root), { ca: true, pathLen: undefined });
  assert.deepEqual(basicConstraints(C.inter), { ca: true, pathLen: 0 });
  assert.deepEqual(basicConstraints(C.rsaLeaf), { ca: false, pathLen: undefined });
  for (const c of [C.root, C.rsaLeaf, C.shortLived]) {
    const v = validity(c);
    assert.equal(v.notBefore.getTime(), Date.parse(c.validFrom));
    assert.equal(v.notAfter.getTime(), Date.parse(c.validTo));
  }
  assert.equal(validity(C.shortLived).notAfter.getTime() - validity(C.shortLived).notBefore.getTime(), day);
});

test('loading: PEM text, PEM bytes, DER, bundles; private keys in PEM and DER', () => {
  const pem = readFileSync(join(dir, 'rsaleaf.crt'), 'utf8');
  const der = execFileSync('openssl', ['x509', '-in', join(dir, 'rsaleaf.crt'), '-outform', 'DER']);
  for (const input of [pem, new TextEncoder().encode(pem), new Uint8Array(der)]) {
    assert.equal(loadCertificate(input).fingerprint256, C.rsaLeaf.fingerprint256);
  }
  assert.throws(() => loadCertificate('not a certificate'), /not an X.509 certificate/);
  const bundle = pem + readFileSync(join(dir, 'inter.crt'), 'utf8');
  assert.deepEqual(loadCertificates(bundle).map((c) => c.fingerprint256), [C.rsaLeaf.fingerprint256, C.inter.fingerprint256]);

  const rsa = loadPrivateKey(readFileSync(join(dir, 'rsaleaf.key'), 'utf8'));
  assert.equal(rsa.asymmetricKeyType, 'rsa');
  assert.ok(C.rsaLeaf.checkPrivateKey(rsa));
  const pkcs1 = openssl('rsa', '-in', 'rsaleaf.key', '-traditional');
  assert.ok(C.rsaLeaf.checkPrivateKey(loadPrivateKey(pkcs1)));
  const pkcs8der = execFileSync('openssl', ['pkey', '-in', join(dir, 'ecleaf.key'), '-outform', 'DER']);
  assert.ok(C.ecLeaf.checkPrivateKey(loadPrivateKey(new Uint8Array(pkcs8der))));
  const sec1der = execFileSync('openssl', ['ec', '-in', join(dir, 'ecleaf.key'), '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] });
  assert.ok(C.ecLeaf.checkPrivateKey(loadPrivateKey(new Uint8Array(sec1der))));
  const encrypted = openssl('pkey', '-in', 'ecleaf.key', '-aes256', '-passout', 'pass:secret');
  assert.ok(C.ecLeaf.checkPrivateKey(loadPrivateKey(encrypted, 'secret')));
  assert.throws(() => loadPrivateKey(new Uint8Array([1, 2, 3])), /not a DER private key/);
});
