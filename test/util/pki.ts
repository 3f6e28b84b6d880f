// A small PKI made with the openssl CLI in a temporary directory, for the certificate tests and
// the certificate interop tests: keys (RSA or ECDSA), self-signed CAs, certificates signed by them
// with the extensions of one section of CONFIG.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCertificate } from '../../src/ike/crypto/certs.js';

/** Extension sections: root / inter / ca for CAs, leaf (with subjectAltNames, set by SAN) and the odd ones. */
const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[notca]
basicConstraints = CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[noakid]
basicConstraints = CA:FALSE
subjectKeyIdentifier = none
authorityKeyIdentifier = none
`;

/** The subjectAltNames a [leaf] certificate gets unless told otherwise. */
export const DEFAULT_SAN = 'DNS:gw.example.org,email:admin@example.org,IP:192.0.2.1,IP:2001:db8::1';

export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), 'ipsecgw-pki-'));
  private serial = 1;

  constructor() {
    writeFileSync(join(this.dir, 'c.cnf'), CONFIG);
  }

  openssl(args: string[], env: Record<string, string> = {}): string {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAN: DEFAULT_SAN, ...env } }).toString();
  }

  /** A new key NAME.key: RSA (2048 bits unless told) or ECDSA P-256. */
  key(name: string, type: 'rsa' | 'ec', bits = 2048): string {
    if (type === 'rsa') this.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', `${name}.key`]);
    else this.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    return this.path(`${name}.key`);
  }

  /** NAME.crt for NAME.key, signed by ISSUER (self-signed without), with a CONFIG section's extensions. */
  cert(name: string, subject: string, section: string, o: { issuer?: string; days?: number; san?: string } = {}): X509Certificate {
    const days = String(o.days ?? 3650), env: Record<string, string> = o.san ? { SAN: o.san } : {};
    if (!o.issuer) {
      this.openssl(['req', '-new', '-x509', '-config', 'c.cnf', '-key', `${name}.key`, '-subj', subject, '-days', days, '-extensions', section,
        '-set_serial', String(this.serial++), '-out', `${name}.crt`], env);
    } else {
      this.openssl(['req', '-new', '-config', 'c.cnf', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], env);
      this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${o.issuer}.crt`, '-CAkey', `${o.issuer}.key`, '-set_serial', String(this.serial++),
        '-days', days, '-extfile', 'c.cnf', '-extensions', section, '-out', `${name}.crt`], env);
    }
    return loadCertificate(readFileSync(this.path(`${name}.crt`), 'utf8'));
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
