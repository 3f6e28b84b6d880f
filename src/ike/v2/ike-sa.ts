// One IKEv2 SA (RFC 7296): its SPIs, who started it, what IKE_SA_INIT chose, the keys, the
// message-ID state of both directions (§2.3) and NAT detection. Exchanges are plain functions
// over it (init.ts, auth.ts, create-child.ts); the daemon owns the timers and the sockets.
import type { Connection } from '../../config/types.js';
import type { SkKeys } from '../codec/v2/index.js';
import { random, wipe, type DhPrivate, type IkeKeys } from '../crypto/index.js';
import type { Endpoint } from '../endpoint.js';
import type { NatState } from '../v1/natt.js';
import type { IkeChoice } from './proposals.js';

/**
 * Where the SA stands:
 *   initiator: init-sent → auth-sent → established       responder: init-done → established
 *   both: → rekeyed (replaced by a rekey, waiting for its Delete) → deleted
 */
export type SaState = 'init-sent' | 'auth-sent' | 'init-done' | 'established' | 'rekeyed' | 'deleted';

let serial = 0;

export class Ikev2Sa {
  readonly id = ++serial;
  state: SaState;
  /** SPIi | SPIr as in the header: SPIi chosen by the original initiator, SPIr by the responder. */
  readonly spiI: Uint8Array;
  readonly spiR = new Uint8Array(8);
  choice?: IkeChoice;
  dh?: DhPrivate;
  Ni?: Uint8Array;
  Nr?: Uint8Array;
  /** The IKE_SA_INIT messages as sent, which the AUTH payloads sign (§2.15). */
  initRequest?: Uint8Array;
  initResponse?: Uint8Array;
  keys?: IkeKeys;
  nat: NatState = { local: false, remote: false };
  /** The peer announced RFC 7383 fragmentation / RFC 7427 hash algorithms. */
  peerFragmentation = false;
  peerSignatureHashes: number[] = [];
  /** The peer's identity once authenticated: ID type and data. */
  peerId?: { idType: number; data: Uint8Array };
  /** §2.3: the ID of our next request, and of the request we expect from the peer next. */
  nextRequestId = 0;
  expectedRequestId = 0;
  establishedAt?: number;
  /** When its lifetimes act (ms since the epoch), for `ipsecgw status`: rekey, reauthentication, deletion. */
  rekeyAt?: number;
  reauthAt?: number;
  expiresAt?: number;
  lastHeard = Date.now();

  constructor(
    /** The original initiator of the IKE SA (the I flag: RFC 7296 §3.1). */
    readonly role: 'initiator' | 'responder',
    public conn: Connection,
    public local: Endpoint,
    public remote: Endpoint,
    spiI?: Uint8Array,
  ) {
    this.spiI = spiI ?? random(8);
    if (role === 'responder') this.spiR.set(random(8));
    this.state = role === 'initiator' ? 'init-sent' : 'init-done';
  }

  get established(): boolean {
    return this.state === 'established';
  }

  get initiator(): boolean {
    return this.role === 'initiator';
  }

  /** Our SPI: the one the peer puts in our half of the header. */
  get ourSpi(): Uint8Array {
    return this.initiator ? this.spiI : this.spiR;
  }

  get spis(): string {
    return `${hex(this.spiI)}_i ${hex(this.spiR)}_r`;
  }

  /** Header flags of a message we send (§3.1: I when we are the original initiator, R on responses). */
  flags(response: boolean): number {
    return (this.initiator ? 0x08 : 0) | (response ? 0x20 : 0);
  }

  /** The SK keys for what we send (out) or receive (in): SK_ei/SK_ai flow from the original initiator. */
  skKeys(dir: 'out' | 'in'): SkKeys {
    const k = this.keys!, c = this.choice!;
    const fromInitiator = (dir === 'out') === this.initiator;
    return {
      encr: { id: c.encr.ikev2.id, keyLength: c.encr.ikev2.keyLength },
      integ: c.integ ? c.integ.ikev2.id : 0,
      ke: fromInitiator ? k.SK_ei : k.SK_er,
      ka: c.integ ? (fromInitiator ? k.SK_ai : k.SK_ar) : undefined,
    };
  }

  /**
   * IKE_AUTH is over: the IKE_SA_INIT messages and nonces were needed only for its AUTH payloads
   * (§2.15) and the first CHILD SA's keys (§2.17); later exchanges bring their own nonces. Not kept
   * for the SA's life (four buffers per SA the garbage collector would otherwise walk).
   */
  authDone(): void {
    this.Ni = this.Nr = this.initRequest = this.initResponse = undefined;
  }

  /** Key material and D-H state wiped: the SA is gone. */
  destroy(): void {
    this.state = 'deleted';
    this.dh?.destroy();
    this.dh = undefined;
    if (this.keys) for (const k of Object.values(this.keys)) wipe(k);
    this.keys = undefined;
  }
}

import { hex } from '../v1/ike-sa.js';
export { hex, isZero } from '../v1/ike-sa.js';
