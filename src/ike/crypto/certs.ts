// X.509 certificates for IKE authentication (IKEv1 RSA/ECDSA signatures, IKEv2 AUTH methods 1, 9-11
// and 14): loading, a chain check up to configured trust anchors, and matching a peer's ID payload
// against its certificate. node:crypto's X509Certificate parses and verifies signatures; what it
// does not expose (the DER of the subject Name, basicConstraints, the validity dates as Dates,
// subjectAltName entries as bytes) comes from a minimal walk of the TBSCertificate (RFC 5280 §4.1).
//
// The chain check is deliberately small — what strongSwan checks without revocation plugins:
// each certificate is issued by the next (names and key identifiers: X509Certificate.checkIssued,
// which also refuses an issuer whose keyUsage lacks keyCertSign) and its signature verifies with
// the next one's key; every certificate, the anchor included, is within its validity period; every
// issuer has basicConstraints cA TRUE and its pathLenConstraint holds (RFC 5280 §4.2.1.9); at most
// MAX_PATH certificates. Not checked: revocation (CRL/OCSP), name constraints, policies, and
// critical extensions we do not know.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { children, context, DerError, oidText, readTlv, TAG, time, type Tlv } from './der.js';
import { equalConstantTime } from './bytes.js';

/** Longest chain we build, leaf and anchor included (strongSwan's default limit is 7 intermediate CAs). */
export const MAX_PATH = 8;

// ---- Loading -----------------------------------------------------------------------------------------

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const isPemText = (b: Uint8Array): boolean => Buffer.from(b.subarray(0, 64)).toString('latin1').includes('-----BEGIN');

/** One certificate from PEM text or DER bytes (the first one of a PEM bundle). */
export function loadCertificate(pemOrDer: Uint8Array | string): X509Certificate {
  try {
    return new X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  } catch (err) {
    throw new Error(`not an X.509 certificate: ${(err as Error).message}`);
  }
}

/** Every certificate of a PEM bundle (a chain file), in file order. */
export function loadCertificates(pem: Uint8Array | string): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  return (text.match(PEM_CERT) ?? []).map((block) => loadCertificate(block));
}

/**
 * A private key from PEM (PKCS#8, PKCS#1 RSA or SEC 1 EC, optionally encrypted with `passphrase`)
 * or DER (PKCS#8, then PKCS#1, then SEC 1).
 */
export function loadPrivateKey(pem: Uint8Array | string, passphrase?: string): KeyObject {
  if (typeof pem === 'string' || isPemText(pem)) {
    return createPrivateKey({ key: typeof pem === 'string' ? pem : Buffer.from(pem), format: 'pem', passphrase });
  }
  const key = Buffer.from(pem);
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key, format: 'der', type, passphrase });
    } catch { /* next encoding */ }
  }
  throw new Error('not a DER private key (PKCS#8, PKCS#1 or SEC 1)');
}

// ---- The TBSCertificate walk (RFC 5280 §4.1) ---------------------------------------------------------

interface Tbs {
  der: Uint8Array;
  subject: Tlv;
  notBefore: Date;
  notAfter: Date;
  /** Extension OID → contents of its extnValue OCTET STRING. */
  extensions: Map<string, Tlv>;
}

const tbsCache = new WeakMap<X509Certificate, Tbs>();

function tbs(cert: X509Certificate): Tbs {
  const hit = tbsCache.get(cert);
  if (hit) return hit;
  const der = new Uint8Array(cert.raw);
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  const certificate = readTlv(der, 0);
  const [tbsCert] = children(der, certificate);
  if (certificate.tag !== TAG.SEQUENCE || tbsCert?.tag !== TAG.SEQUENCE) throw new DerError('not a Certificate SEQUENCE');
  // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity,
  //   subject, subjectPublicKeyInfo, [1] issuerUniqueID OPTIONAL, [2] subjectUniqueID OPTIONAL, [3] extensions OPTIONAL }
  const f = children(der, tbsCert);
  let i = f[0]?.tag === context(0, true) ? 1 : 0;
  const [, , , validityTlv, subject] = f.slice(i, i + 5);
  i += 6;
  if (validityTlv?.tag !== TAG.SEQUENCE || subject?.tag !== TAG.SEQUENCE) throw new DerError('malformed TBSCertificate');
  const [nb, na] = children(der, validityTlv);
  const extensions = new Map<string, Tlv>();
  for (const field of f.slice(i)) {
    if (field.tag !== context(3, true)) continue;
    const [exts] = children(der, field);
    for (const ext of children(der, exts)) {
      // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
      const parts = children(der, ext);
      const id = parts[0], value = parts[parts.length - 1];
      if (id?.tag !== TAG.OID || value?.tag !== TAG.OCTET_STRING) throw new DerError('malformed Extension');
      extensions.set(oidText(der, id), value);
    }
  }
  const t: Tbs = { der, subject, notBefore: time(der, nb), notAfter: time(der, na), extensions };
  tbsCache.set(cert, t);
  return t;
}

/** The DER encoding of the certificate's subject Name: the data of an ID_DER_ASN1_DN ID payload. */
export function subjectDer(cert: X509Certificate): Uint8Array {
  const t = tbs(cert);
  return t.der.slice(t.subject.start, t.subject.end);
}

/** notBefore and notAfter (RFC 5280 §4.1.2.5). */
export function validity(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  const { notBefore, notAfter } = tbs(cert);
  return { notBefore, notAfter };
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** basicConstraints (RFC 5280 §4.2.1.9): cA (false when absent) and pathLenConstraint. */
export function basicConstraints(cert: X509Certificate): { ca: boolean; pathLen?: number } {
  const t = tbs(cert);
  const ext = t.extensions.get(OID_BASIC_CONSTRAINTS);
  if (!ext) return { ca: false };
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
  const seq = readTlv(t.der, ext.body, ext.end);
  let ca = false, pathLen: number | undefined;
  for (const c of children(t.der, seq)) {
    if (c.tag === TAG.BOOLEAN) ca = c.end > c.body && t.der[c.body] !== 0;
    else if (c.tag === TAG.INTEGER) {
      pathLen = 0;
      for (let k = c.body; k < c.end; k++) pathLen = pathLen * 256 + t.der[k];
    }
  }
  return { ca, pathLen };
}

/** subjectAltName entries we match IDs against (RFC 5280 §4.2.1.6): dNSName, rfc822Name, iPAddress. */
function altNames(cert: X509Certificate): { dns: string[]; email: string[]; ip: Uint8Array[] } {
  const t = tbs(cert);
  const out = { dns: [] as string[], email: [] as string[], ip: [] as Uint8Array[] };
  const ext = t.extensions.get(OID_SUBJECT_ALT_NAME);
  if (!ext) return out;
  // GeneralNames ::= SEQUENCE OF GeneralName, IMPLICIT tags: [1] rfc822Name, [2] dNSName, [7] iPAddress
  for (const gn of children(t.der, readTlv(t.der, ext.body, ext.end))) {
    const bytes = t.der.subarray(gn.body, gn.end);
    if (gn.tag === context(1, false)) out.email.push(Buffer.from(bytes).toString('latin1'));
    else if (gn.tag === context(2, false)) out.dns.push(Buffer.from(bytes).toString('latin1'));
    else if (gn.tag === context(7, false)) out.ip.push(bytes.slice());
  }
  return out;
}

// ---- Identities (RFC 7296 §3.5, RFC 2407 §4.6.2.1; the numbers the two share) -------------------------

export const ID_TYPE = { IPV4_ADDR: 1, FQDN: 2, USER_FQDN: 3, IPV6_ADDR: 5, DER_ASN1_DN: 9 } as const;

/**
 * Whether the certificate vouches for this ID payload (type and data as in the payload):
 * DER_ASN1_DN (9) equals the subject Name's DER byte for byte; FQDN (2) a dNSName and USER_FQDN /
 * RFC822_ADDR (3) an rfc822Name, ASCII case-insensitively and without wildcards; IPV4_ADDR (1) and
 * IPV6_ADDR (5) an iPAddress of the same bytes. Other types (KEY_ID, subnets, ranges) never match.
 */
export function certMatchesId(cert: X509Certificate, idType: number, idData: Uint8Array): boolean {
  switch (idType) {
    case ID_TYPE.DER_ASN1_DN: {
      const dn = subjectDer(cert);
      return dn.length === idData.length && equalConstantTime(dn, idData);
    }
    case ID_TYPE.FQDN:
    case ID_TYPE.USER_FQDN: {
      const want = Buffer.from(idData).toString('latin1').toLowerCase();
      const names = idType === ID_TYPE.FQDN ? altNames(cert).dns : altNames(cert).email;
      return names.some((n) => n.toLowerCase() === want);
    }
    case ID_TYPE.IPV4_ADDR:
    case ID_TYPE.IPV6_ADDR: {
      if (idData.length !== (idType === ID_TYPE.IPV4_ADDR ? 4 : 16)) return false;
      return altNames(cert).ip.some((a) => a.length === idData.length && a.every((b, k) => b === idData[k]));
    }
    default:
      return false;
  }
}

// ---- Chain verification --------------------------------------------------------------------------------

export type ChainResult = { ok: true; chain: X509Certificate[] } | { ok: false; reason: string };

/** A short, readable name for messages: the subject's CN if it has one, else the subject. */
export function certLabel(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return `'${cn ? cn.slice(3) : cert.subject.replaceAll('\n', ', ')}'`;
}

function dateProblem(cert: X509Certificate, now: Date): string | undefined {
  const { notBefore, notAfter } = validity(cert);
  if (now < notBefore) return `certificate ${certLabel(cert)} is not valid before ${notBefore.toISOString()}`;
  if (now > notAfter) return `certificate ${certLabel(cert)} expired on ${notAfter.toISOString()}`;
  return undefined;
}

const same = (a: X509Certificate, b: X509Certificate): boolean => a.fingerprint256 === b.fingerprint256;

/**
 * Builds and checks a path leaf → intermediates… → one of the anchors, at `now`. Intermediates
 * may come in any order and may include unrelated certificates; where several issuers fit, each is
 * tried (depth first). The result is the chain from the leaf to the anchor, or the reason the most
 * promising path failed.
 */
export function verifyChain(leaf: X509Certificate, intermediates: X509Certificate[], anchors: X509Certificate[], now: Date): ChainResult {
  let reason: string | undefined;
  let best = 0;
  const fail = (why: string, depth: number): undefined => {
    if (reason === undefined || depth >= best) {
      reason = why;
      best = depth;
    }
    return undefined;
  };

  // path[0] is the leaf; `below` counts the non-self-issued intermediates under the candidate issuer
  // (RFC 5280 §4.2.1.9: pathLenConstraint limits the intermediate CA certificates that follow).
  const extend = (path: X509Certificate[]): X509Certificate[] | undefined => {
    const cert = path[path.length - 1];
    const depth = path.length;
    const problem = dateProblem(cert, now);
    if (problem) return fail(problem, depth);
    if (anchors.some((a) => same(a, cert))) return path;
    if (depth >= MAX_PATH) return fail(`no trust anchor within ${MAX_PATH} certificates of ${certLabel(leaf)}`, depth);
    const candidates = [...intermediates, ...anchors].filter((c) => !path.some((p) => same(p, c)) && cert.checkIssued(c));
    if (candidates.length === 0) {
      return fail(`no issuer of ${certLabel(cert)} (issuer '${cert.issuer.replaceAll('\n', ', ')}') among the intermediates and trust anchors`, depth);
    }
    for (const issuer of candidates) {
      if (!cert.verify(issuer.publicKey)) {
        fail(`signature of ${certLabel(cert)} does not verify with the key of ${certLabel(issuer)}`, depth);
        continue;
      }
      const bc = basicConstraints(issuer);
      if (!bc.ca) {
        fail(`issuer ${certLabel(issuer)} is not a CA (basicConstraints cA is not TRUE)`, depth);
        continue;
      }
      const below = path.slice(1).filter((p) => p.subject !== p.issuer).length;
      if (bc.pathLen !== undefined && below > bc.pathLen) {
        fail(`path length constraint ${bc.pathLen} of ${certLabel(issuer)} exceeded (${below} intermediate CAs below it)`, depth);
        continue;
      }
      const found = extend([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };

  let chain: X509Certificate[] | undefined;
  try {
    chain = extend([leaf]);
  } catch (err) {
    return { ok: false, reason: `malformed certificate: ${(err as Error).message}` };
  }
  return chain ? { ok: true, chain } : { ok: false, reason: reason ?? 'no path to a trust anchor' };
}
