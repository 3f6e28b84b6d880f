// When SAs are rekeyed and when they die. A negotiated lifetime is the hard limit; the rekey
// (soft) point lies before it with random jitter, so that the two peers and many SAs do not all
// rekey at once (strongSwan's rand_time does the same). The side that created the SA rekeys
// earlier than the other, so usually only one of them starts a rekey (RFC 2409 leaves collisions
// to the implementation; RFC 7296 §2.8.1 resolves them, IKEv1 just ends with a spare SA).

export interface Limits {
  /** Milliseconds after install: rekey. */
  readonly softMs: number;
  /** Milliseconds after install: delete. */
  readonly hardMs: number;
  /** Bytes (both directions) for rekey and for delete; absent without a kilobyte lifetime. */
  readonly softBytes?: bigint;
  readonly hardBytes?: bigint;
  /** Packets (both directions), likewise. */
  readonly softPackets?: bigint;
  readonly hardPackets?: bigint;
}

/** Soft point as a fraction of the lifetime: the initiator in [0.80, 0.90), the responder in [0.90, 0.95). */
export function limits(lifetime: { time: number; kilobytes?: number; packets?: number }, initiator: boolean, random = Math.random): Limits {
  const soft = initiator ? 0.8 + 0.1 * random() : 0.9 + 0.05 * random();
  const share = (hard: bigint): bigint => (hard * BigInt(Math.round(soft * 1000))) / 1000n;
  const bytes = lifetime.kilobytes === undefined ? undefined : BigInt(lifetime.kilobytes) * 1024n;
  const packets = lifetime.packets === undefined ? undefined : BigInt(lifetime.packets);
  return {
    softMs: Math.round(lifetime.time * 1000 * soft), hardMs: lifetime.time * 1000,
    ...(bytes !== undefined ? { hardBytes: bytes, softBytes: share(bytes) } : {}),
    ...(packets !== undefined ? { hardPackets: packets, softPackets: share(packets) } : {}),
  };
}
