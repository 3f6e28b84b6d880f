// One ISAKMP SA (IKEv1 phase 1): who the peers are, what was negotiated, the keys, and the CBC
// chaining state that protects its messages.
//
// Payload encryption (RFC 2409 Appendix B): everything after the header is CBC-encrypted with
// SKEYID_e's key Ka. Phase 1 is one chain: the first IV is hash(g^xi | g^xr), each message's
// last ciphertext block is the next message's IV. Every later exchange (Quick Mode,
// Informational) starts a chain of its own at hash(last phase-1 block | M-ID) and then chains
// within itself. The chaining state moves only when a message was accepted, so that a forged
// or corrupted message cannot desynchronise the two sides.
import { randomBytes } from 'node:crypto';
import type { Connection } from '../../config/types.js';
import type { Decoded } from '../codec/v1/index.js';
import type { DhPrivate } from '../crypto/dh.js';
import { cbcDecrypt, cbcEncrypt, encryptionAlgorithm, lastBlock, padPayloads, phase1Iv, phase2Iv, wipe } from '../crypto/index.js';
import type { Endpoint } from '../endpoint.js';
import type { NatState, NattVariant, PeerVendors } from './natt.js';
import type { Phase1Choice } from './proposals.js';

export type Phase1Exchange = 'main' | 'aggressive';

/**
 * Where the phase-1 exchange stands, named after the message each side last sent:
 *   main, initiator:  I1 → I3 → I5 → established     main, responder:  R2 → R4 → established
 *   aggressive, i:    I1 → established (after I3)    aggressive, r:    R2 → established
 */
export type Phase1State = 'I1' | 'I3' | 'I5' | 'R2' | 'R4' | 'established' | 'deleted';

let serial = 0;

export interface PhaseKeys {
  SKEYID: Uint8Array;
  SKEYID_d: Uint8Array;
  SKEYID_a: Uint8Array;
  SKEYID_e: Uint8Array;
  Ka: Uint8Array;
}

export class Ikev1Sa {
  /** A small number for the logs. */
  readonly id = ++serial;
  readonly rcookie = new Uint8Array(8);
  state: Phase1State;
  choice?: Phase1Choice;
  dh?: DhPrivate;
  gxi?: Uint8Array;
  gxr?: Uint8Array;
  gxy?: Uint8Array;
  Ni?: Uint8Array;
  Nr?: Uint8Array;
  /** SAi_b: the body of the initiator's SA payload, which HASH_I and HASH_R cover (RFC 2409 §5). */
  SAi_b?: Uint8Array;
  keys?: PhaseKeys;
  /** The phase-1 CBC chain; after phase 1, its last block, the root of every later exchange's IV. */
  private iv?: Uint8Array;
  peer: PeerVendors = { dpd: false };
  natt?: NattVariant;
  nat: NatState = { local: false, remote: false };
  /** Aggressive Mode responder: the initiator's ID payload of message 1, which HASH_I covers. */
  peerIdPayload?: Decoded;
  /** The peer's identity, once authenticated (ID payload type and data). */
  peerId?: { idType: number; data: Uint8Array };
  establishedAt?: number;
  /** When its lifetimes act (ms since the epoch), for `ipsecgw status`: rekey, reauthentication, deletion. */
  rekeyAt?: number;
  reauthAt?: number;
  expiresAt?: number;
  /** Set by the last message of the peer we accepted (any exchange): DPD's evidence of life. */
  lastHeard = Date.now();
  /**
   * Bytes of ciphertext this SA's keys protected: every message we encrypted, and every encrypted
   * message of the peer's we accepted (phase 1 from message 5 on, Quick Mode, Informational). A
   * kilobyte lifetime of phase 1 (RFC 2407 §4.5, RFC 2409 Appendix A "Life Duration") counts these.
   */
  bytesProtected = 0;
  /** A renewal (new phase 1) was started for this SA: by time or by bytes, only once. */
  renewing = false;

  constructor(
    readonly role: 'initiator' | 'responder',
    readonly exchange: Phase1Exchange,
    public conn: Connection,
    public local: Endpoint,
    public remote: Endpoint,
    readonly icookie: Uint8Array = new Uint8Array(randomBytes(8)),
  ) {
    this.state = role === 'initiator' ? 'I1' : 'R2';
    if (role === 'responder') this.rcookie.set(randomBytes(8));
  }

  get established(): boolean {
    return this.state === 'established';
  }

  /** "3f0a…/91c2…": both cookies, as strongSwan's logs show SPIs. */
  get spis(): string {
    return `${hex(this.icookie)}_i ${hex(this.rcookie)}_r`;
  }

  private cipher() {
    const c = this.choice!;
    const alg = encryptionAlgorithm(c.encr.ikev1.ike!, c.encr.ikev1.keyLength);
    if (!alg) throw new Error(`no phase-1 cipher for ${c.encr.name}`);
    return alg;
  }

  get blockBytes(): number {
    return this.cipher().blockBytes;
  }

  /** Appendix B: the first phase-1 IV, once both public values are known. */
  startPhase1Chain(): void {
    this.iv = phase1Iv(this.choice!.hash, this.gxi!, this.gxr!, this.blockBytes);
  }

  /** A fresh chain for an exchange after phase 1 (Quick Mode, Informational), by its message ID. */
  exchangeIv(messageId: number): Uint8Array {
    return phase2Iv(this.choice!.hash, this.iv!, messageId, this.blockBytes);
  }

  /**
   * Encrypts a payload chain under `iv` ('phase1': the phase-1 chain), padded as strongSwan pads
   * (zeros, no pad-length octet: RFC 2408 §3.1 leaves it open); returns the ciphertext and the IV
   * that follows it.
   */
  encrypt(plain: Uint8Array, iv: Uint8Array | 'phase1'): { body: Uint8Array; next: Uint8Array } {
    const alg = this.cipher();
    const body = cbcEncrypt(alg, this.keys!.Ka, iv === 'phase1' ? this.iv! : iv, padPayloads(plain, alg.blockBytes));
    this.bytesProtected += body.length;
    return { body, next: lastBlock(body, alg.blockBytes) };
  }

  /** Decrypts; null when the body is not whole blocks. The caller commits `next` once it accepts. */
  decrypt(body: Uint8Array, iv: Uint8Array | 'phase1'): { plain: Uint8Array; next: Uint8Array } | null {
    const alg = this.cipher();
    if (body.length === 0 || body.length % alg.blockBytes !== 0) return null;
    const plain = cbcDecrypt(alg, this.keys!.Ka, iv === 'phase1' ? this.iv! : iv, body);
    return { plain, next: lastBlock(body, alg.blockBytes) };
  }

  /** Moves the phase-1 chain on, after a phase-1 message was sent or accepted. */
  advancePhase1(next: Uint8Array): void {
    this.iv = next;
  }

  /** Everything a phase-1 message may change, to put back when the message is rejected (incoming.ts). */
  checkpoint(): Checkpoint {
    const { state, choice, dh, gxi, gxr, gxy, Ni, Nr, SAi_b, keys, iv, peer, natt, nat, peerId, local, remote, conn } = this;
    return { state, choice, dh, gxi, gxr, gxy, Ni, Nr, SAi_b, keys, iv, peer, natt, nat, peerId, local, remote, conn, rcookie: this.rcookie.slice() };
  }

  restore(c: Checkpoint): void {
    if (this.dh !== c.dh) this.dh?.destroy();
    if (this.keys && this.keys !== c.keys) for (const k of Object.values(this.keys)) wipe(k);
    if (this.gxy && this.gxy !== c.gxy) wipe(this.gxy);
    ({
      state: this.state, choice: this.choice, dh: this.dh, gxi: this.gxi, gxr: this.gxr, gxy: this.gxy, Ni: this.Ni, Nr: this.Nr, SAi_b: this.SAi_b,
      keys: this.keys, iv: this.iv, peer: this.peer, natt: this.natt, nat: this.nat, peerId: this.peerId, local: this.local, remote: this.remote,
      conn: this.conn,
    } = c);
    this.rcookie.set(c.rcookie);
  }

  /** Key material and D-H state wiped: the SA is gone. */
  destroy(): void {
    this.state = 'deleted';
    this.dh?.destroy();
    for (const b of [this.gxy, this.iv, ...(this.keys ? Object.values(this.keys) : [])]) if (b) wipe(b);
    this.keys = undefined;
    this.gxy = undefined;
  }
}

export type Checkpoint = Pick<Ikev1Sa, 'state' | 'choice' | 'dh' | 'gxi' | 'gxr' | 'gxy' | 'Ni' | 'Nr' | 'SAi_b' | 'keys' | 'peer' | 'natt' | 'nat' | 'peerId' | 'local' | 'remote' | 'conn'>
  & { readonly iv?: Uint8Array; readonly rcookie: Uint8Array };

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);
