// The IKE SAs of the daemon, indexed the ways a message or a timer needs them — by our SPI (every
// message after IKE_SA_INIT names it), by the initiator's SPI and address (a repeated IKE_SA_INIT
// request), by connection — and the half-open responder SAs counted in total and per peer
// address (§2.6 cookies, the per-peer limit). Lookups cost the same with ten SAs or ten thousand.
import type { Connection } from '../../config/types.js';
import { hex, type Ikev2Sa } from './ike-sa.js';

export class SaTable implements Iterable<Ikev2Sa> {
  private readonly byOurSpi = new Map<string, Ikev2Sa>();
  private readonly byInit = new Map<string, Ikev2Sa>();
  private readonly byConn = new Map<Connection, Set<Ikev2Sa>>();
  /** Half-open responder SAs, with the peer address they count against (sa.remote may change later). */
  private readonly halfOpen = new Map<Ikev2Sa, string>();
  private readonly halfOpenPer = new Map<string, number>();
  /** The byInit key of each responder SA, as it was added. */
  private readonly initKeys = new Map<Ikev2Sa, string>();

  [Symbol.iterator](): Iterator<Ikev2Sa> {
    return this.byOurSpi.values();
  }

  get size(): number {
    return this.byOurSpi.size;
  }

  /** False when our random SPI is taken already (then make another SA). */
  add(sa: Ikev2Sa): boolean {
    const key = hex(sa.ourSpi);
    if (this.byOurSpi.has(key)) return false;
    this.byOurSpi.set(key, sa);
    if (!sa.initiator) {
      const k = initKey(sa.spiI, sa.remote.address);
      this.byInit.set(k, sa);
      this.initKeys.set(sa, k);
    }
    this.connSet(sa.conn).add(sa);
    if (sa.state === 'init-done') {
      this.halfOpen.set(sa, sa.remote.address);
      this.halfOpenPer.set(sa.remote.address, (this.halfOpenPer.get(sa.remote.address) ?? 0) + 1);
    }
    return true;
  }

  delete(sa: Ikev2Sa): void {
    if (this.byOurSpi.get(hex(sa.ourSpi)) !== sa) return;
    this.byOurSpi.delete(hex(sa.ourSpi));
    const k = this.initKeys.get(sa);
    if (k !== undefined && this.byInit.get(k) === sa) this.byInit.delete(k);
    this.initKeys.delete(sa);
    this.byConn.get(sa.conn)?.delete(sa);
    this.settled(sa);
  }

  /** A responder SA is half-open no more (IKE_AUTH done, or gone). */
  settled(sa: Ikev2Sa): void {
    const address = this.halfOpen.get(sa);
    if (address === undefined) return;
    this.halfOpen.delete(sa);
    const n = (this.halfOpenPer.get(address) ?? 1) - 1;
    if (n > 0) this.halfOpenPer.set(address, n);
    else this.halfOpenPer.delete(address);
  }

  /** The SA that owns `ourSpi`. */
  ours(ourSpi: Uint8Array): Ikev2Sa | undefined {
    return this.byOurSpi.get(hex(ourSpi));
  }

  /** Our responder SA for an IKE_SA_INIT request with this SPIi from this address. */
  answering(spiI: Uint8Array, address: string): Ikev2Sa | undefined {
    return this.byInit.get(initKey(spiI, address));
  }

  /** An IKE_AUTH may pick another connection for the SA (roaming peers): it moves with it. */
  moved(sa: Ikev2Sa, from: Connection): void {
    this.byConn.get(from)?.delete(sa);
    this.connSet(sa.conn).add(sa);
  }

  of(conn: Connection): Ikev2Sa[] {
    return [...(this.byConn.get(conn) ?? [])];
  }

  halfOpenCount(address?: string): number {
    return address === undefined ? this.halfOpen.size : this.halfOpenPer.get(address) ?? 0;
  }

  private connSet(conn: Connection): Set<Ikev2Sa> {
    let s = this.byConn.get(conn);
    if (!s) this.byConn.set(conn, (s = new Set()));
    return s;
  }
}

const initKey = (spiI: Uint8Array, address: string): string => `${hex(spiI)}|${address}`;
