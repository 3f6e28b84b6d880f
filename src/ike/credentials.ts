// A connection's secrets and trust anchors, read from the files its configuration names, once per
// connection: both IKE versions use them (the PSK itself comes already read, from the config).
// Kept per connection object, not per name: a reload that changes a connection (a new PSK, a
// renewed certificate) brings a new object, which reads its files anew.
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
  private readonly byConnection = new WeakMap<Connection, Credentials>();

  get(conn: Connection): Credentials {
    let c = this.byConnection.get(conn);
    if (!c) {
      const [cert, ...chain] = conn.local.cert ? loadCertificates(readFileSync(conn.local.cert)) : [];
      c = {
        psk: conn.psk, cert, chain,
        key: conn.local.key ? createPrivateKey(readFileSync(conn.local.key)) : undefined,
        cas: conn.remote.ca.map((f) => loadCertificate(readFileSync(f))),
      };
      this.byConnection.set(conn, c);
    }
    return c;
  }
}
