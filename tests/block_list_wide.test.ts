import { suite } from "uvu";
import * as assert from "uvu/assert";
import { _hash, _WideSet } from "../core/_block_list_wide.ts";
import { BlockList } from "../core/block_list.ts";
import { prng } from "./fixtures/block_list_cases.ts";

// The set of IPv6 address rules that check() probes, on its own against a
// model (a Map of the keys as text), through the orders adds and removes come
// in: growth across resizes, removals that shift probe runs back (also
// across the end of the table), the all-zero key, shrinking, and head
// counters that saturate.

const wide = suite("block_list_wide");

type Key = [number, number, number, number];

function text(k: Key): string {
  return k.join(",");
}

/** Checks every key of `keys` against the model, and the head counters' promise. */
function agree(s: _WideSet, model: Map<string, Key>, keys: Key[]): void {
  assert.is(s.size, model.size);
  for (const k of keys) {
    const live = model.has(text(k));
    assert.is(s.has(k[0], k[1], k[2], k[3]), live, text(k));
    // `false` from mayHold is exact: never for the head of a live key.
    if (live) assert.ok(s.mayHold(k[0], k[1]), text(k));
  }
}

wide("random adds and removes agree with a model, across resizes and shrinking", () => {
  const rand = prng(41);
  const s = new _WideSet();
  const model = new Map<string, Key>();
  // A small key space, so that removes and re-adds of the same keys are common;
  // words signed and unsigned alike, and keys that share their first 64 bits.
  const pool: Key[] = [];
  for (let i = 0; i < 600; i++) {
    const head = i % 3 === 0 && i > 0 ? pool[i - 1] : null;
    pool.push([
      head ? head[0] : (rand() * 0x100000000) | 0,
      head ? head[1] : (rand() * 0x100000000) | 0,
      (rand() * 0x100000000) | 0,
      i % 7 === 0 ? 0 : (rand() * 0x100000000) | 0,
    ]);
  }
  pool.push([0, 0, 0, 0], [0, 0, 0, 1], [-1, -1, -1, -1]);
  for (let round = 0; round < 6; round++) {
    // Grow to most of the pool, then shrink to a few keys, then grow again.
    const target = round % 2 === 0 ? 0.9 : 0.02;
    for (let op = 0; op < 3000; op++) {
      const k = pool[(rand() * pool.length) | 0];
      const t = text(k);
      const add = rand() < (model.size < target * pool.length ? 0.8 : 0.2);
      if (add && !model.has(t)) {
        s.add(k[0], k[1], k[2], k[3]);
        model.set(t, k);
      } else if (!add && model.has(t)) {
        s.remove(k[0], k[1], k[2], k[3]);
        model.delete(t);
      }
      if (op % 250 === 0) agree(s, model, pool);
    }
    agree(s, model, pool);
  }
  for (const k of [...model.values()]) {
    s.remove(k[0], k[1], k[2], k[3]);
    model.delete(text(k));
  }
  agree(s, model, pool);
  assert.not.ok(s.mayHold(pool[1][0], pool[1][1]));
});

wide("removal shifts back keys whose probe run wraps past the end of the table", () => {
  // Keys whose home is one of the last two slots of the smallest table (16
  // slots, which holds up to 8 keys): six of them fill slots 14, 15, 0, 1, 2, 3.
  const s = new _WideSet();
  const tail: Key[] = [];
  for (let x = 1; tail.length < 6; x++) {
    if ((_hash(0x20010db8, 0, 0, x) & 15) >= 14) tail.push([0x20010db8, 0, 0, x]);
  }
  for (
    const order of [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [2, 0, 4, 1, 5, 3], [1, 3, 5, 0, 2, 4]]
  ) {
    for (const k of tail) s.add(k[0], k[1], k[2], k[3]);
    const left = new Set(tail.map(text));
    for (const i of order) {
      const k = tail[i];
      s.remove(k[0], k[1], k[2], k[3]);
      left.delete(text(k));
      for (const o of tail) assert.is(s.has(o[0], o[1], o[2], o[3]), left.has(text(o)));
    }
  }
});

wide("a head counter that saturates stays set until the set counts again", () => {
  const s = new _WideSet();
  // 300 keys under one 64-bit head: the counter stops at 255.
  for (let i = 1; i <= 300; i++) {
    s.add(0x20010db8, 7, 0, i);
    assert.ok(s.mayHold(0x20010db8, 7), `${i} keys`);
  }
  for (let i = 1; i <= 299; i++) {
    s.remove(0x20010db8, 7, 0, i);
    assert.ok(s.mayHold(0x20010db8, 7), `${300 - i} keys`);
  }
  assert.ok(s.has(0x20010db8, 7, 0, 300));
  assert.not.ok(s.has(0x20010db8, 7, 0, 299));
  s.remove(0x20010db8, 7, 0, 300);
  assert.is(s.size, 0);
  assert.not.ok(s.mayHold(0x20010db8, 7));
});

wide("BlockList: IPv6 address rules through adds, removes, clear() and fromJSON()", () => {
  const rand = prng(43);
  const hex = (): string => ((rand() * 0x10000) | 0).toString(16);
  const addrs: string[] = [];
  for (let i = 0; i < 400; i++) {
    addrs.push(`2001:db8:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`);
  }
  addrs.push("::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  const list = new BlockList();
  const live = new Set<string>();
  for (let op = 0; op < 4000; op++) {
    const a = addrs[(rand() * addrs.length) | 0];
    if (rand() < 0.6) {
      list.addAddress(a, "ipv6");
      live.add(a);
    } else {
      list.removeAddress(a, "ipv6");
      live.delete(a);
    }
    // Checks between changes; enough of them at times for the flat indexes to be built.
    const n = op % 500 === 0 ? 3000 : 2;
    for (let i = 0; i < n; i++) {
      const b = addrs[(rand() * addrs.length) | 0];
      assert.is(list.check(b, "ipv6"), live.has(b), b);
    }
  }
  const copy = new BlockList();
  copy.fromJSON(list.toJSON());
  for (const a of addrs) assert.is(copy.check(a, "ipv6"), live.has(a), a);
  list.clear();
  for (const a of addrs) assert.not.ok(list.check(a, "ipv6"), a);
  list.addAddress(addrs[3], "ipv6");
  assert.ok(list.check(addrs[3], "ipv6"));
});

wide.run();
