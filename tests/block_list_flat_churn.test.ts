import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BlockList } from "../core/block_list.ts";
import { prng } from "./fixtures/block_list_cases.ts";

// A settled list's flat IPv6 index through runs of bans: the first 16
// changes go to its delta, the next one that the delta cannot hold drops the
// index, and quiet stretches build it again. Compared with a brute-force
// model after every change.

const ONES = (1n << 128n) - 1n;
const DB8 = 0x20010db8n << 96n;

/** The text of a 128-bit value, eight groups. */
function text6(x: bigint): string {
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((x >> BigInt(16 * i)) & 0xffffn).toString(16));
  return g.join(":");
}

interface Rule {
  kind: "subnet" | "range";
  a: bigint;
  b: bigint;
  prefix: number;
}

/** Adds (`d` 1) or removes (-1) a rule in the list and the model. */
function apply(list: BlockList, rules: Rule[], r: Rule, d: number): void {
  if (r.kind === "subnet") {
    if (d > 0) list.addSubnet(text6(r.a), r.prefix, "ipv6");
    else list.removeSubnet(text6(r.a), r.prefix, "ipv6");
  } else if (d > 0) list.addRange(text6(r.a), text6(r.b), "ipv6");
  else list.removeRange(text6(r.a), text6(r.b), "ipv6");
  if (d > 0) rules.push(r);
  else rules.splice(rules.lastIndexOf(r), 1);
}

const blocked = (rules: Rule[], x: bigint): boolean => rules.some((r) => r.a <= x && x <= r.b);

const churn = suite("BlockList's flat IPv6 index through runs of changes");

/**
 * Rounds of one change and checks around it; `fine`: also ranges and /120s
 * inside /64 blocks (the staged check is then off) and a few wider subnets,
 * else /64 subnets only (the staged check reads the first 64 bits and asks
 * about their block).
 */
function rounds(fine: boolean, seed: number): void {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const big = (bits: number): bigint => BigInt(Math.floor(rand() * 2 ** bits));
  const list = new BlockList();
  const rules: Rule[] = [];
  // The base: /48s under 2001:db8::/32 (only 4,096 of them, so that bans often fall inside).
  const base: bigint[] = [];
  for (let i = 0; i < 400; i++) {
    const a = DB8 | (big(12) << 80n);
    base.push(a);
    apply(list, rules, { kind: "subnet", a, b: a + (1n << 80n) - 1n, prefix: 48 }, 1);
  }
  const settle = (): void => {
    for (let i = 0; i < 2 * list.size + 2048; i++) list.check("fd00::1", "ipv6");
  };
  settle();
  /** A /64 block: in a base /48 half of the time, else anywhere under 2001:db8::/36. */
  const block64 = (): bigint =>
    rand() < 0.5
      ? base[pick(base.length)] | (big(16) << 64n)
      : DB8 | (big(16) << 80n) | (big(16) << 64n);
  const live: Rule[] = [];
  let hits = 0, asked = 0;
  const ask = (x: bigint): void => {
    if (x < 0n || x > ONES) return;
    const want = blocked(rules, x);
    asked++;
    if (want) hits++;
    assert.is(list.check(text6(x), "ipv6"), want, `check(${text6(x)})`);
  };
  for (let step = 0; step < 6000; step++) {
    // Quiet stretches now and then, for the index to be built again.
    if (step % 2000 === 1999) settle();
    let r: Rule;
    if (live.length > 0 && rand() < 0.4) {
      [r] = live.splice(pick(live.length), 1);
      apply(list, rules, r, -1);
    } else {
      const u = rand();
      const at = block64();
      if (u < 0.5 || !fine) {
        r = { kind: "subnet", a: at, b: at + (1n << 64n) - 1n, prefix: 64 };
      } else if (u < 0.97) {
        // A range inside the /64 block, or a subnet finer than it.
        const a = at | big(30);
        r = rand() < 0.5
          ? { kind: "range", a, b: a + big(8), prefix: 0 }
          : { kind: "subnet", a: a & ~0xffn, b: (a & ~0xffn) + 0xffn, prefix: 120 };
      } else {
        // Wider than one /64 block: the index cannot keep it in the delta once full.
        const a = at & ~((1n << 72n) - 1n);
        r = { kind: "subnet", a, b: a + (1n << 72n) - 1n, prefix: 56 };
      }
      apply(list, rules, r, 1);
      live.push(r);
    }
    // The changed rule's edges and inside, its /64 block's edges, other blocks, base /48s.
    for (const x of [r.a - 1n, r.a, r.b, r.b + 1n, r.a + (r.b - r.a) / 2n]) ask(x);
    const blk = r.a & ~((1n << 64n) - 1n);
    ask(blk);
    ask(blk + (1n << 64n) - 1n);
    ask(block64() | big(32));
    ask(base[pick(base.length)] | big(40));
  }
  assert.ok(hits > asked * 0.2 && hits < asked * 0.8, `hits ${hits} of ${asked}`);
}

churn("/64 bans, against a model", () => rounds(false, 64));
churn("bans of ranges and subnets inside /64 blocks, and wider ones", () => rounds(true, 65));

churn.run();
