// A connection's secrets and trust anchors, read from the files its configuration names, once per
// connection: both IKE versions use them (the PSK itself comes already read, from the config).
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Connection } from '../config/types.js';
import { loadCertificate, loadCertificates } from './crypto/index.js';

export interface Credentials {
  readonly psk?: Uint8Array;
  /** Our certificate (auth: pubkey): the first of local.cert's file. */
  readonly cert?: X509Certificate;
  /** Intermediate CA certificates after it in the same file, sent so the peer can build the chain. */
  readonly chain: readonly X509Certificate[];
  readonly key?: KeyObject;
  /** The peer's trust anchors (remote.ca). */
  readonly cas: readonly X509Certificate[];
}

/** Loads each connection's credentials on first use and keeps them. */
export class CredentialStore {
  private readonly byName = new Map<string, Credentials>();

  get(conn: Connection): Credentials {
    let c = this.byName.get(conn.name);
    if (!c) {
      const [cert, ...chain] = conn.local.cert ? loadCertificates(readFileSync(conn.local.cert)) : [];
      c = {
        psk: conn.psk, cert, chain,
        key: conn.local.key ? createPrivateKey(readFileSync(conn.local.key)) : undefined,
        cas: conn.remote.ca.map((f) => loadCertificate(readFileSync(f))),
      };
      this.byName.set(conn.name, c);
    }
    return c;
  }
}
