// "Did you mean …?" for any misspelt keyword in the configuration: proposal tokens, option names,
// enum values. Edit distance is optimal string alignment (Levenshtein plus transposition of two
// neighbours), because the commonest typos in algorithm names are swapped digits: sha265, ecp2356.

/**
 * Optimal-string-alignment distance between a and b: insertions, deletions, substitutions and
 * transpositions of two adjacent characters each cost 1 (no substring is edited twice).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rows suffice: the transposition looks two rows back.
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

export interface SuggestOptions {
  /** Largest distance still worth suggesting; default: a third of the word's length, at least 1, at most 3. */
  maxDistance?: number;
}

/**
 * The candidate nearest to word, or undefined when none is close enough to be a plausible typo.
 * Comparison ignores case (a suggestion for 'SHA256' is 'sha256'). Ties go to the candidate that
 * shares the longest prefix with the word, then to the earlier candidate, so callers can order
 * candidates by preference.
 */
export function didYouMean(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string | undefined {
  const w = word.toLowerCase();
  const limit = options.maxDistance ?? Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestPrefix = -1;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = editDistance(w, c);
    if (d > limit || d > bestDistance) continue;
    const prefix = commonPrefix(w, c);
    if (d < bestDistance || prefix > bestPrefix) {
      best = candidate;
      bestDistance = d;
      bestPrefix = prefix;
    }
  }
  return best;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
