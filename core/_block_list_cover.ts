/**
 * The interval part of `BlockList`'s index: a multiset of half-open key
 * intervals `[a, e)` that answers "does any interval hold x?" while intervals
 * come and go.
 *
 * It keeps the boundaries, the keys where the number of intervals holding a
 * key changes, in key order, each with that number from it up to the next
 * boundary. A lookup is a predecessor search; adding or removing an interval
 * inserts or drops at most its two ends and adds ±1 to the boundaries
 * between them. Boundaries sit in blocks of at most `_B`, found through a
 * flat array of each block's first key, so an insertion moves at most one
 * block's keys, and a block lying wholly inside an interval takes the ±1 in
 * its `lazy` counter instead of in each boundary: an update costs
 * O(log n + _B + blocks spanned), a lookup two binary searches, no allocation.
 * A block keeps its boundaries at `[lo, hi)` of its arrays, with free room
 * on both sides, so that an insertion or a removal moves the shorter side of
 * it (none at all at either end, as when bans come and go in order).
 *
 * Keys are `k` unsigned 32-bit words, most significant first (1 for IPv4, 4
 * for IPv6), stored with the sign bit flipped (`w ^ 0x80000000`) so that
 * int32 comparison gives the unsigned order.
 * @module
 */

/** Block capacity, in boundaries. */
const _B = 256;

/**
 * A run of consecutive boundaries, at positions `[lo, hi)` of its arrays;
 * the count of boundary i is `cnt[i] + lazy`.
 */
class _Block {
  keys: Int32Array;
  cnt: Int32Array;
  lo = 0;
  hi = 0;
  lazy = 0;
  constructor(k: number) {
    // One buffer for both arrays: allocating a typed array's memory costs
    // more than a churn round's whole update (1-2 µs on V8).
    const buf = new ArrayBuffer(_B * (k + 1) * 4);
    this.keys = new Int32Array(buf, 0, _B * k);
    this.cnt = new Int32Array(buf, _B * k * 4, _B);
  }
}

/**
 * Moves the boundaries of `b` so that they start at `lo` (a block with room
 * on one side only, where the next insertion wants it).
 */
function _shiftTo(b: _Block, lo: number, k: number): void {
  if (lo === b.lo) return;
  const len = b.hi - b.lo;
  b.keys.copyWithin(lo * k, b.lo * k, b.hi * k);
  b.cnt.copyWithin(lo, b.lo, b.hi);
  b.lo = lo;
  b.hi = lo + len;
}

/** Compares the key at `keys[p..p+k)` with `q[0..k)`: negative, 0 or positive. */
function _cmpAt(keys: Int32Array, p: number, q: Int32Array, k: number): number {
  for (let w = 0; w < k; w++) {
    const a = keys[p + w], b = q[w];
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Blocks kept for reuse after they go. */
const _SPARE = 8;

/** Moves shorter than this are written as a loop: `copyWithin` costs a builtin call, about 20 ns. */
const _SHORT_MOVE = 24;

/** `a.copyWithin(to, from, end)`, as a plain loop when the move is short. */
function _move(a: Int32Array, to: number, from: number, end: number): void {
  const n = end - from;
  if (n > _SHORT_MOVE) {
    a.copyWithin(to, from, end);
  } else if (to > from) {
    for (let i = n - 1; i >= 0; i--) a[to + i] = a[from + i];
  } else {
    for (let i = 0; i < n; i++) a[to + i] = a[from + i];
  }
}

/** Copies `src[from..end)` to `dst[to..]` (another array). */
function _move2(dst: Int32Array, to: number, src: Int32Array, from: number, end: number): void {
  if (end - from > _SHORT_MOVE) dst.set(src.subarray(from, end), to);
  else for (let i = from; i < end; i++) dst[to + i - from] = src[i];
}

/** Copies the `k`-word key at `src[sp..]` to `dst[dp..]`. */
function _copyKey(dst: Int32Array, dp: number, src: Int32Array, sp: number, k: number): void {
  for (let w = 0; w < k; w++) dst[dp + w] = src[sp + w];
}

/**
 * Whether the 4-word key at `keys[p]` is <= (x0, x1, x2, x3) (signed words:
 * the keys are sign-flipped). Shared with the flat IPv6 index.
 * @internal
 */
export function _le4(
  keys: Int32Array,
  p: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
): boolean {
  const a0 = keys[p];
  if (a0 !== x0) return a0 < x0;
  const a1 = keys[p + 1];
  if (a1 !== x1) return a1 < x1;
  const a2 = keys[p + 2];
  if (a2 !== x2) return a2 < x2;
  return keys[p + 3] <= x3;
}

/**
 * Binary search: the last index i in [lo, hi] whose 4-word key `keys[4i..]`
 * is <= (x0, x1, x2, x3) (sign-flipped words); the key at `lo` must be.
 * Shared with the flat IPv6 index.
 * @internal
 */
export function _last4(
  keys: Int32Array,
  lo: number,
  hi: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (_le4(keys, mid << 2, x0, x1, x2, x3)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Binary search: the last index i in [lo, hi] with `keys[i] <= x`; `keys[lo]`
 * must be. Shared with the flat IPv4 index.
 * @internal
 */
export function _last1(keys: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (keys[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** {@link _last4} for `k`-word keys, the key `q`. */
function _lastK(keys: Int32Array, lo: number, hi: number, q: Int32Array, k: number): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (_cmpAt(keys, mid * k, q, k) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Whether (x0, x1, x2, x3) is <= the 4-word key at `keys[p]` (sign-flipped words).
 * @returns `true` if so.
 * @internal
 */
export function _ge4(
  keys: Int32Array,
  p: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
): boolean {
  const a0 = keys[p];
  if (a0 !== x0) return a0 > x0;
  const a1 = keys[p + 1];
  if (a1 !== x1) return a1 > x1;
  const a2 = keys[p + 2];
  if (a2 !== x2) return a2 > x2;
  return keys[p + 3] >= x3;
}

/**
 * Interval multiset over `k`-word keys (see the module doc).
 * @example
 * ```ts
 * const c = new _Cover(1);
 * const a = Int32Array.of(10 ^ 0x80000000), e = Int32Array.of(20 ^ 0x80000000);
 * c.update(a, e, 1);
 * c.has1(15 ^ 0x80000000); // true
 * ```
 */
export class _Cover {
  /** Words per key. */
  readonly k: number;
  /** Boundaries held (about two per disjoint interval). */
  size = 0;
  /** The blocks, in key order. */
  blocks: _Block[] = [];
  /** `first[j*k ..]` is the first key of `blocks[j]`. */
  first: Int32Array;
  // Result of #locate: block index (-1 when before every boundary) and index in it.
  #j = -1;
  #i = 0;
  // Bumped whenever blocks split, merge or go, which moves boundaries between blocks.
  #shape = 0;
  // The block the last update found its start in: searches try it first
  // (whatever has changed since, the test of its first keys is exact).
  #last = 0;
  // Blocks that went, kept for the next splits (a block's arrays cost more
  // to allocate than a churn round's whole update).
  #spare: _Block[] = [];

  /**
   * @param k Words per key: 1 (IPv4) or 4 (IPv6).
   */
  constructor(k: number) {
    this.k = k;
    this.first = new Int32Array(16 * k);
  }

  /** Whether no interval is present. */
  get empty(): boolean {
    return this.blocks.length === 0;
  }

  /** The number of boundaries kept (for tests and memory accounting). */
  get boundaries(): number {
    let n = 0;
    for (const b of this.blocks) n += b.hi - b.lo;
    return n;
  }

  /**
   * Whether an interval holds the 1-word key `x` (sign-flipped).
   * @param x The key.
   * @returns `true` if covered.
   */
  has1(x: number): boolean {
    const lo = this.#block1(x);
    if (lo === -1) return false;
    const b = this.blocks[lo];
    const keys = b.keys;
    const l = _last1(keys, b.lo, b.hi - 1, x);
    return b.cnt[l] + b.lazy > 0;
  }

  /**
   * Whether an interval holds the 4-word key (sign-flipped words).
   * @returns `true` if covered.
   */
  has4(x0: number, x1: number, x2: number, x3: number): boolean {
    const lo = this.#block4(x0, x1, x2, x3);
    if (lo === -1) return false;
    const b = this.blocks[lo];
    const keys = b.keys;
    const l = _last4(keys, b.lo, b.hi - 1, x0, x1, x2, x3);
    return b.cnt[l] + b.lazy > 0;
  }

  /**
   * What the intervals hold of the 4-word keys [a, b] (sign-flipped words,
   * both included): 1 all of them, 0 none, -1 some (or a count changes
   * inside, between positive values). Keeps the place of the last boundary
   * at or before b for {@link _Cover.hasIn64}.
   * @returns 1, 0 or -1.
   */
  span4(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
  ): number {
    const lo = this.#block4(b0, b1, b2, b3);
    this.#j = lo;
    if (lo === -1) return 0;
    const blk = this.blocks[lo];
    const keys = blk.keys;
    const l = _last4(keys, blk.lo, blk.hi - 1, b0, b1, b2, b3);
    // The last boundary at or before b (kept for hasIn64); a boundary after a splits [a, b].
    this.#i = l;
    if (!_le4(keys, l << 2, a0, a1, a2, a3)) return -1;
    return blk.cnt[l] + blk.lazy > 0 ? 1 : 0;
  }

  /**
   * What the intervals hold of the keys whose first two words are y0, y1
   * (sign-flipped): as {@link _Cover.span4} over that block of 2 ** 64 keys.
   * Keeps the place of the last boundary in or before the block for
   * {@link _Cover.hasIn64}.
   * @returns 1 all of the block, 0 none, -1 some.
   */
  span64(y0: number, y1: number): number {
    return this.span4(y0, y1, -0x80000000, -0x80000000, y0, y1, 0x7fffffff, 0x7fffffff);
  }

  /**
   * {@link _Cover.has4} for a key in the block the last
   * {@link _Cover.span64} asked about (nothing changed since): walks back
   * from the boundary it found, over the few boundaries inside the block.
   * @returns `true` if covered.
   */
  hasIn64(x0: number, x1: number, x2: number, x3: number): boolean {
    const j = this.#j;
    if (j === -1) return false;
    const b = this.blocks[j], keys = b.keys;
    let i = this.#i;
    while (!_le4(keys, i << 2, x0, x1, x2, x3)) {
      if (--i < b.lo) return this.has4(x0, x1, x2, x3);
    }
    return b.cnt[i] + b.lazy > 0;
  }

  /**
   * Adds `d` (+1 or -1) intervals `[a, e)`; `e === null` means up to the end
   * of the key space. Removing must name an interval that was added.
   * @param a Start key (`k` sign-flipped words).
   * @param e End key, exclusive, or null.
   * @param d +1 to add, -1 to remove.
   */
  update(a: Int32Array, e: Int32Array | null, d: number): void {
    if (e !== null && this.k === 4 && this.#near4(a, e, d)) return;
    // Positions stay valid until blocks split, merge or go (#shape changes),
    // but for the shift of a block's lower part when one is added or dropped
    // after them in it: a's place follows its block's `lo`.
    this.#ensure(a);
    let ja = this.#j, ia = this.#i;
    let je: number, ie: number;
    if (e !== null) {
      const shape = this.#shape;
      const lo = this.blocks[ja].lo;
      // e comes after a: search from a's place when e is in a's block.
      if (this.k === 4) this.#ensureAfter(e, ja, ia);
      else if (this.k === 1) this.#ensureAfter1(e, ja, ia);
      else this.#ensure(e);
      je = this.#j;
      ie = this.#i;
      if (this.#shape !== shape) {
        this.#locate(a);
        ja = this.#j;
        ia = this.#i;
      } else {
        ia += this.blocks[ja].lo - lo;
      }
    } else {
      je = this.blocks.length - 1;
      ie = this.blocks[je].hi;
    }
    const blocks = this.blocks;
    if (ja === je) {
      const c = blocks[ja].cnt;
      for (let i = ia; i < ie; i++) c[i] += d;
    } else {
      const ba = blocks[ja];
      for (let i = ia; i < ba.hi; i++) ba.cnt[i] += d;
      for (let j = ja + 1; j < je; j++) blocks[j].lazy += d;
      const be = blocks[je], c = be.cnt;
      for (let i = be.lo; i < ie; i++) c[i] += d;
    }
    // Dropping e moves a (which comes first) only with its block's lower part,
    // unless blocks change shape.
    const shape = this.#shape;
    const ba = blocks[ja], lo = ba.lo;
    if (e !== null) this.#normalizeAt(je, ie);
    if (this.#shape !== shape) {
      this.#locate(a);
      ja = this.#j;
      ia = this.#i;
    } else {
      ia += ba.lo - lo;
    }
    this.#normalizeAt(ja, ia);
  }

  /**
   * `update` for 4-word keys in the usual case of churn, in one search and
   * at most one move: no boundary lies strictly between a and e, so the new
   * count holds for all of [a, e) and at most the boundaries at a and e
   * change (an interval alone in its gap gets two side by side; one that
   * extends or shortens a run, as bans of neighbouring subnets do, moves
   * the run's end). Anything else (a boundary inside the interval or at e in
   * the next block, a block left empty or overfull) returns false for the
   * general path, before changing anything.
   * @returns Whether the update was made.
   */
  #near4(a: Int32Array, e: Int32Array, d: number): boolean {
    const a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const j = this.#block4(a0, a1, a2, a3);
    if (j === -1) return false;
    const b = this.blocks[j], keys = b.keys, cnt = b.cnt, lazy = b.lazy;
    const l = _last4(keys, b.lo, b.hi - 1, a0, a1, a2, a3);
    // l: the last boundary <= a; m: the next one, which must not come before e.
    const m = l + 1;
    const e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
    let atE = false;
    if (m < b.hi) {
      if (!_ge4(keys, m << 2, e0, e1, e2, e3)) return false;
      atE = _le4(keys, m << 2, e0, e1, e2, e3);
    } else if (j + 1 < this.blocks.length) {
      if (_le4(this.first, (j + 1) << 2, e0, e1, e2, e3)) return false;
    }
    const atA = _ge4(keys, l << 2, a0, a1, a2, a3);
    // The counts: in force at a until now, and in [a, e) from now on.
    const old = cnt[l] + lazy, now = old + d;
    // A boundary stays (or comes) where the count changes.
    const keepA = atA ? now !== this.#before(j, l) : true;
    const countE = atE ? cnt[m] + lazy : old;
    const keepE = countE !== now;
    // Entries [s, s + had) become the `put` kept ones.
    const s = atA ? l : m;
    const had = (atA ? 1 : 0) + (atE ? 1 : 0);
    const put = (keepA ? 1 : 0) + (keepE ? 1 : 0);
    const delta = put - had;
    const len = b.hi - b.lo + delta;
    if (len <= 0 || len > _B) return false;
    let at = s;
    if (delta !== 0) {
      // Move the shorter side by delta. When it has no room, the general
      // path moves the whole block against the other end once (moving the
      // longer side here would move most of the block at every insertion).
      const left = s - b.lo, right = b.hi - s - had;
      if (left < right) {
        if (b.lo < delta) return false;
        _move(keys, (b.lo - delta) << 2, b.lo << 2, s << 2);
        _move(cnt, b.lo - delta, b.lo, s);
        b.lo -= delta;
        at = s - delta;
      } else {
        if (b.hi + delta > _B) return false;
        _move(keys, (s + put) << 2, (s + had) << 2, b.hi << 2);
        _move(cnt, s + put, s + had, b.hi);
        b.hi += delta;
      }
    }
    if (keepA) {
      const o = at << 2;
      keys[o] = a0;
      keys[o + 1] = a1;
      keys[o + 2] = a2;
      keys[o + 3] = a3;
      cnt[at++] = now - lazy;
    }
    if (keepE) {
      const o = at << 2;
      keys[o] = e0;
      keys[o + 1] = e1;
      keys[o + 2] = e2;
      keys[o + 3] = e3;
      cnt[at] = countE - lazy;
    }
    _copyKey(this.first, j << 2, keys, b.lo << 2, 4);
    this.size += delta;
    this.#last = j;
    if (delta < 0 && len < _B >> 3) this.#mergeSmall(j);
    return true;
  }

  /**
   * Calls `fn(start, last)` for each maximal run of covered 1-word keys, in
   * order (sign-flipped, `last` included).
   * @param fn Receives each run.
   */
  eachRun1(fn: (start: number, last: number) => void): void {
    let start = 0, open = false;
    for (const b of this.blocks) {
      for (let i = b.lo; i < b.hi; i++) {
        const covered = b.cnt[i] + b.lazy > 0;
        if (covered && !open) {
          start = b.keys[i];
          open = true;
        } else if (!covered && open) {
          fn(start, b.keys[i] - 1);
          open = false;
        }
      }
    }
    if (open) fn(start, 0x7fffffff);
  }

  /** Removes every interval. */
  clear(): void {
    this.size = 0;
    this.blocks = [];
    this.first = new Int32Array(16 * this.k);
  }

  /** Sets #j/#i to the last boundary <= q (#j = -1 when there is none). */
  #locate(q: Int32Array): void {
    if (this.k === 1) {
      this.#locate1(q[0]);
      return;
    }
    if (this.k === 4) {
      this.#locate4(q[0], q[1], q[2], q[3]);
      return;
    }
    const k = this.k, blocks = this.blocks, first = this.first;
    const hi = blocks.length - 1;
    if (hi < 0 || _cmpAt(first, 0, q, k) > 0) {
      this.#j = -1;
      this.#i = 0;
      return;
    }
    const j = _lastK(first, 0, hi, q, k);
    this.#j = j;
    this.#i = _lastK(blocks[j].keys, blocks[j].lo, blocks[j].hi - 1, q, k);
  }

  /** #locate for 4-word keys. */
  #locate4(x0: number, x1: number, x2: number, x3: number): void {
    const blocks = this.blocks;
    const lo = this.#block4(x0, x1, x2, x3);
    if (lo === -1) {
      this.#j = -1;
      this.#i = 0;
      return;
    }
    this.#last = lo;
    const keys = blocks[lo].keys;
    const l = _last4(keys, blocks[lo].lo, blocks[lo].hi - 1, x0, x1, x2, x3);
    this.#j = lo;
    this.#i = l;
  }

  /** #locate for 1-word keys. */
  #locate1(x: number): void {
    const blocks = this.blocks;
    const lo = this.#block1(x);
    if (lo === -1) {
      this.#j = -1;
      this.#i = 0;
      return;
    }
    this.#last = lo;
    const keys = blocks[lo].keys;
    const l = _last1(keys, blocks[lo].lo, blocks[lo].hi - 1, x);
    this.#j = lo;
    this.#i = l;
  }

  /**
   * The last block whose first key is <= the 1-word key x, or -1. The block
   * the last update searched is tried first (a check of what was just
   * blocked, or the next of bans that come in key order).
   */
  #block1(x: number): number {
    const first = this.first;
    const hi = this.blocks.length - 1;
    const j = this.#last;
    if (j <= hi && first[j] <= x && (j === hi || first[j + 1] > x)) return j;
    if (hi < 0 || first[0] > x) return -1;
    return _last1(first, 0, hi, x);
  }

  /** The last block whose first key is <= the 4-word key x (sign-flipped words), or -1. */
  #block4(x0: number, x1: number, x2: number, x3: number): number {
    const first = this.first;
    const hi = this.blocks.length - 1;
    const j = this.#last;
    if (
      j <= hi && _le4(first, j << 2, x0, x1, x2, x3) &&
      (j === hi || !_le4(first, (j + 1) << 2, x0, x1, x2, x3))
    ) {
      return j;
    }
    if (hi < 0 || !_le4(first, 0, x0, x1, x2, x3)) return -1;
    return _last4(first, 0, hi, x0, x1, x2, x3);
  }

  /** The count in force just before boundary (j, i): its predecessor's, or 0. */
  #before(j: number, i: number): number {
    const b = this.blocks[j];
    if (i > b.lo) return b.cnt[i - 1] + b.lazy;
    if (j === 0) return 0;
    const p = this.blocks[j - 1];
    return p.cnt[p.hi - 1] + p.lazy;
  }

  /** Makes `q` a boundary (with the count already in force there) if it is not one; #j/#i = its place. */
  #ensure(q: Int32Array): void {
    const k = this.k;
    if (this.blocks.length === 0) {
      const b = new _Block(k);
      _copyKey(b.keys, 0, q, 0, k);
      b.hi = 1;
      this.size = 1;
      this.blocks.push(b);
      _copyKey(this.first, 0, q, 0, k);
      this.#shape++;
      this.#j = 0;
      this.#i = 0;
      return;
    }
    this.#locate(q);
    this.#insertAt(q);
  }

  /**
   * #ensure for a 4-word key `q` after the boundary (j0, i0): when no later
   * block starts at or before `q`, only block j0 from i0 on is searched.
   */
  #ensureAfter(q: Int32Array, j0: number, i0: number): void {
    const blocks = this.blocks;
    const x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3];
    if (j0 + 1 < blocks.length && _le4(this.first, (j0 + 1) << 2, x0, x1, x2, x3)) {
      this.#locate4(x0, x1, x2, x3);
    } else {
      const keys = blocks[j0].keys;
      const l = _last4(keys, i0, blocks[j0].hi - 1, x0, x1, x2, x3);
      this.#j = j0;
      this.#i = l;
    }
    this.#insertAt(q);
  }

  /** #ensureAfter for a 1-word key. */
  #ensureAfter1(q: Int32Array, j0: number, i0: number): void {
    const blocks = this.blocks;
    const x = q[0];
    if (j0 + 1 < blocks.length && this.first[j0 + 1] <= x) {
      this.#locate1(x);
    } else {
      const keys = blocks[j0].keys;
      const l = _last1(keys, i0, blocks[j0].hi - 1, x);
      this.#j = j0;
      this.#i = l;
    }
    this.#insertAt(q);
  }

  /** The rest of #ensure, once #j/#i hold the last boundary <= q. */
  #insertAt(q: Int32Array): void {
    const k = this.k;
    let j = this.#j, i = this.#i;
    let count: number;
    if (j === -1) {
      j = 0;
      i = this.blocks[0].lo;
      count = 0;
    } else {
      const b = this.blocks[j];
      if (_cmpAt(b.keys, i * k, q, k) === 0) return; // #j/#i already point at it
      count = b.cnt[i] + b.lazy;
      i++;
    }
    // i: the place of the new boundary, before the one now there (or at hi).
    const full = this.blocks[j];
    if (full.hi - full.lo === _B) {
      const blocks = this.blocks;
      if (i === full.hi && j + 1 < blocks.length && blocks[j + 1].hi - blocks[j + 1].lo < _B) {
        // After the last boundary of a full block: the front of the next
        // block is the same place (keys that come in descending order).
        j++;
        i = blocks[j].lo;
      } else {
        // At an end of the block, the new boundary starts a block of its
        // own (keys that come in ascending order then fill whole blocks,
        // not halves); elsewhere the block splits in the middle.
        const at = i === full.hi || i === full.lo ? i : full.lo + (_B >> 1);
        this.#split(j, at);
        if (i > at || (i === at && full.hi - full.lo === _B)) {
          i = i - at + blocks[j + 1].lo;
          j++;
        }
      }
    }
    const b = this.blocks[j];
    // Move the shorter side out of the way, into the room beside it; when
    // that side has none, first move the whole block against the other end.
    if (i - b.lo < b.hi - i) {
      if (b.lo === 0) {
        const to = _B - (b.hi - b.lo);
        i += to - b.lo;
        _shiftTo(b, to, k);
      }
    } else if (b.hi === _B) {
      i -= b.lo;
      _shiftTo(b, 0, k);
    }
    if (i - b.lo < b.hi - i && b.lo > 0) {
      _move(b.keys, (b.lo - 1) * k, b.lo * k, i * k);
      _move(b.cnt, b.lo - 1, b.lo, i);
      b.lo--;
      i--;
    } else {
      _move(b.keys, (i + 1) * k, i * k, b.hi * k);
      _move(b.cnt, i + 1, i, b.hi);
      b.hi++;
    }
    _copyKey(b.keys, i * k, q, 0, k);
    b.cnt[i] = count - b.lazy;
    this.size++;
    if (i === b.lo) _copyKey(this.first, j * k, q, 0, k);
    this.#j = j;
    this.#i = i;
  }

  /** Drops boundary (j, i) if the count does not change there. */
  #normalizeAt(j: number, i: number): void {
    const b = this.blocks[j];
    if (b.cnt[i] + b.lazy !== this.#before(j, i)) return;
    const k = this.k;
    const lo = b.lo;
    // Close the gap from the shorter side.
    if (i - lo < b.hi - i - 1) {
      _move(b.keys, (b.lo + 1) * k, b.lo * k, i * k);
      _move(b.cnt, b.lo + 1, b.lo, i);
      b.lo++;
    } else {
      _move(b.keys, i * k, (i + 1) * k, b.hi * k);
      _move(b.cnt, i, i + 1, b.hi);
      b.hi--;
    }
    this.size--;
    const len = b.hi - b.lo;
    if (len === 0) {
      this.#removeBlock(j);
      return;
    }
    if (i === lo) _copyKey(this.first, j * k, b.keys, b.lo * k, k);
    if (len < _B >> 3) this.#mergeSmall(j);
  }

  /**
   * Moves the boundaries of block `j` from position `mid` on into a new
   * block after it (none when `mid` is its end, all when its start).
   */
  #split(j: number, mid: number): void {
    this.#shape++;
    const k = this.k;
    const b = this.blocks[j];
    const nb = this.#spare.pop() ?? new _Block(k);
    // The new block starts at 0: room above it, as appends in key order want.
    _move2(nb.keys, 0, b.keys, mid * k, b.hi * k);
    _move2(nb.cnt, 0, b.cnt, mid, b.hi);
    nb.lo = 0;
    nb.hi = b.hi - mid;
    nb.lazy = b.lazy;
    b.hi = mid;
    this.blocks.splice(j + 1, 0, nb);
    const n = this.blocks.length;
    if (n * k > this.first.length) {
      const grown = new Int32Array(this.first.length * 2);
      grown.set(this.first);
      this.first = grown;
    }
    _move(this.first, (j + 2) * k, (j + 1) * k, (n - 1) * k);
    _copyKey(this.first, (j + 1) * k, nb.keys, nb.lo * k, k);
  }

  #removeBlock(j: number): void {
    this.#shape++;
    const k = this.k;
    const n = this.blocks.length;
    if (this.#spare.length < _SPARE) this.#spare.push(this.blocks[j]);
    this.blocks.splice(j, 1);
    _move(this.first, j * k, (j + 1) * k, n * k);
  }

  /** Joins small block `j` with a neighbour when both fit in one block. */
  #mergeSmall(j: number): void {
    const blocks = this.blocks;
    const here = blocks[j].hi - blocks[j].lo;
    let left = j;
    if (j + 1 < blocks.length && here + blocks[j + 1].hi - blocks[j + 1].lo <= _B >> 1) left = j;
    else if (j > 0 && blocks[j - 1].hi - blocks[j - 1].lo + here <= _B >> 1) left = j - 1;
    else return;
    const k = this.k;
    const a = blocks[left], b = blocks[left + 1];
    const n = b.hi - b.lo;
    // Both runs, centred in a (it has room for twice their length).
    _shiftTo(a, (_B - (a.hi - a.lo) - n) >> 1, k);
    a.keys.set(b.keys.subarray(b.lo * k, b.hi * k), a.hi * k);
    const shift = b.lazy - a.lazy;
    for (let i = 0; i < n; i++) a.cnt[a.hi + i] = b.cnt[b.lo + i] + shift;
    a.hi += n;
    _copyKey(this.first, left * k, a.keys, a.lo * k, k);
    this.#removeBlock(left + 1);
  }
}
