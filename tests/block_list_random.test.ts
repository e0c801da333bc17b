import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BlockList } from "../core/block_list.ts";
import { SocketAddress } from "../core/socket_address.ts";
import { prng } from "./fixtures/block_list_cases.ts";

// A seeded differential test: long random sequences of every add/remove/check
// call, both families, compared after every check with a reference model that
// applies Node's matching rules by brute force over a plain list of rules.

type Fam = 4 | 6;

/** An address as the model sees it: 128-bit value (IPv4 as ::ffff:a.b.c.d) and the text given. */
interface Val {
  fam: Fam;
  x: bigint;
  text: string;
  zone: string;
  /** Passed as a SocketAddress rather than a string. */
  sa: boolean;
}

const MAPPED = 0xffffn << 32n;
const isMapped = (x: bigint): boolean => x >> 32n === 0xffffn;
const dotted = (n: number): string =>
  `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** The text `rules` prints for a value. */
function canon(v: Val): string {
  if (v.fam === 4) return v.text;
  const bare = v.text.split("%")[0];
  return new SocketAddress({ address: bare, family: "ipv6" }).address;
}

/** The argument passed for a value: its text or a SocketAddress. */
function arg(v: Val): string | SocketAddress {
  if (!v.sa) return v.text;
  return new SocketAddress({ address: v.text, family: v.fam === 4 ? "ipv4" : "ipv6" });
}

const famName = (v: Val): "ipv4" | "ipv6" => (v.fam === 4 ? "ipv4" : "ipv6");

/** Node's matching, by brute force. */
class Model {
  addresses = new Map<bigint, Val>();
  subnets: { v: Val; prefix: number }[] = [];
  ranges: { s: Val; e: Val }[] = [];

  addAddress(v: Val): void {
    const had = this.addresses.get(v.x);
    if (had) had.fam = v.fam, had.text = v.text;
    else this.addresses.set(v.x, { ...v });
  }

  removeSubnet(v: Val, prefix: number): void {
    for (let i = this.subnets.length - 1; i >= 0; i--) {
      const r = this.subnets[i];
      if (r.v.fam === v.fam && r.prefix === prefix && r.v.zone === v.zone && r.v.x === v.x) {
        this.subnets.splice(i, 1);
        return;
      }
    }
  }

  /** Whether Node refuses the range (it can order the ends and start is after end). */
  static reversed(s: Val, e: Val): boolean {
    return (s.fam === e.fam || (isMapped(s.x) && isMapped(e.x))) && s.x > e.x;
  }

  removeRange(s: Val, e: Val): void {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i];
      if (
        r.s.fam === s.fam && r.e.fam === e.fam && r.s.zone === s.zone && r.s.x === s.x &&
        r.e.x === e.x
      ) {
        this.ranges.splice(i, 1);
        return;
      }
    }
  }

  check(x: bigint, fam: Fam): boolean {
    if (this.addresses.has(x)) return true;
    for (const { v, prefix } of this.subnets) {
      const bits = BigInt(128 - (v.fam === 4 ? prefix + 96 : prefix));
      if (x >> bits === v.x >> bits) return true;
    }
    for (const { s, e } of this.ranges) {
      let lo = s.x, hi = e.x;
      if (s.fam === 4 || e.fam === 4) {
        if (lo < MAPPED) lo = MAPPED;
        if (hi > (MAPPED | 0xffffffffn)) hi = MAPPED | 0xffffffffn;
      }
      const comparable = (v: Val): boolean => v.fam === 4 || isMapped(v.x);
      if (fam === 4 && !(comparable(s) && comparable(e))) continue;
      if (lo <= x && x <= hi) return true;
    }
    return false;
  }

  rules(): string[] {
    const out: string[] = [];
    for (const v of [...this.addresses.values()].reverse()) {
      out.push(`Address: IPv${v.fam} ${canon(v)}`);
    }
    for (const { v, prefix } of [...this.subnets].reverse()) {
      out.push(`Subnet: IPv${v.fam} ${canon(v)}/${prefix}`);
    }
    for (const { s, e } of [...this.ranges].reverse()) {
      out.push(`Range: IPv${s.fam} ${canon(s)}-${canon(e)}`);
    }
    return out;
  }

  get size(): number {
    return this.addresses.size + this.subnets.length + this.ranges.length;
  }
}

/** Random values in three small spaces (IPv4, IPv4-mapped IPv6, plain IPv6) so that rules collide. */
function makeValues(rand: () => number, span: number) {
  const pick = (n: number): number => rand() * n | 0;
  return (opts: { zone?: boolean; sa?: boolean; space?: number; at?: number } = {}): Val => {
    const space = opts.space ?? pick(3);
    const i = opts.at ?? pick(span);
    const sa = opts.sa === true && rand() < 0.15;
    if (space === 0) {
      const n = (0x0a000000 + i) >>> 0;
      return { fam: 4, x: MAPPED | BigInt(n), text: dotted(n), zone: "", sa };
    }
    const zone = opts.zone && !sa && rand() < 0.1 ? (rand() < 0.5 ? "eth0" : "1") : "";
    const suffix = zone === "" ? "" : `%${zone}`;
    if (space === 1) {
      const n = (0x0a000000 + i) >>> 0;
      return { fam: 6, x: MAPPED | BigInt(n), text: `::ffff:${dotted(n)}${suffix}`, zone, sa };
    }
    const x = (0x20010db8n << 96n) | BigInt(i);
    const text = rand() < 0.8
      ? `2001:db8::${i.toString(16)}`
      : `2001:0db8:0:0:0:0:0:${i.toString(16).padStart(4, "0")}`;
    return { fam: 6, x, text: text + suffix, zone, sa };
  };
}

/** A prefix length: mostly near the full length (small subnets), sometimes wide ones. */
function prefixFor(rand: () => number, v: Val): number {
  const full = v.fam === 4 ? 32 : 128;
  const r = rand();
  if (r < 0.004) return 0;
  if (r < 0.015) return v.fam === 4 ? 8 : (isMapped(v.x) ? 96 : 64);
  return full - (rand() * 6 | 0);
}

/** Runs `count` random operations against both, asserting after each check and every 250 ops. */
function runSequence(seed: number, count: number, span: number): { checks: number; hits: number } {
  const rand = prng(seed);
  const value = makeValues(rand, span);
  const ours = new BlockList();
  const model = new Model();
  const subnets: { v: Val; prefix: number }[] = [];
  const ranges: { s: Val; e: Val }[] = [];
  const addresses: Val[] = [];
  let checks = 0, hits = 0;
  const probe = (): void => {
    const space = rand() * 3 | 0;
    const v = value({ space, zone: true, sa: true });
    // IPv4 input may also be asked as IPv6 (and be invalid there), and the other way round.
    let type = famName(v);
    if (rand() < 0.03) type = type === "ipv4" ? "ipv6" : "ipv4";
    const want = v.sa || type === famName(v) ? model.check(v.x, v.fam) : false;
    const got = ours.check(arg(v), type);
    assert.is(got, want, `check(${v.text}, ${type}) after seed ${seed}`);
    checks++;
    if (want) hits++;
  };
  for (let op = 0; op < count; op++) {
    // The first half mostly adds, the second half mostly removes.
    const addBias = op < count / 2 ? 0.45 : 0.2;
    const r = rand();
    if (r < 0.3) {
      probe();
    } else if (r < 0.3 + addBias) {
      const kind = rand();
      if (kind < 0.35) {
        const v = value({ sa: true });
        ours.addAddress(arg(v), famName(v));
        model.addAddress(v);
        addresses.push(v);
      } else if (kind < 0.4) {
        const vs = [value(), value(), value()].filter((v) => v.fam === 4);
        ours.addAddresses(vs.map((v) => v.text));
        for (const v of vs) model.addAddress(v), addresses.push(v);
      } else if (kind < 0.7) {
        const v = value({ zone: true, sa: true });
        const prefix = prefixFor(rand, v);
        if (rand() < 0.2 && !v.sa) ours.addCIDR(`${v.text}/${prefix}`);
        else ours.addSubnet(arg(v), prefix, famName(v));
        model.subnets.push({ v, prefix });
        subnets.push({ v, prefix });
      } else {
        const s = value({ zone: true, sa: true });
        const space = s.fam === 4 ? 0 : (isMapped(s.x) ? 1 : 2);
        const si = Number(s.x & 0xffffffffn) - (space === 2 ? 0 : 0x0a000000);
        const width = rand() < 0.02 ? span : 64;
        const ei = Math.max(
          0,
          Math.min(span - 1, si + (rand() * width | 0) - (rand() < 0.05 ? 3 : 0)),
        );
        // A SocketAddress range may mix families, e.g. an IPv4 start with an IPv6 end.
        const e = value({ space: s.sa && rand() < 0.4 ? rand() * 3 | 0 : space, at: ei });
        e.sa = s.sa;
        if (Model.reversed(s, e)) {
          assert.throws(() => ours.addRange(arg(s), arg(e), famName(s)));
        } else {
          ours.addRange(arg(s), arg(e), famName(s));
          model.ranges.push({ s, e });
          ranges.push({ s, e });
        }
      }
    } else if (r < 0.9995) {
      const kind = rand();
      // Mostly a rule that was added (it may be gone already), sometimes a fresh one.
      const old = <T>(list: T[]): T | undefined =>
        list.length > 0 && rand() < 0.9 ? list[rand() * list.length | 0] : undefined;
      if (kind < 0.4) {
        const v = old(addresses) ?? value();
        ours.removeAddress(arg(v), famName(v));
        model.addresses.delete(v.x);
      } else if (kind < 0.75) {
        const s = old(subnets) ?? { v: value({ zone: true }), prefix: 0 };
        if (s.prefix === 0) s.prefix = prefixFor(rand, s.v);
        if (rand() < 0.2 && !s.v.sa) ours.removeCIDR(`${s.v.text}/${s.prefix}`);
        else ours.removeSubnet(arg(s.v), s.prefix, famName(s.v));
        model.removeSubnet(s.v, s.prefix);
      } else {
        const rg = old(ranges);
        if (rg === undefined) continue;
        ours.removeRange(arg(rg.s), arg(rg.e), famName(rg.s));
        model.removeRange(rg.s, rg.e);
      }
    } else {
      ours.clear();
      model.addresses.clear();
      model.subnets = [];
      model.ranges = [];
    }
    if (op % 250 === 249 || op === count - 1) {
      assert.is(ours.size, model.size, `size at op ${op}, seed ${seed}`);
      assert.equal(ours.rules, model.rules(), `rules at op ${op}, seed ${seed}`);
      for (let i = 0; i < 50; i++) probe();
    }
  }
  return { checks, hits };
}

const random = suite("BlockList agrees with a reference model over random sequences");
for (const [seed, count, span] of [[1, 6000, 16384], [2, 6000, 4096], [3, 4000, 65536]]) {
  random(`seed ${seed}: ${count} add/remove/check ops over ${span} addresses per space`, () => {
    const { checks, hits } = runSequence(seed, count, span);
    // Both answers must be well represented, or the comparison proves little.
    assert.ok(hits > checks * 0.1 && hits < checks * 0.9, `hits ${hits} of ${checks}`);
  });
}
random("many rules: the index spans many blocks, and compacts when most go", () => {
  const rand = prng(9);
  const value = makeValues(rand, 1 << 16);
  const ours = new BlockList();
  const model = new Model();
  const added: { v: Val; prefix: number }[] = [];
  for (let i = 0; i < 3000; i++) {
    const v = value({ space: rand() < 0.5 ? 0 : 2 });
    const prefix = (v.fam === 4 ? 32 : 128) - (rand() * 4 | 0);
    ours.addSubnet(v.text, prefix, famName(v));
    model.subnets.push({ v, prefix });
    added.push({ v, prefix });
  }
  // A wide subnet over everything, added and removed while the small ones stay.
  ours.addSubnet("10.0.0.0", 8);
  ours.removeSubnet("10.0.0.0", 8);
  // Most go (blocks shrink and merge, rows compact), then the rest (blocks vanish).
  for (const keep of [10, 1]) {
    for (let i = 0; i < added.length; i++) {
      if (i % keep === 0 && keep !== 1) continue;
      ours.removeSubnet(added[i].v.text, added[i].prefix, famName(added[i].v));
      model.removeSubnet(added[i].v, added[i].prefix);
    }
    for (let i = 0; i < 3000; i++) {
      const v = value({ space: rand() < 0.5 ? 0 : 2 });
      assert.is(ours.check(v.text, famName(v)), model.check(v.x, v.fam), v.text);
    }
    assert.equal(ours.rules, model.rules());
  }
  assert.is(ours.size, 0);
});
random("an unchanging list answers the same from its flat index, and again after changes", () => {
  const rand = prng(21);
  const value = makeValues(rand, 4096);
  const ours = new BlockList();
  const model = new Model();
  const subnets: { v: Val; prefix: number }[] = [];
  const addSome = (): void => {
    for (let i = 0; i < 300; i++) {
      const v = value();
      if (rand() < 0.5) {
        ours.addAddress(v.text, famName(v));
        model.addAddress(v);
      } else {
        const prefix = prefixFor(rand, v);
        ours.addSubnet(v.text, prefix, famName(v));
        model.subnets.push({ v, prefix });
        subnets.push({ v, prefix });
      }
    }
  };
  const probes = Array.from({ length: 512 }, () => value());
  // More checks than the list has rules, twice over: the flat index gets built midway.
  const sweep = (): void => {
    const want = probes.map((v) => model.check(v.x, v.fam));
    for (let i = 0; i < 2 * ours.size + 4096; i++) {
      const v = probes[i & 511];
      assert.is(ours.check(v.text, famName(v)), want[i & 511], v.text);
    }
  };
  addSome();
  sweep();
  for (const { v, prefix } of subnets.splice(0, 100)) {
    ours.removeSubnet(v.text, prefix, famName(v));
    model.removeSubnet(v, prefix);
  }
  sweep();
  addSome();
  sweep();
  ours.clear();
  model.addresses.clear();
  model.subnets = [];
  sweep();
});
random("the settled IPv4 index answers exactly at interval edges and bucket bounds", () => {
  const rand = prng(33);
  const text = (x: number): string =>
    `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  const u32 = (): number => (rand() * 0x100000000) >>> 0;
  // Each layout: [start, end] ranges (end === start is an address rule).
  const layouts: [number, number][][] = [
    [[0, 0]],
    [[0xffffffff, 0xffffffff]],
    [[0, 0xffffffff]],
    [[0, 0], [0xffffffff, 0xffffffff]],
    [[0x0a000000, 0x0a0000ff], [0x0a000101, 0x0a000101], [0x0a000102, 0x0a000200]],
    Array.from(
      { length: 500 },
      (_, i): [number, number] => [0x0a000000 + 2 * i, 0x0a000000 + 2 * i],
    ),
    Array.from({ length: 700 }, (): [number, number] => {
      const a = u32();
      return [a, Math.min(0xffffffff, a + Math.floor(rand() * 5000))];
    }),
    Array.from({ length: 700 }, (): [number, number] => {
      const a = 0x0a000000 + Math.floor(rand() * 0x10000);
      return [a, a + Math.floor(rand() * 3)];
    }),
  ];
  for (const layout of layouts) {
    const list = new BlockList();
    for (const [a, b] of layout) {
      if (a === b) list.addAddress(text(a));
      else list.addRange(text(a), text(b));
    }
    const blocked = (x: number): boolean => layout.some(([a, b]) => a <= x && x <= b);
    const probes = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    for (const [a, b] of layout) probes.push(a - 1, a, a + 1, b - 1, b, b + 1);
    for (let i = 0; i < 300; i++) probes.push(u32());
    const inRange = probes.filter((x) => x >= 0 && x <= 0xffffffff);
    // Checked without change long enough: the flat index answers from here on.
    for (let i = 0; i < 2 * list.size + 2048; i++) list.check("11.0.0.1");
    for (const x of inRange) assert.is(list.check(text(x)), blocked(x), text(x));
  }
});
random("the settled IPv6 index answers exactly at interval edges and bucket bounds", () => {
  const rand = prng(34);
  const ONES = (1n << 128n) - 1n;
  const full = (x: bigint): string => {
    const groups: string[] = [];
    for (let i = 7; i >= 0; i--) groups.push(((x >> BigInt(16 * i)) & 0xffffn).toString(16));
    return groups.join(":");
  };
  const u128 = (): bigint => {
    let x = 0n;
    for (let i = 0; i < 4; i++) x = (x << 32n) | BigInt((rand() * 0x100000000) >>> 0);
    return x;
  };
  const val = (x: bigint): Val => ({ fam: 6, x, text: full(x), zone: "", sa: false });
  // Intervals that differ first in each word, inside a word (the window starts
  // mid-word), at both ends of the space, across the IPv4-mapped block, and
  // many of them under one long shared prefix.
  const near = (base: bigint, bits: number, count: number, width: number): [bigint, bigint][] =>
    Array.from({ length: count }, () => {
      const a = base + (u128() & ((1n << BigInt(bits)) - 1n));
      const b = a + BigInt(rand() * width | 0);
      return [a, b > ONES ? ONES : b];
    });
  const layouts: [bigint, bigint][][] = [
    [[0n, 0n]],
    [[ONES, ONES]],
    [[0n, ONES]],
    [[0n, 5n], [ONES - 5n, ONES]],
    [[0xffffn << 32n, (0xffffn << 32n) + 0xffffffffn]],
    [[(0xffffn << 32n) - 10n, (0xffffn << 32n) + 10n], [0xfffen << 32n, (0xfffen << 32n) + 3n]],
    near(0n, 128, 300, 1 << 20),
    near(0x20010db8n << 96n, 96, 300, 1000),
    near(0x20010db8n << 96n, 80, 300, 1000),
    near(0x20010db8n << 96n, 37, 300, 50),
    near((0x20010db8n << 96n) | (0xabcdn << 64n), 64, 300, 1000),
    near((0x20010db8n << 96n) | (0xabcdn << 64n), 29, 300, 8),
    near(0xfe80n << 112n, 16, 300, 3),
    Array.from({ length: 400 }, (_, i): [bigint, bigint] => {
      const a = (0x20010db8n << 96n) + BigInt(2 * i);
      return [a, a];
    }),
  ];
  for (const layout of layouts) {
    const list = new BlockList();
    const model = new Model();
    for (const [a, b] of layout) {
      // Ranges (not address rules), so that each one lands in the interval cover.
      list.addRange(full(a), full(b), "ipv6");
      model.ranges.push({ s: val(a), e: val(b) });
    }
    const probes: bigint[] = [0n, 1n, ONES - 1n, ONES, 0xffffn << 32n];
    for (const [a, b] of layout) probes.push(a - 1n, a, a + 1n, b - 1n, b, b + 1n);
    for (let i = 0; i < 300; i++) probes.push(u128());
    const inRange = probes.filter((x) => x >= 0n && x <= ONES);
    const want = inRange.map((x) => model.check(x, 6));
    // Before the flat index exists, then once it answers.
    for (let k = 0; k < 2; k++) {
      inRange.forEach((x, i) => assert.is(list.check(full(x), "ipv6"), want[i], full(x)));
      for (let i = 0; i < 2 * list.size + 2048; i++) list.check("100::1", "ipv6");
    }
    // A change drops the flat index: answers follow the change at once.
    const [a] = layout[0];
    list.removeRange(full(layout[0][0]), full(layout[0][1]), "ipv6");
    model.ranges.shift();
    assert.is(list.check(full(a), "ipv6"), model.check(a, 6), full(a));
  }
});
random("IPv6 subnet, range and address churn interleaved with checks, settled and not", () => {
  const rand = prng(35);
  const pick = (n: number): number => rand() * n | 0;
  const hex = (n: number): string => n.toString(16);
  // 2001:db8:X:Y::Z, written compressed or in full (the staged and the full scan).
  const at = (x: number, y: number, z: number): Val => {
    const v = (0x20010db8n << 96n) | (BigInt(x) << 80n) | (BigInt(y) << 64n) | BigInt(z);
    const text = rand() < 0.7
      ? (z === 0 && rand() < 0.5
        ? `2001:db8:${hex(x)}:${hex(y)}::`
        : `2001:db8:${hex(x)}:${hex(y)}::${z > 0xffff ? `${hex(z >>> 16)}:` : ""}${
          hex(z & 0xffff)
        }`)
      : `2001:db8:${hex(x)}:${hex(y)}:0:0:${hex(z >>> 16)}:${hex(z & 0xffff)}`;
    return { fam: 6, x: v, text, zone: "", sa: false };
  };
  const ours = new BlockList();
  const model = new Model();
  // Base: /48s over 2001:db8::/32, enough boundaries for many blocks of the cover, and IPv4 rules.
  const base: number[] = [];
  for (let i = 0; i < 600; i++) {
    const x = pick(0x10000);
    base.push(x);
    ours.addSubnet(`2001:db8:${hex(x)}::`, 48, "ipv6");
    model.subnets.push({ v: at(x, 0, 0), prefix: 48 });
  }
  for (let i = 0; i < 200; i++) ours.addAddress(dotted(0x0a000000 + i));
  const v4 = Array.from({ length: 200 }, (_, i): Val => ({
    fam: 4,
    x: MAPPED | BigInt(0x0a000000 + i),
    text: dotted(0x0a000000 + i),
    zone: "",
    sa: false,
  }));
  for (const v of v4) model.addAddress(v);
  let asked = 0, hits = 0;
  const ask = (v: Val): void => {
    const want = model.check(v.x, 6);
    assert.is(ours.check(v.text, "ipv6"), want, v.text);
    asked++;
    if (want) hits++;
  };
  // X values near the base ones too, so that churn lands inside and beside base /48s.
  const someX = (): number =>
    (rand() < 0.5 ? base[pick(base.length)] + pick(3) - 1 : pick(0x10000)) & 0xffff;
  const subnets: { v: Val; prefix: number }[] = [];
  const ranges: { s: Val; e: Val }[] = [];
  const addresses: Val[] = [];
  for (let op = 0; op < 2500; op++) {
    // Now and then a long run of checks settles the flat IPv6 index, which the changes that
    // follow go around (its delta, then the live cover once the delta is full).
    if (op % 600 === 300) {
      for (let i = 0; i < ours.size + 4096; i++) ours.check("2001:db8::1", "ipv6");
    }
    const r = rand();
    const x = someX(), y = pick(0x10000);
    let probe: Val;
    if (r < 0.3) {
      const prefix = [64, 64, 60, 48, 56, 72, 40, 44][pick(8)];
      const v = at(x, y, prefix > 64 ? (pick(0x10000) << 16) >>> 0 : 0);
      ours.addSubnet(v.text, prefix, "ipv6");
      model.subnets.push({ v, prefix });
      subnets.push({ v, prefix });
      probe = at(x, y, pick(0x100));
    } else if (r < 0.45) {
      const z = pick(0x1000);
      const s = at(x, y, z), e = at(x, rand() < 0.9 || y === 0xffff ? y : y + 1, z + pick(40));
      ours.addRange(s.text, e.text, "ipv6");
      model.ranges.push({ s, e });
      ranges.push({ s, e });
      probe = at(x, y, z + pick(50) - 5 < 0 ? 0 : z + pick(50) - 5);
    } else if (r < 0.55) {
      const v = at(x, y, pick(0x100));
      ours.addAddress(v.text, "ipv6");
      model.addAddress(v);
      addresses.push(v);
      probe = v;
    } else if (r < 0.8 && subnets.length > 0) {
      const [{ v, prefix }] = subnets.splice(pick(subnets.length), 1);
      ours.removeSubnet(v.text, prefix, "ipv6");
      model.removeSubnet(v, prefix);
      probe = at(Number((v.x >> 80n) & 0xffffn), Number((v.x >> 64n) & 0xffffn), pick(0x100));
    } else if (r < 0.93 && ranges.length > 0) {
      const [{ s, e }] = ranges.splice(pick(ranges.length), 1);
      ours.removeRange(s.text, e.text, "ipv6");
      model.removeRange(s, e);
      probe = s;
    } else if (addresses.length > 0) {
      const [v] = addresses.splice(pick(addresses.length), 1);
      ours.removeAddress(v.text, "ipv6");
      model.addresses.delete(v.x);
      probe = v;
    } else {
      continue;
    }
    // Three checks per change: its value, a random address, one in a base /48.
    ask(probe);
    ask(at(pick(0x10000), pick(0x10000), pick(0x10000)));
    ask(at(base[pick(base.length)], pick(0x10000), pick(0x10000)));
  }
  assert.equal(ours.rules, model.rules());
  assert.ok(hits > asked * 0.1 && hits < asked * 0.9, `hits ${hits} of ${asked}`);
});
random.run();
