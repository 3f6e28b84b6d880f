// Reassembling the SKF fragments of one message (RFC 7383 §2.6), after each was opened (verified
// and decrypted) by openFragment — fragments are authenticated one by one, so nothing here is
// attacker-controlled beyond what a peer holding the keys sends.
//
// Rules (§2.6): fragments of one Message ID belong together; duplicates are ignored; a fragment whose
// Total Fragments is greater than the one seen so far means the sender re-fragmented (smaller
// fragments on retransmission, §2.5.2): everything collected is discarded and collection starts
// over; one with a smaller total is discarded. When every number 1..Total is there, the content is
// their concatenation in order, and fragment 1's Next Payload names its first payload.
// Limits: at most maxFragments fragments (default 64) and maxBytes of content (default 64 KiB, the
// largest unfragmented IKE message); beyond them add() throws DecodeError and forgets everything.

import { DecodeError } from './errors.js';
import type { Header } from './header.js';
import type { Opened, OpenedFragment } from './sk.js';

export interface ReassemblyLimits {
  maxFragments?: number;
  maxBytes?: number;
}

export class Reassembly {
  readonly maxFragments: number;
  readonly maxBytes: number;
  /** The Message ID being collected (that of the first fragment added). */
  messageId?: number;
  private total = 0;
  private bytes = 0;
  private parts = new Map<number, OpenedFragment>();
  private done = false;

  constructor(limits: ReassemblyLimits = {}) {
    this.maxFragments = limits.maxFragments ?? 64;
    this.maxBytes = limits.maxBytes ?? 0x10000;
  }

  /** How many distinct fragments are held. */
  get received(): number {
    return this.parts.size;
  }

  /** Whether the message was completed (later fragments are then ignored). */
  get complete(): boolean {
    return this.done;
  }

  private reset(): void {
    this.parts.clear();
    this.bytes = 0;
    this.total = 0;
  }

  /**
   * Adds an opened fragment. Returns the whole message's header (fragment 1's), first inner payload
   * type and inner payload bytes once every fragment is there, else null (also for duplicates,
   * fragments of another Message ID, or a smaller Total Fragments, which are ignored).
   */
  add(f: OpenedFragment): Opened | null {
    if (this.done) return null;
    if (this.messageId === undefined) this.messageId = f.header.messageId;
    else if (f.header.messageId !== this.messageId) return null;
    if (!Number.isInteger(f.fragmentNumber) || f.fragmentNumber < 1 || f.fragmentNumber > f.totalFragments) {
      throw new DecodeError(`fragment ${f.fragmentNumber} of ${f.totalFragments}`);
    }
    if (f.totalFragments > this.maxFragments) {
      this.reset();
      throw new DecodeError(`fragment ${f.fragmentNumber} of ${f.totalFragments}: more than ${this.maxFragments} fragments`);
    }
    if (f.totalFragments < this.total) return null;
    if (f.totalFragments > this.total) {
      this.reset();
      this.total = f.totalFragments;
    }
    if (this.parts.has(f.fragmentNumber)) return null;
    if (this.bytes + f.plain.length > this.maxBytes) {
      this.reset();
      throw new DecodeError(`fragments of message ${this.messageId}: more than ${this.maxBytes} bytes`);
    }
    this.parts.set(f.fragmentNumber, f);
    this.bytes += f.plain.length;
    if (this.parts.size < this.total) return null;
    const plain = new Uint8Array(this.bytes);
    let at = 0;
    for (let i = 1; i <= this.total; i++) {
      const p = this.parts.get(i)!.plain;
      plain.set(p, at);
      at += p.length;
    }
    const first = this.parts.get(1)!;
    const header: Header = first.header;
    this.done = true;
    this.reset();
    return { header, innerFirst: first.innerFirst, plain };
  }
}
