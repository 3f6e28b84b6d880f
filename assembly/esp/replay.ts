// Anti-replay (RFC 4303 §3.4.3) with a bitmap window in the style of RFC 6479: a ring of 64-bit
// words, so that sliding the window forward clears whole words instead of shifting the bitmap.
//
// State (REPLAY_SIZE bytes, inside the SA record): T, the highest sequence number authenticated so
// far (64 bits, also with 32-bit sequence numbers), then the ring. Bit s % 64 of word
// (s / 64) % WORDS records whether s was received. A window of W packets needs the words that
// hold T-W+1..T; one more word keeps the ring from having to clear the word it is writing, so the
// largest window is (WORDS - 1) · 64.
//
// The check runs before the ICV check and the update only after it (§3.4.3): a forged packet must
// not move the window.

export const REPLAY_WORDS: u32 = 32;
export const REPLAY_MAX_WINDOW: u32 = (REPLAY_WORDS - 1) * 64; // 1984 packets
export const REPLAY_SIZE: i32 = 8 + <i32>REPLAY_WORDS * 8;
const RING: usize = 8;

/** Whether `seq` (a full 64-bit number) may be accepted by a window of `window` packets. */
export function replayCheck(st: usize, window: u32, seq: u64): bool {
  const top = load<u64>(st);
  if (seq == 0) return false; // sequence numbers start at 1 (§3.3.3)
  if (seq > top) return true;
  if (top - seq >= <u64>window) return false; // left of the window
  const word = load<u64>(st + RING + ((<usize>(seq >> 6) & (REPLAY_WORDS - 1)) << 3));
  return ((word >> (seq & 63)) & 1) == 0;
}

/** Records `seq`, already checked and authenticated; slides the window when seq is the new top. */
export function replayUpdate(st: usize, seq: u64): void {
  const top = load<u64>(st);
  if (seq > top) {
    // Clear the words after the old top's word, up to the new top's (at most the whole ring);
    // none when both are in the same word.
    let from = (top >> 6) + 1;
    const to = seq >> 6;
    if (to >= from && to - from >= <u64>REPLAY_WORDS) from = to - REPLAY_WORDS + 1;
    for (let w = from; w <= to; w++) store<u64>(st + RING + ((<usize>w & (REPLAY_WORDS - 1)) << 3), 0);
    store<u64>(st, seq);
  }
  const p = st + RING + ((<usize>(seq >> 6) & (REPLAY_WORDS - 1)) << 3);
  store<u64>(p, load<u64>(p) | (<u64>1 << (seq & 63)));
}

/**
 * The full 64-bit sequence number of a packet carrying the low 32 bits `lo`, with extended
 * sequence numbers: RFC 4303 Appendix A2.2. T is the highest number received, W the window.
 * The high half is guessed so the number lands in or right of the window; a wrong guess fails
 * the ICV check, as the appendix intends.
 */
export function esnInfer(st: usize, window: u32, lo: u32): u64 {
  const top = load<u64>(st);
  const tl = <u32>top;
  let th = <u32>(top >> 32);
  if (tl >= window - 1) {
    // Case A: the window lies within one 2^32 subspace.
    if (lo < tl - window + 1) th++;
  } else if (lo >= tl - window + 1) {
    // Case B: the window spans two subspaces, and lo is in its left part (the comparison is
    // modulo 2^32). Before subspace 0 there is nothing: 0 is never accepted.
    if (th == 0) return 0;
    th--;
  }
  return (<u64>th << 32) | <u64>lo;
}

/**
 * Starts a window whose highest received number is `top` (0 for a new SA): top itself counts as
 * received, the numbers below it as not.
 */
export function replayInit(st: usize, top: u64): void {
  store<u64>(st, 0);
  for (let i: u32 = 0; i < REPLAY_WORDS; i++) store<u64>(st + RING + (<usize>i << 3), 0);
  if (top) replayUpdate(st, top);
}
