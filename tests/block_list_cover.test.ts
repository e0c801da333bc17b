import { suite } from "uvu";
import * as assert from "uvu/assert";
import { _Cover } from "../core/_block_list_cover.ts";
import { _buckets, _bucketShift, _Flat6, _sortInt32 } from "../core/_block_list_flat.ts";
import { prng } from "./fixtures/block_list_cases.ts";

// The interval cover of BlockList on its own, against a model that keeps the
// count of every key of a small key space: thousands of intervals, so that
// blocks fill, split, shift their boundaries to either side, shrink, merge
// and go, in the orders bans come and go (in order, reversed, at random).

const FLIP = 0x80000000;
/** Keys 0..U-1 of the model, and U standing for every key from key(U) on. */
const U = 8000;

/** The cover key of model key u: 1 word, or 4 words ordered by u in every word. */
function key(k: number, u: number, out: Int32Array, low = 0): Int32Array {
  if (k === 1) {
    out[0] = (u * 4 + low) ^ FLIP;
  } else {
    // The first and last few keys lie far off the rest.
    out[0] = (u < 40 ? 0x00000001 : u > U - 40 ? 0xfffffff0 : 0x20010db8) ^ FLIP;
    out[1] = (u >>> 8) ^ FLIP;
    out[2] = ((u >>> 4) & 15) ^ FLIP;
    out[3] = (((u & 15) << 28) + low) ^ FLIP;
  }
  return out;
}

/** What the cover says of model key u (with `low` added in its last word). */
function has(c: _Cover, u: number, low = 0): boolean {
  const q = key(c.k, u, new Int32Array(c.k), low);
  return c.k === 1 ? c.has1(q[0]) : c.has4(q[0], q[1], q[2], q[3]);
}

class Model {
  cnt = new Int32Array(U + 1);
  update(a: number, e: number | null, d: number): void {
    for (let u = a; u < (e ?? U + 1); u++) this.cnt[u] += d;
  }
  /** Keys where the count changes. */
  boundaries(): number[] {
    const out: number[] = [];
    for (let u = 0; u <= U; u++) if (this.cnt[u] !== (u === 0 ? 0 : this.cnt[u - 1])) out.push(u);
    return out;
  }
  /** The cover's span4 answer for [a, b]. */
  span(a: number, b: number): number {
    let last = -1;
    for (const u of this.boundaries()) if (u <= b) last = u;
    if (last === -1) return 0;
    if (last > a) return -1;
    return this.cnt[a] > 0 ? 1 : 0;
  }
}

/** Every key of the model, and keys between them, asked of the cover (and its flat copy). */
function compareAll(c: _Cover, m: Model, what: string): void {
  assert.is(c.boundaries, m.boundaries().length, `${what}: boundaries`);
  assert.is(c.size, c.boundaries, `${what}: size`);
  assert.is(c.empty, c.boundaries === 0, `${what}: empty`);
  const flat = c.k === 4 ? _Flat6.build(c) : null;
  for (let u = 0; u <= U; u++) {
    const want = m.cnt[u] > 0;
    if (has(c, u) !== want || has(c, u, 3) !== want) {
      assert.unreachable(`${what}: key ${u} should be ${want ? "covered" : "free"}`);
    }
    if (flat !== null) {
      const q = key(4, u, new Int32Array(4), 1);
      assert.is(flat.has(q[0], q[1], q[2], q[3]), want, `${what}: flat key ${u}`);
    }
  }
  if (c.k === 1) {
    const runs: string[] = [];
    c.eachRun1((s, l) => runs.push(`${(s ^ FLIP) >>> 0}-${(l ^ FLIP) >>> 0}`));
    const want: string[] = [];
    for (let u = 0; u <= U; u++) {
      if (m.cnt[u] > 0 && (u === 0 || m.cnt[u - 1] <= 0)) want.push(`${u * 4}-`);
      if (m.cnt[u] > 0 && u < U && m.cnt[u + 1] <= 0) want[want.length - 1] += `${u * 4 + 3}`;
    }
    if (want.length > 0 && m.cnt[U] > 0) want[want.length - 1] += `${0xffffffff}`;
    assert.equal(runs, want, `${what}: runs`);
  }
}

/**
 * Intervals added and removed in `order`; checks a few keys after every
 * change and everything now and then. Returns the most boundaries and
 * blocks held.
 */
function exercise(
  k: number,
  order: "fifo" | "lifo" | "random",
  seed: number,
): [number, number] {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const c = new _Cover(k);
  const m = new Model();
  const live: [number, number | null][] = [];
  const qa = new Int32Array(k), qe = new Int32Array(k);
  let most = 0, mostBlocks = 0;
  const apply = (a: number, e: number | null, d: number): void => {
    c.update(key(k, a, qa), e === null ? null : key(k, e, qe), d);
    m.update(a, e, d);
  };
  for (let step = 0; step < 12000; step++) {
    // Grow for the first half, shrink in the second.
    const grow = step < 6000 ? rand() < 0.85 : rand() < 0.15;
    if (grow || live.length === 0) {
      const a = pick(U);
      let e: number | null = a + 1 + pick(step % 7 === 0 ? 40 : 3);
      if (e > U) e = U;
      if (rand() < 0.01) e = null;
      apply(a, e, 1);
      live.push([a, e]);
    } else {
      const i = order === "fifo" ? 0 : order === "lifo" ? live.length - 1 : pick(live.length);
      const [[a, e]] = live.splice(i, 1);
      apply(a, e, -1);
    }
    if (c.size > most) most = c.size;
    if (c.blocks.length > mostBlocks) mostBlocks = c.blocks.length;
    for (let t = 0; t < 4; t++) {
      const u = pick(U + 1);
      if (has(c, u) !== m.cnt[u] > 0) {
        assert.unreachable(`step ${step}: key ${u} should be ${m.cnt[u] > 0}`);
      }
    }
    if (k === 4 && step % 50 === 0) {
      const a = pick(U + 1), b = Math.min(U, a + pick(20));
      const qb = new Int32Array(4);
      key(4, a, qa);
      key(4, b, qb);
      assert.is(
        c.span4(qa[0], qa[1], qa[2], qa[3], qb[0], qb[1], qb[2], qb[3]),
        m.span(a, b),
        `step ${step}: span ${a}-${b}`,
      );
      // The block of 2 ** 64 keys of model keys 256 s .. 256 s + 255, and a key in it.
      const blk = 1 + pick((U >>> 8) - 2), u = (blk << 8) + pick(256);
      key(4, u, qa);
      assert.is(
        c.span64(qa[0], qa[1]),
        m.span(blk << 8, (blk << 8) + 255),
        `step ${step}: /64 ${blk}`,
      );
      assert.is(c.hasIn64(qa[0], qa[1], qa[2], qa[3]), m.cnt[u] > 0, `step ${step}: in /64 ${u}`);
    }
    if (step % 2000 === 1999) compareAll(c, m, `step ${step}`);
  }
  while (live.length > 0) {
    const [[a, e]] = live.splice(order === "random" ? pick(live.length) : 0, 1);
    apply(a, e, -1);
  }
  compareAll(c, m, "emptied");
  assert.ok(c.empty);
  return [most, mostBlocks];
}

const cover = suite("BlockList interval cover");

for (const k of [1, 4]) {
  for (const order of ["fifo", "lifo", "random"] as const) {
    cover(`${k}-word keys, removed ${order}: matches the model through splits and merges`, () => {
      const [most, blocks] = exercise(k, order, k * 100 + order.length);
      // Enough boundaries for many blocks.
      assert.ok(most > 3500 && blocks > 20, `most boundaries ${most}, blocks ${blocks}`);
    });
  }
}

cover("ascending and descending runs of adjacent and disjoint intervals", () => {
  for (const k of [1, 4]) {
    const c = new _Cover(k);
    const m = new Model();
    const qa = new Int32Array(k), qe = new Int32Array(k);
    const put = (a: number, e: number, d: number): void => {
      c.update(key(k, a, qa), key(k, e, qe), d);
      m.update(a, e, d);
    };
    // Disjoint ascending, then adjacent descending over them, then all out in order.
    for (let u = 0; u + 1 < U; u += 2) put(u, u + 1, 1);
    compareAll(c, m, `k=${k} disjoint`);
    for (let u = U - 1; u >= 0; u--) put(u, u + 1, 1);
    compareAll(c, m, `k=${k} adjacent`);
    for (let u = 0; u + 1 < U; u += 2) put(u, u + 1, -1);
    compareAll(c, m, `k=${k} half out`);
    for (let u = U - 1; u >= 0; u--) put(u, u + 1, -1);
    compareAll(c, m, `k=${k} all out`);
    assert.ok(c.empty);
  }
});

cover("boundaries that come in key order, either way, fill whole blocks", () => {
  for (const k of [1, 4]) {
    for (const descending of [false, true]) {
      const c = new _Cover(k);
      const m = new Model();
      const qa = new Int32Array(k), qe = new Int32Array(k);
      // Disjoint intervals: two boundaries each, all of them kept.
      for (let n = 0; n < 3000; n++) {
        const u = descending ? U - 2 - 2 * n : 2 * n;
        if (u < 0 || u + 1 >= U) break;
        c.update(key(k, u, qa), key(k, u + 1, qe), 1);
        m.update(u, u + 1, 1);
      }
      const what = `k=${k} ${descending ? "descending" : "ascending"}`;
      compareAll(c, m, what);
      // Full blocks of 256 (not halves: a split at the end starts a new block),
      // and no block of one boundary per insertion on the way down.
      assert.ok(
        c.blocks.length <= Math.ceil(c.size / 256) + 1,
        `${what}: ${c.blocks.length} blocks`,
      );
      for (let n = 0; n < 3000; n++) {
        const u = descending ? U - 2 - 2 * n : 2 * n;
        c.update(key(k, u, qa), key(k, u + 1, qe), -1);
      }
      assert.ok(c.empty, `${what}: emptied`);
    }
  }
});

cover("the flat indexes' sort orders int32 values as Array sort does, in place", () => {
  const rand = prng(4242);
  // Values from one /8 (the top digit is skipped), from the whole space (both signs), few
  // distinct values (runs of equal digits), and lengths around the cut to the engine's sort.
  const draws: [string, () => number][] = [
    ["10/8", () => ((0x0a000000 + ((rand() * 0xffffff) | 0)) ^ FLIP) | 0],
    ["all", () => (rand() * 0x100000000) | 0],
    ["few", () => [-0x80000000, -1, 0, 1, 0x7fffffff, 0x12345678][(rand() * 6) | 0]],
    ["low bits", () => ((rand() * 4096) | 0) ^ FLIP],
  ];
  for (const [name, draw] of draws) {
    for (const n of [0, 1, 63, 64, 65, 2048, 50_000]) {
      const values = Array.from({ length: n }, draw);
      // A view into a larger buffer, with values on both sides that must not move.
      const buf = new Int32Array(n + 2);
      buf[0] = 7;
      buf[n + 1] = -7;
      buf.set(values, 1);
      const view = buf.subarray(1, n + 1);
      const out = _sortInt32(view);
      assert.is(out, view, `${name} n=${n}: sorted in place`);
      const want = values.slice().sort((a, b) => a - b);
      assert.equal(Array.from(view), want, `${name} n=${n}`);
      assert.is(buf[0], 7);
      assert.is(buf[n + 1], -7);
    }
  }
});

cover("a flat index's bucket table names the first interval starting in each bucket", () => {
  const rand = prng(99);
  for (let round = 0; round < 200; round++) {
    const n = 1 + ((rand() * 300) | 0);
    // Sorted offsets in [0, 2 ** 32), some repeated, some far apart.
    const offsets = Array.from(
      { length: n },
      () => rand() < 0.2 ? 0 : Math.floor(rand() * 2 ** (rand() < 0.5 ? 12 : 32)),
    ).sort((a, b) => a - b);
    const span = offsets[n - 1];
    // The least shift with at most one bucket per interval, as the indexes take it.
    let least = 0;
    while (Math.floor(span / 2 ** least) + 1 > n) least++;
    assert.is(_bucketShift(n, span), least, `round ${round}: shift for ${n} over ${span}`);
    // That shift, or up to 3 bits coarser.
    const shift = Math.min(31, least + ((rand() * 4) | 0));
    const buckets = Math.floor(span / 2 ** shift) + 1;
    const top = _buckets(n, span, shift, (i) => offsets[i]);
    assert.is(top.length, buckets + 1);
    for (let b = 0; b <= buckets; b++) {
      let want = 0;
      while (want < n && Math.floor(offsets[want] / 2 ** shift) < b) want++;
      assert.is(top[b], want, `round ${round}: bucket ${b} of ${buckets}, shift ${shift}`);
    }
  }
  // No intervals: one bucket, holding none.
  assert.equal([..._buckets(0, 0, _bucketShift(0, 0), () => 0)], [0]);
});

cover.run();
