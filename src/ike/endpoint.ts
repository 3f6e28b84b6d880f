// Where an IKE message comes from or goes to: an address (as text, the form the configuration and
// the logs use) and a UDP port. Port 4500 carries IKE behind the four-byte non-ESP marker
// (RFC 3948 §2.2); port 500 carries it bare.

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export const IKE_PORT = 500;
export const NATT_PORT = 4500;

export const endpointText = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

export const sameEndpoint = (a: Endpoint, b: Endpoint): boolean => a.address === b.address && a.port === b.port;

/** How IKE messages leave: a datagram from `local` to `remote` (on 4500 the transport adds the non-ESP marker). */
export interface IkeTransport {
  send(local: Endpoint, remote: Endpoint, message: Uint8Array): void;
  /** RFC 3948 §2.3: a NAT-keepalive (one 0xFF byte, no marker) from port 4500. */
  keepalive(local: Endpoint, remote: Endpoint): void;
}
