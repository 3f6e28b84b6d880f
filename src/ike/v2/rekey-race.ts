// RFC 7296 §2.8.1 (CHILD SAs) and §2.8.2 (IKE SAs): both ends rekeyed the same SA at once, so two
// replacements exist. The one made by the exchange with the lowest of the four nonces (compared
// octet by octet) is redundant, and the end that started that exchange deletes it; the other one
// is kept by both. Each rekey we complete or answer is noted here, by the SA it replaces, until its
// twin shows up — or does not within `windowMs`, which is the usual case.

type Made<T> = { readonly nonces: readonly [Uint8Array, Uint8Array]; readonly made: T };

export class RekeyRace<K, T> {
  private readonly pending = new Map<K, { ours?: Made<T>; theirs?: Made<T> }>();

  constructor(
    private readonly windowMs: number,
    /** Called once both rekeys of `old` are known: which replacement stays, and whether ours goes. */
    private readonly resolve: (keep: T, drop: T, oursRedundant: boolean) => void,
  ) {}

  /** A rekey of `old` finished: ours (we initiated it) or theirs; `nonces` are its Ni and Nr. */
  note(old: K, side: 'ours' | 'theirs', nonces: readonly [Uint8Array, Uint8Array], made: T): void {
    let e = this.pending.get(old);
    if (!e) {
      this.pending.set(old, (e = {}));
      setTimeout(() => this.pending.delete(old), this.windowMs).unref?.();
    }
    e[side] = { nonces, made };
    if (!e.ours || !e.theirs) return;
    this.pending.delete(old);
    const lowest = [...e.ours.nonces, ...e.theirs.nonces].reduce((a, b) => (Buffer.compare(a, b) <= 0 ? a : b));
    const oursRedundant = e.ours.nonces.includes(lowest);
    if (oursRedundant) this.resolve(e.theirs.made, e.ours.made, true);
    else this.resolve(e.ours.made, e.theirs.made, false);
  }
}
