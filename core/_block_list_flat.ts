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
import { type _Cover, _ge4, _last4, _le4 } from "./_block_list_cover.ts";
import { _release } from "./_block_list_rows.ts";

const _FLIP = 0x80000000;

/** Trailing zero bits of the 4 words at `w[p]` (sign-flipped, or not: the low bits agree), 128 for 0. */
export function _tz4(w: Int32Array, p: number): number {
  for (let i = 3; i >= 0; i--) {
    const u = w[p + i] ^ _FLIP;
    if (u !== 0) return 32 * (3 - i) + 31 - Math.clz32(u & -u);
  }
  return 128;
}

/** Trailing one bits of the 4 words at `w[p]` (the trailing zeros of their successor). */
function _to4(w: Int32Array, p: number): number {
  for (let i = 3; i >= 0; i--) {
    const u = ~(w[p + i] ^ _FLIP);
    if (u !== 0) return 32 * (3 - i) + 31 - Math.clz32(u & -u);
  }
  return 128;
}

/**
 * The bucket shift of a flat index: the least that gives at most one bucket
 * per interval, buckets of `2 ** shift` keys over the span of the starts.
 * @param n Number of intervals.
 * @param span The last start's offset from the first, in [0, 2 ** 32).
 * @returns The shift, 0-31 when `n` > 0.
 * @example
 * ```ts
 * _bucketShift(3, 40); // 4: buckets 0, 1, 2 (offsets 0-15, 16-31, 32-47)
 * ```
 */
export function _bucketShift(n: number, span: number): number {
  let shift = 0;
  while (shift < 32 && Math.floor(span / 2 ** shift) + 1 > n) shift++;
  return shift;
}

/**
 * The bucket table of a flat index: `top[b]` is the first of the `n` sorted
 * intervals whose start lies in bucket b or later, for every bucket up to the
 * last start's and one past it (which holds `n`). One pass over the
 * intervals, integer shifts only.
 * @param n Number of intervals.
 * @param span The last start's offset from the first, in [0, 2 ** 32).
 * @param shift Bucket of a start: its offset `>>> shift` ({@link _bucketShift}).
 * @param offset The offset of start i from the first start, in [0, 2 ** 32).
 * @returns The table.
 * @example
 * ```ts
 * _buckets(3, 40, 4, (i) => [0, 5, 40][i]); // Int32Array [0, 2, 2, 3]: bucket 1 is empty
 * ```
 */
export function _buckets(
  n: number,
  span: number,
  shift: number,
  offset: (i: number) => number,
): Int32Array {
  const buckets = n === 0 ? 0 : Math.floor(span / 2 ** shift) + 1;
  const top = new Int32Array(buckets + 1);
  let b = 0;
  for (let i = 0; i < n; i++) {
    const k = offset(i) >>> shift;
    while (b <= k) top[b++] = i;
  }
  while (b <= buckets) top[b++] = n;
  return top;
}

/** Counters of one digit of {@link _sortInt32}. */
const _DIGITS = new Int32Array(2048);

/**
 * Sorts int32 values in ascending order, in place: least significant digit
 * first, 3 passes of 11 bits over the unsigned order of `x ^ 0x80000000`,
 * each skipped when every value has the same digit. For 600,000 IPv4
 * addresses, V8's `TypedArray.prototype.sort` takes 35-40 ms on Node 20-26
 * and 13 ms on Deno, this 5-12 and 4.5 ms; Bun's own sort is faster (1.9 ms
 * against 4.2), a difference too small beside the rest of a build to keep
 * two ways.
 * @param a The values (a view on part of a buffer is fine).
 * @returns `a`, sorted.
 * @example
 * ```ts
 * _sortInt32(Int32Array.of(3, -1, 2)); // Int32Array [-1, 2, 3]
 * ```
 */
export function _sortInt32(a: Int32Array): Int32Array {
  const n = a.length;
  if (n < 64) return a.sort();
  const c = _DIGITS;
  let from: Int32Array = a, to: Int32Array = new Int32Array(n);
  const tmp = to;
  for (let sh = 0; sh < 32; sh += 11) {
    c.fill(0);
    for (let i = 0; i < n; i++) c[((from[i] ^ _FLIP) >>> sh) & 2047]++;
    if (c[((from[0] ^ _FLIP) >>> sh) & 2047] === n) continue;
    for (let d = 0, sum = 0; d < 2048; d++) {
      const k = c[d];
      c[d] = sum;
      sum += k;
    }
    for (let i = 0; i < n; i++) {
      const x = from[i];
      to[c[((x ^ _FLIP) >>> sh) & 2047]++] = x;
    }
    const t = from;
    from = to;
    to = t;
  }
  if (from !== a) a.set(from);
  _release(tmp);
  return a;
}

/** Regions of at most 2 ** _MAX_MAP_BITS make a bit map (128 KiB). */
const _MAX_MAP_BITS = 20;

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
   * The fewest trailing zero bits of any interval start and any end's
   * successor: every aligned block of 2 ** tz keys is wholly inside an
   * interval or outside all of them (128 when there are no intervals).
   */
  tz: number;
  /**
   * When the intervals are aligned to 64 bits or coarser and their span
   * holds at most 2 ** 20 such blocks: one bit per block of the span (set:
   * covered), found from the first 64 bits of a key. Else null.
   */
  map: Int32Array | null = null;
  // The span's common prefix (first 64 bits, masks of its bits), and how
  // a block's index is cut from the first 64 bits of a key (see #block).
  #p0 = 0;
  #p1 = 0;
  #m0 = 0;
  #m1 = 0;
  #low = true;
  #s0 = 0;
  #s1 = 0;
  #lm = 0;

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
    this.shift = _bucketShift(n, span);
    const base = this.base;
    this.top = _buckets(n, span, this.shift, (i) => this.#window(starts, i << 2) - base);
    let tz = 128;
    for (let i = 0; i < n; i++) {
      const a = _tz4(starts, i << 2), b = _to4(ends, i << 2);
      if (a < tz) tz = a;
      if (b < tz) tz = b;
    }
    this.tz = tz;
    if (n > 0 && tz >= 64) this.#buildMap(128 - tz);
  }

  /** The bit map of blocks of 2 ** (128 - bits) keys, if the span is small enough. */
  #buildMap(bits: number): void {
    const starts = this.starts, ends = this.ends, l = (this.n - 1) << 2;
    // The prefix shared by the first start and the last end, at most `bits` long.
    const x0 = (starts[0] ^ ends[l]) >>> 0, x1 = (starts[1] ^ ends[l + 1]) >>> 0;
    let cp = x0 !== 0 ? Math.clz32(x0) : x1 !== 0 ? 32 + Math.clz32(x1) : 64;
    if (cp > bits) cp = bits;
    if (bits - cp > _MAX_MAP_BITS) return;
    this.#p0 = starts[0] ^ _FLIP;
    this.#p1 = starts[1] ^ _FLIP;
    this.#m0 = cp === 0 ? 0 : cp >= 32 ? -1 : -1 << (32 - cp);
    this.#m1 = cp <= 32 ? 0 : -1 << (64 - cp);
    this.#low = bits <= 32;
    this.#s0 = bits <= 32 ? 32 - bits : bits - 33;
    this.#s1 = bits <= 32 ? 0 : 64 - bits;
    this.#lm = (1 << (bits - cp)) - 1;
    const map = new Int32Array(((1 << (bits - cp)) + 31) >>> 5);
    for (let i = 0; i < this.n; i++) {
      const p = i << 2;
      const last = this.#block(ends[p] ^ _FLIP, ends[p + 1] ^ _FLIP);
      for (let b = this.#block(starts[p] ^ _FLIP, starts[p + 1] ^ _FLIP); b <= last; b++) {
        map[b >>> 5] |= 1 << (b & 31);
      }
    }
    this.map = map;
  }

  /** The index in the bit map of the block holding a key whose first 64 bits are h0, h1. */
  #block(h0: number, h1: number): number {
    return this.#low
      ? (h0 >>> this.#s0) & this.#lm
      : (((h0 << this.#s0) << 1) | (h1 >>> this.#s1)) & this.#lm;
  }

  /**
   * Whether the keys whose first 64 bits are h0, h1 (not sign-flipped) are
   * covered, for a block of 2 ** tz keys or larger (tz >= 64): one of them
   * decides for all.
   * @param h0 Bits 0-31 of the key.
   * @param h1 Bits 32-63 of the key.
   * @returns `true` if covered.
   */
  region(h0: number, h1: number): boolean {
    const map = this.map;
    if (map === null) return this.has(h0 ^ _FLIP, h1 ^ _FLIP, _FLIP | 0, _FLIP | 0);
    if ((((h0 ^ this.#p0) & this.#m0) | ((h1 ^ this.#p1) & this.#m1)) !== 0) return false;
    const b = this.#block(h0, h1);
    return ((map[b >>> 5] >>> (b & 31)) & 1) !== 0;
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
    const lo = this.#pred(x0, x1, x2, x3);
    return lo !== -1 && _ge4(this.ends, lo << 2, x0, x1, x2, x3);
  }

  /**
   * What the intervals hold of [a, b] (sign-flipped words, both included):
   * 1 all of it, 0 none of it, -1 a part.
   * @returns 1, 0 or -1.
   */
  span(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
  ): number {
    const lo = this.#pred(b0, b1, b2, b3);
    if (lo === -1 || !_ge4(this.ends, lo << 2, a0, a1, a2, a3)) return 0;
    const p = lo << 2;
    return _le4(this.starts, p, a0, a1, a2, a3) && _ge4(this.ends, p, b0, b1, b2, b3) ? 1 : -1;
  }

  /** The last interval starting at or before the key (sign-flipped words), or -1. */
  #pred(x0: number, x1: number, x2: number, x3: number): number {
    const n = this.n;
    const starts = this.starts;
    if (n === 0 || !_le4(starts, 0, x0, x1, x2, x3)) return -1;
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
    return _last4(starts, lo, hi, x0, x1, x2, x3);
  }

  /**
   * The covered runs of a 4-word cover, merged into one flat index.
   * @param cover The cover (k = 4).
   * @returns The index.
   */
  static build(cover: _Cover): _Flat6 {
    let nb = 0;
    for (const b of cover.blocks) nb += b.hi - b.lo;
    const cap = (nb >> 1) + 1;
    const starts = new Int32Array(cap * 4), ends = new Int32Array(cap * 4);
    let n = 0, open = false;
    for (const b of cover.blocks) {
      const keys = b.keys, cnt = b.cnt, lazy = b.lazy;
      for (let i = b.lo; i < b.hi; i++) {
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
