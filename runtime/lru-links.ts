/**
 * Doubly linked lists over parallel `Uint32Array`s, shared by `LruCache` and
 * its W-TinyLFU segments. Each list is circular through a sentinel slot `s`:
 * `next[s]` is the least recently used slot, `prev[s]` the most recent. The
 * sentinel removes every head/tail branch from link and unlink.
 *
 * Internal: not exported from the package entry.
 */

/** Makes slot `s` an empty list. */
export function initList(next: Uint32Array, prev: Uint32Array, s: number): void {
  next[s] = s;
  prev[s] = s;
}

/** Appends slot `i` at the most recently used end of list `s`. */
export function linkMru(next: Uint32Array, prev: Uint32Array, i: number, s: number): void {
  const last = prev[s]!;
  next[last] = i;
  prev[i] = last;
  next[i] = s;
  prev[s] = i;
}

/** Takes slot `i` out of whatever list holds it. */
export function unlink(next: Uint32Array, prev: Uint32Array, i: number): void {
  const p = prev[i]!;
  const n = next[i]!;
  next[p] = n;
  prev[n] = p;
}

/** Moves slot `i`, already in list `s`, to its most recently used end. */
export function moveToMru(next: Uint32Array, prev: Uint32Array, i: number, s: number): void {
  if (prev[s] === i) return;
  const p = prev[i]!;
  const n = next[i]!;
  next[p] = n;
  prev[n] = p;
  const last = prev[s]!;
  next[last] = i;
  prev[i] = last;
  next[i] = s;
  prev[s] = i;
}
