/**
 * The settled IPv6 index of `BlockList`: once a list has been checked long
 * enough without change, the runs of 128-bit keys its IPv6 interval cover
 * holds are copied into one flat sorted array of disjoint intervals, with a
 * bucket table over a 32-bit window of their starts, so that a check reads a
 * handful of cache lines instead of two binary searches over blocks. Any
 * change drops it (`block_list.ts` decides when to build it).
 *
 * Keys are 4 words, most significant first, sign-flipped (`w ^ 0x80000000`)
 * as in `_block_list_cover.ts`, so that int32 comparison gives the unsigned
 * order. The window is the 32 bits that follow the longest prefix shared by
 * the first and the last start: every start has that prefix, so the window
 * orders starts as the keys do, and about one bucket per interval spreads
 * them evenly wherever in the 128-bit space they lie.
 * @module
 */
import { type _Cover, _le4 } from "./_block_list_cover.ts";

const _FLIP = 0x80000000;

/** Whether (x0, x1, x2, x3) is <= the 4-word key at `keys[p]`. */
function _ge(keys: Int32Array, p: number, x0: number, x1: number, x2: number, x3: number): boolean {
  const a0 = keys[p];
  if (a0 !== x0) return a0 > x0;
  const a1 = keys[p + 1];
  if (a1 !== x1) return a1 > x1;
  const a2 = keys[p + 2];
  if (a2 !== x2) return a2 > x2;
  return keys[p + 3] >= x3;
}

/**
 * Disjoint sorted 128-bit intervals (ends included) with a bucket table.
 * @example
 * ```ts
 * const flat = _Flat6.build(cover); // cover: the IPv6 _Cover of a BlockList
 * flat.has(0x20010db8 ^ 0x80000000, 0x80000000, 0x80000000, 0x80000001);
 * ```
 */
export class _Flat6 {
  /** Number of intervals. */
  n: number;
  /** Starts, 4 sign-flipped words each. */
  starts: Int32Array;
  /** Last keys (included), 4 sign-flipped words each. */
  ends: Int32Array;
  /** `top[b]`: the first interval whose start lies in bucket b or later. */
  top: Int32Array;
  /** The window starts at bit `32 * wi + sh` (0 = most significant). */
  wi: number;
  sh: number;
  /** The window of the first start, unsigned. */
  base: number;
  /** Bucket of a key: `(window - base) >>> shift`. */
  shift: number;

  /**
   * @param starts Interval starts, sorted.
   * @param ends Interval ends (included), in the same order.
   * @param n Number of intervals.
   */
  constructor(starts: Int32Array, ends: Int32Array, n: number) {
    this.n = n;
    this.starts = starts;
    this.ends = ends;
    // The first bit where the first and the last start differ (0 when n < 2).
    let cp = 0;
    if (n > 1) {
      const l = (n - 1) << 2;
      let w = 0;
      while (w < 3 && starts[w] === starts[l + w]) w++;
      const diff = (starts[w] ^ starts[l + w]) >>> 0;
      cp = 32 * w + (diff === 0 ? 31 : Math.clz32(diff));
    }
    if (cp > 96) cp = 96; // the window must fit in the key
    this.wi = cp >>> 5;
    this.sh = cp & 31;
    this.base = n === 0 ? 0 : this.#window(starts, 0);
    const span = n === 0 ? 0 : this.#window(starts, (n - 1) << 2) - this.base;
    let shift = 0;
    while (shift < 32 && Math.floor(span / 2 ** shift) + 1 > n) shift++;
    this.shift = shift;
    const buckets = n === 0 ? 0 : Math.floor(span / 2 ** shift) + 1;
    const top = new Int32Array(buckets + 1);
    for (let b = 0, i = 0; b <= buckets; b++) {
      while (i < n && Math.floor((this.#window(starts, i << 2) - this.base) / 2 ** shift) < b) i++;
      top[b] = i;
    }
    this.top = top;
  }

  /** The unsigned 32-bit window of the key at `keys[p]`. */
  #window(keys: Int32Array, p: number): number {
    const hi = (keys[p + this.wi] ^ _FLIP) >>> 0;
    if (this.sh === 0) return hi;
    const lo = (keys[p + this.wi + 1] ^ _FLIP) >>> 0;
    return ((hi << this.sh) | (lo >>> (32 - this.sh))) >>> 0;
  }

  /**
   * Whether an interval holds the key (sign-flipped words).
   * @returns `true` if covered.
   */
  has(x0: number, x1: number, x2: number, x3: number): boolean {
    const n = this.n;
    const starts = this.starts;
    if (n === 0 || !_le4(starts, 0, x0, x1, x2, x3)) return false;
    // x >= the first start. If x leaves the shared prefix, it is above every start.
    let lo = n - 1, hi = n - 1;
    const wi = this.wi, sh = this.sh;
    let a = x0, b = x1, same = true;
    if (wi === 1) a = x1, b = x2, same = x0 === starts[0];
    else if (wi === 2) a = x2, b = x3, same = x0 === starts[0] && x1 === starts[1];
    else if (wi === 3) {
      a = x3, b = 0, same = x0 === starts[0] && x1 === starts[1] && x2 === starts[2];
    }
    let win = (a ^ _FLIP) >>> 0;
    if (sh !== 0) {
      same = same && (((a ^ starts[wi]) >>> (32 - sh)) === 0);
      win = ((win << sh) | (((b ^ _FLIP) >>> 0) >>> (32 - sh))) >>> 0;
    }
    if (same) {
      const top = this.top;
      let k = (win - this.base) >>> this.shift;
      if (k > top.length - 2) k = top.length - 2;
      // The last start <= x lies in [top[k] - 1, top[k + 1] - 1].
      lo = top[k] - 1;
      hi = top[k + 1] - 1;
      if (lo < 0) lo = 0;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (_le4(starts, mid << 2, x0, x1, x2, x3)) lo = mid;
      else hi = mid - 1;
    }
    return _ge(this.ends, lo << 2, x0, x1, x2, x3);
  }

  /**
   * The covered runs of a 4-word cover, merged into one flat index.
   * @param cover The cover (k = 4).
   * @returns The index.
   */
  static build(cover: _Cover): _Flat6 {
    let nb = 0;
    for (const b of cover.blocks) nb += b.len;
    const cap = (nb >> 1) + 1;
    const starts = new Int32Array(cap * 4), ends = new Int32Array(cap * 4);
    let n = 0, open = false;
    for (const b of cover.blocks) {
      const keys = b.keys, cnt = b.cnt, lazy = b.lazy;
      for (let i = 0; i < b.len; i++) {
        const covered = cnt[i] + lazy > 0;
        if (covered === open) continue;
        const p = i << 2;
        if (covered) {
          starts.set(keys.subarray(p, p + 4), n << 2);
        } else {
          // The run ends just before this boundary: its key minus one.
          const o = n << 2;
          let borrow = true;
          for (let w = 3; w >= 0; w--) {
            const u = (keys[p + w] ^ _FLIP) >>> 0;
            const v = borrow ? (u === 0 ? 0xffffffff : u - 1) : u;
            borrow = borrow && u === 0;
            ends[o + w] = v ^ _FLIP;
          }
          n++;
        }
        open = covered;
      }
    }
    if (open) {
      ends.fill(0x7fffffff, n << 2, (n << 2) + 4);
      n++;
    }
    return new _Flat6(starts.slice(0, n << 2), ends.slice(0, n << 2), n);
  }
}
