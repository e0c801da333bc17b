import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BlockList } from "../core/block_list.ts";
import {
  type _Blocks6,
  _HEAD,
  _head6,
  _LOW,
  _low6,
  _stage6,
  _tail6,
} from "../core/_block_list_scan6.ts";
import { _parseIPv6Fast, parseIPv6 } from "../core/ip.ts";
import { SocketAddress } from "../core/socket_address.ts";
import { prng, randomInput, randomIPv6 } from "./fixtures/ip_inputs.ts";

// The staged IPv6 check of BlockList: the first groups of the text decide
// for a whole block of the address space, the rest is read only to validate
// a hit. Its scan functions must agree with the full parse on every text, and
// the list's answers with a brute-force model, for every way of writing an
// address (`::` anywhere, upper case, leading zeros, an embedded IPv4 tail, a
// zone), for invalid texts whose head alone would say "blocked" or "free",
// and while the list settles and changes.

const ONES = (1n << 128n) - 1n;
const MAPPED = 0xffffn << 32n;

/** The 8 groups of a 128-bit value. */
function groupsOf(x: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((x >> BigInt(16 * (7 - i))) & 0xffffn));
}

/** The value of a text as the list's full parse reads it (before the first `%`), or null. */
function valueOf(text: string): bigint | null {
  const pct = text.indexOf("%");
  const words = new Uint16Array(8);
  if (parseIPv6(pct === -1 ? text : text.slice(0, pct), words) !== 1) return null;
  let x = 0n;
  for (const w of words) x = (x << 16n) | BigInt(w);
  return x;
}

const scan = suite("the staged scan agrees with the full parse");

/** Random IPv6 texts and other inputs, and crafted ones around what the scans decide. */
function scanTexts(seed: number): string[] {
  const rand = prng(seed);
  const texts: string[] = [];
  for (let i = 0; i < 4000; i++) texts.push(randomIPv6(rand), randomInput(rand));
  const crafted = [
    "2001:db8:5::1",
    "2001:db8::1",
    "2001:db8:5:1::",
    "2001:db8:5:1:2:3:4:5",
    "2001:DB8:5:A::F",
    "2001:0db8:0005:0001:0:0:0:1",
    "2001:db8:5:1:2:3:1.2.3.4",
    "2001:db8:5::1.2.3.4",
    "2001:db8:5::1%eth0",
    "2001:db8:5::1%",
    "2001:db8:5:",
    "2001:db8:5:1",
    "2001:db8:5:::1",
    "2001:db8:5::1::2",
    "2001:db8:5:1:2:3:4:5:6",
    "2001:db8:5:1:2:3:4:5:",
    "2001:db8:5:1:2:3:4::5",
    "2001:db8:5:1:2:3::4",
    "2001:db8:5:1:2:3:4::",
    "2001:db8:5:10000::1",
    "2001:db8:5:g::1",
    "02001:db8:5::1",
    "2001:db8::5:1:2:3:4:5",
    "::ffff:1.2.3.4",
    "::1",
    "1::",
    "1:2::",
    "1:2:3::",
    "1:2:3:4::",
    "0:0:0:0:0:ffff:102:304",
    "2001:db8:5:1::7",
    "2001:db8:5:1:2::7",
    "2001:db8:5:1:2:3::",
    "2001:db8:5:1::2:3:7",
    "2001:db8:5::2:3:4:7",
    "2001:db8:5::1:2:3:4:7",
    "2001:db8:5:1:2::3::",
    "2001:db8:5:1:2:3:4:5:",
    // Characters beyond ASCII whose low bits are a hex digit or a colon.
    "2001:db8:5::\u0131",
    "2001:db8:\u0135::1",
    "2001:db8:5:\uff1a:1",
    "2001:db8:5:\u013a:1",
    "2001:db8:5::\u0661",
    "\u0132001:db8:5::1",
    "2001:db8:5::1\u0100",
    "2001:db8:5:1:2:3:4:\u0135",
    // Groups of 1-5 digits at each place, and texts that end inside the head.
    "2:d:5::1",
    "20011:db8:5::1",
    "2001:db8:50000::1",
    "2001:db8:5:10000",
    "2001:db8:5:1:2:3:4:10000",
    "2001:db8:5::10000",
    "2001:db8:5::1:",
    "2001:db8:5::1:2:",
    "2001:db8:5:1:2:3:4:",
    "2001:db8",
    "2001:db8:",
    "2001:db8::",
    "2001:db8:5",
    "2001:db8:5::",
    "2001:db8:5:::",
    "2001:db8:5:1::",
    "2001:db8:5:1:::",
    "2001:db8:5:1:2::",
    "a:b:c:d:e:f:0:1",
    "A:B:C:D::",
    "",
    ":",
    "::",
    "1::2:3:4:5:6:7",
    "1:2::3:4:5:6:7",
    "1:2:3::4:5:6:7",
    "1:2:3:4::5:6:7",
    "1:2:3:4:5::6:7:8",
  ];
  texts.push(...crafted);
  return texts;
}

scan("_head6, _tail6 and _low6 on random and crafted texts", () => {
  const texts = scanTexts(61);
  const out = new Uint32Array(4);
  let headed = 0, tailed = 0, lowered = 0;
  for (const s of texts) {
    const fast = _parseIPv6Fast(s, out, s.length) === 1;
    const full = valueOf(s);
    for (let g = 1; g <= 4; g++) {
      const at = _head6(s, g);
      if (at === -1) continue;
      headed++;
      // Whatever follows, a valid text starts with the groups read (the rest 0).
      if (full !== null) {
        const hi = (BigInt(_HEAD[0] >>> 0) << 32n) | BigInt(_HEAD[1] >>> 0);
        const mask = ((1n << BigInt(16 * g)) - 1n) << BigInt(64 - 16 * g);
        assert.is(hi, (full >> 64n) & mask, `${s}: head of ${g} groups`);
      }
      const gap = _HEAD[2] !== 0;
      const valid = _tail6(s, at, g - _HEAD[2], gap);
      if (valid) tailed++;
      assert.is(valid, fast, `${s}: tail after ${g} groups`);
      if (g !== 4) continue;
      // After 64 bits, the rest read with its value: the low 64 bits of the full parse.
      const low = _low6(s, at, g - _HEAD[2], gap);
      assert.is(low, fast, `${s}: rest after 4 groups`);
      if (low) {
        lowered++;
        assert.equal([_LOW[0] >>> 0, _LOW[1] >>> 0], [out[2], out[3]], `${s}: low 64 bits`);
      }
    }
  }
  assert.ok(headed > 2000 && tailed > 500, `${headed} heads, ${tailed} valid tails`);
  assert.ok(lowered > 200, `${lowered} valid rests`);
});

scan("_stage6 answers as _head6, the index's answer for the block and _tail6 together", () => {
  const texts = scanTexts(64);
  const out = new Uint32Array(4);
  const seen: number[][] = [];
  let blocked = false;
  // Stands in for the flat index: notes the blocks asked about, answers `blocked`.
  const flat: _Blocks6 = {
    region(h0: number, h1: number): boolean {
      seen.push([h0, h1]);
      return blocked;
    },
  };
  const counts = [0, 0, 0];
  for (const s of texts) {
    const fast = _parseIPv6Fast(s, out, s.length) === 1;
    for (let g = 1; g <= 4; g++) {
      for (const b of [false, true]) {
        blocked = b;
        seen.length = 0;
        const r = _stage6(s, g, flat);
        counts[r + 1]++;
        const read = Array.from(_HEAD);
        const at = _head6(s, g);
        if (at === -1 || (_HEAD[0] | _HEAD[1]) === 0) {
          // Not named by its head, or a head of zeros (IPv4-mapped rules may apply): parsed whole.
          assert.is(r, -1, `${s}, ${g} groups`);
          assert.is(seen.length, 0, `${s}: no block asked`);
          continue;
        }
        assert.equal(seen, [[_HEAD[0], _HEAD[1]]], `${s}: the block of ${g} groups asked`);
        // A free block answers 0 whatever follows; a blocked one 1 for a valid plain text.
        assert.is(r, !b ? 0 : fast ? 1 : -1, `${s}, ${g} groups, blocked: ${b}`);
        // A free block also tells what was read, for the low 64 bits that may follow.
        if (r === 0) assert.equal(read, [_HEAD[0], _HEAD[1], _HEAD[2], at], `${s}: head read`);
        assert.is(_tail6(s, at, g - _HEAD[2], _HEAD[2] !== 0), fast, `${s}: tail`);
      }
    }
  }
  assert.ok(counts[0] > 1000 && counts[1] > 1000 && counts[2] > 500, `answers -1/0/1: ${counts}`);
});

scan("_head6 leaves to the full parse what it cannot name", () => {
  for (const s of ["::1", ":1::", "1.2.3.4", "2001", "2001:", "2001::1", "1:2:3", "x:1::"]) {
    assert.is(_head6(s, 3), -1, s);
  }
  // A `::` right after the groups read stands for the next one.
  assert.is(_head6("2001:db8::1", 3), 10);
  assert.equal([_HEAD[0] >>> 0, _HEAD[1], _HEAD[2]], [0x20010db8, 0, 1]);
  assert.is(_head6("2001:DB8:A:b::", 4), 13);
  assert.equal([_HEAD[0] >>> 0, _HEAD[1], _HEAD[2]], [0x20010db8, 0xa000b, 0]);
});

/** Rules of a list, as intervals of 128-bit values that IPv6 input matches. */
interface Rule {
  kind: "address" | "subnet" | "range";
  a: bigint;
  b: bigint;
  prefix: number;
}

const text6 = (x: bigint): string => groupsOf(x).map((g) => g.toString(16)).join(":");

/** A brute-force model of IPv6 input against IPv6 rules, and IPv4 rules for mapped input. */
class Model {
  rules: Rule[] = [];
  v4: [number, number][] = [];
  check(x: bigint): boolean {
    if (this.rules.some((r) => r.a <= x && x <= r.b)) return true;
    if (x >> 32n !== 0xffffn) return false;
    const v = Number(x & 0xffffffffn);
    return this.v4.some(([a, b]) => a <= v && v <= b);
  }
}

/** Applies a rule to the list and the model (`d` 1 adds, -1 removes the newest equal one). */
function apply(list: BlockList, model: Model, r: Rule, d: number): void {
  if (r.kind === "address") {
    if (d > 0) list.addAddress(text6(r.a), "ipv6");
    else list.removeAddress(text6(r.a), "ipv6");
  } else if (r.kind === "subnet") {
    if (d > 0) list.addSubnet(text6(r.a), r.prefix, "ipv6");
    else list.removeSubnet(text6(r.a), r.prefix, "ipv6");
  } else if (d > 0) list.addRange(text6(r.a), text6(r.b), "ipv6");
  else list.removeRange(text6(r.a), text6(r.b), "ipv6");
  if (d > 0) {
    model.rules.push(r);
    return;
  }
  for (let i = model.rules.length - 1; i >= 0; i--) {
    const m = model.rules[i];
    if (m.kind === r.kind && m.a === r.a && m.b === r.b && m.prefix === r.prefix) {
      model.rules.splice(i, 1);
      return;
    }
  }
}

/** Every way of writing `x` that the texts below use: `::` at each zero run, case, zeros, IPv4 tail, zone. */
function forms(x: bigint, rand: () => number): string[] {
  const g = groupsOf(x);
  const hex = (v: number): string => {
    let t = v.toString(16);
    if (rand() < 0.2) t = t.padStart(4, "0");
    return rand() < 0.2 ? t.toUpperCase() : t;
  };
  const out = [g.map(hex).join(":")];
  // `::` over each run of zero groups (also a run of one, and a part of a run).
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j <= 8 && g[j - 1] === 0; j++) {
      if (i === 0 && j === 8) continue;
      out.push(`${g.slice(0, i).map(hex).join(":")}::${g.slice(j).map(hex).join(":")}`);
    }
  }
  const v4 = `${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  out.push(`${g.slice(0, 6).map(hex).join(":")}:${v4}`);
  out.push(`${out[out.length > 1 ? 1 : 0]}%eth0`, `${out[0]}%`);
  return out;
}

/** Texts close to `t` that are mostly invalid (some stay valid: the model decides). */
function broken(t: string, rand: () => number): string[] {
  const at = (rand() * t.length) | 0;
  return [
    `${t}:`,
    `${t}::`,
    `${t}:1`,
    `${t}g`,
    `${t.slice(0, at)}g${t.slice(at + 1)}`,
    `${t.slice(0, at)}:${t.slice(at)}`,
    `${t.slice(0, at)}${t.slice(at + 1)}`,
    `${t.slice(0, at)}12345${t.slice(at)}`,
    `${t} `,
    `${t}:1:2:3:4:5:6:7:8`,
  ];
}

/** What check(text, "ipv6") must answer. */
function want(model: Model, text: string): boolean {
  const x = valueOf(text);
  return x !== null && model.check(x);
}

/** Values in blocked and free blocks, at their edges, and near the address rules. */
function probeValues(model: Model, rand: () => number): bigint[] {
  const out: bigint[] = [];
  const u64 = (): bigint => BigInt(Math.floor(rand() * 2 ** 32)) << 32n;
  for (const r of model.rules) {
    for (const x of [r.a - 1n, r.a, r.b, r.b + 1n, r.a + u64() % (r.b - r.a + 1n)]) {
      if (x >= 0n && x <= ONES) out.push(x);
    }
    // Other addresses in the /64 of an address rule: the count by 64-bit prefix says "maybe".
    if (r.kind === "address") out.push(r.a ^ 1n, r.a ^ 0x10000n);
  }
  for (let i = 0; i < 200; i++) {
    out.push((0x20010db8n << 96n) | (BigInt((rand() * 0x10000) | 0) << 80n) | u64());
  }
  out.push(MAPPED | 0x0a000001n, MAPPED | 0x0b000001n, 1n, 0n);
  return out;
}

/**
 * Checks every form (valid and broken) of the probe values against the model;
 * `between` runs after each value's forms.
 */
function compare(
  list: BlockList,
  model: Model,
  rand: () => number,
  label: string,
  between?: () => void,
): number {
  let hits = 0;
  for (const x of probeValues(model, rand)) {
    const texts = forms(x, rand);
    for (const t of [...texts, ...broken(texts[(rand() * texts.length) | 0], rand)]) {
      const w = want(model, t);
      if (w) hits++;
      assert.is(list.check(t, "ipv6"), w, `${label}: check(${t})`);
    }
    between?.();
  }
  return hits;
}

/** Settles the list: checks enough to build its flat indexes. */
function settle(list: BlockList): void {
  for (let i = 0; i < 2 * list.size + 2048; i++) {
    list.check("fd00::1", "ipv6");
    list.check("11.0.0.1");
  }
}

const staged = suite("BlockList's staged IPv6 check agrees with a model");

/** Aligned IPv6 rules (blocks of /16 to /64) under 2001:db8::/32, and a few elsewhere. */
function alignedRules(rand: () => number, n: number): Rule[] {
  const rules: Rule[] = [];
  for (let i = 0; i < n; i++) {
    const prefix = [32, 40, 48, 48, 48, 56, 64, 64][(rand() * 8) | 0];
    const net = (0x20010db8n << 96n) | (BigInt(Math.floor(rand() * 2 ** 32)) << 64n);
    const size = 1n << BigInt(128 - prefix);
    const a = (prefix === 32 ? 0x2001fd00n << 96n : net) & ~(size - 1n);
    if (rand() < 0.7) rules.push({ kind: "subnet", a, b: a + size - 1n, prefix });
    else {
      // A range of whole /64s.
      const b = a + (BigInt((rand() * 5) | 0) + 1n) * (1n << 64n) - 1n;
      rules.push({ kind: "range", a, b, prefix: 0 });
    }
  }
  return rules;
}

staged("settled, changing (the delta), overflowing and rebuilt, with IPv6 address rules", () => {
  const rand = prng(62);
  const list = new BlockList();
  const model = new Model();
  // IPv4 rules that mapped input matches, and an IPv6 subnet over the mapped block.
  list.addSubnet("10.0.0.0", 8);
  model.v4.push([0x0a000000, 0x0affffff]);
  const rules = alignedRules(rand, 120);
  for (const r of rules) apply(list, model, r, 1);
  let hits = compare(list, model, rand, "cover");
  settle(list);
  hits += compare(list, model, rand, "settled");
  // Changes the flat index takes in its delta: new blocks, removed old ones,
  // one added and removed again, overlapping ones.
  const extra = alignedRules(rand, 40);
  for (let k = 0; k < extra.length; k++) {
    apply(list, model, extra[k], 1);
    if (k % 3 === 1) apply(list, model, rules[k], -1);
    if (k % 5 === 2) apply(list, model, extra[k], -1);
    hits += compare(list, model, rand, `change ${k}`);
  }
  // IPv6 address rules: in free and in blocked blocks.
  const addrs: Rule[] = [];
  for (let i = 0; i < 30; i++) {
    const a = (0x20010db8n << 96n) | (BigInt(Math.floor(rand() * 2 ** 32)) << 64n) | 5n;
    addrs.push({ kind: "address", a, b: a, prefix: 128 });
  }
  for (const r of addrs) apply(list, model, r, 1);
  hits += compare(list, model, rand, "addresses");
  settle(list);
  hits += compare(list, model, rand, "addresses, settled");
  for (const r of addrs.slice(0, 20)) apply(list, model, r, -1);
  hits += compare(list, model, rand, "addresses removed");
  assert.ok(hits > 500, `${hits} hits`);
});

staged("a rule finer than 64 bits turns the staged check off, exactly", () => {
  const rand = prng(63);
  const list = new BlockList();
  const model = new Model();
  for (const r of alignedRules(rand, 50)) apply(list, model, r, 1);
  settle(list);
  compare(list, model, rand, "aligned");
  const fine: Rule = {
    kind: "subnet",
    a: (0x20010db8n << 96n) | 0x100n,
    b: (0x20010db8n << 96n) | 0x1ffn,
    prefix: 120,
  };
  apply(list, model, fine, 1);
  compare(list, model, rand, "with a /120");
  settle(list);
  compare(list, model, rand, "with a /120, settled");
  apply(list, model, fine, -1);
  compare(list, model, rand, "without it");
  settle(list);
  compare(list, model, rand, "without it, settled");
});

staged("an empty or IPv4-only list answers false without the IPv6 index", () => {
  const list = new BlockList();
  for (const t of ["2001:db8::1", "2001:db8:1:2:3:4:5:6", "2001:db8:1::zz", "::ffff:10.0.0.1"]) {
    assert.is(list.check(t, "ipv6"), false, t);
  }
  list.addSubnet("10.0.0.0", 8);
  settle(list);
  assert.is(list.check("::ffff:10.0.0.1", "ipv6"), true);
  assert.is(list.check("::FFFF:a00:1", "ipv6"), true);
  assert.is(list.check("0:0:0:0:0:ffff:10.0.0.1%eth0", "ipv6"), true);
  assert.is(list.check("::ffff:11.0.0.1", "ipv6"), false);
  assert.is(list.check("2001:db8:1:2:3:4:5:6", "ipv6"), false);
});

staged("a blocked block: valid texts hit, invalid tails miss, in every form", () => {
  const list = new BlockList();
  list.addSubnet("2001:db8:5::", 48, "ipv6");
  list.addCIDR("2001:db8:7:8::/64");
  const hit = [
    "2001:db8:5::",
    "2001:db8:5::1",
    "2001:DB8:5:FFFF:FFFF:FFFF:FFFF:FFFF",
    "2001:0db8:0005:0000:0000:0000:0000:0001",
    "2001:db8:5:1:2:3:1.2.3.4",
    "2001:db8:5::1.2.3.4",
    "2001:db8:5::1%eth0",
    "2001:db8:5::1%",
    "2001:db8:7:8::",
    "2001:db8:7:8:1:2:3:4",
  ];
  const miss = [
    "2001:db8:5::1::",
    "2001:db8:5:::1",
    "2001:db8:5:1:2:3:4:5:6",
    "2001:db8:5:1",
    "2001:db8:5:",
    "2001:db8:5::g",
    "2001:db8:5::12345",
    "2001:db8:5:1:2:3:4:1.2.3.4",
    "2001:db8:5::1.2.3",
    "2001:db8:5::1 ",
    "2001:db8:6::1",
    "2001:db8:7:9::1",
    "2001:db8:4:ffff:ffff:ffff:ffff:ffff",
    "2001:db8:5::\u0131",
    "2001:db8:5:\uff1a:1",
    "2001:db8:5::1\u0100",
    "2001:db8:5:1:2:3:4:\u0135",
  ];
  for (let round = 0; round < 2; round++) {
    for (const t of hit) assert.is(list.check(t, "ipv6"), true, t);
    for (const t of miss) assert.is(list.check(t, "ipv6"), false, t);
    // SocketAddress input takes the parsed value: the same answers.
    for (const t of hit) {
      const sa = new SocketAddress({ address: t.split("%")[0], family: "ipv6" });
      assert.is(list.check(sa), true, t);
    }
    settle(list);
  }
});

staged(
  "a changing list with rules finer than 64 bits: the /64 decides unless a boundary splits it",
  () => {
    const rand = prng(64);
    const list = new BlockList();
    const model = new Model();
    list.addSubnet("10.0.0.0", 8);
    model.v4.push([0x0a000000, 0x0affffff]);
    for (const r of alignedRules(rand, 40)) apply(list, model, r, 1);
    // Fine rules: ranges inside one /64 (some side by side), /120s, and ranges
    // whose ends split two /64s with whole /64s between them.
    const fine: Rule[] = [];
    for (let i = 0; i < 60; i++) {
      const net = (0x20010db8n << 96n) | (BigInt(Math.floor(rand() * 2 ** 32)) << 64n);
      const low = BigInt(Math.floor(rand() * 2 ** 16)) << 4n;
      const kind = i % 4;
      if (kind === 0) {
        fine.push({ kind: "range", a: net | low, b: net | (low + 15n), prefix: 0 });
        fine.push({ kind: "range", a: net | (low + 16n), b: net | (low + 31n), prefix: 0 });
      } else if (kind === 1) {
        fine.push({
          kind: "subnet",
          a: net | (low << 4n),
          b: net | (low << 4n) | 255n,
          prefix: 120,
        });
      } else {
        const b = net + (BigInt(kind) << 64n) + (low << 40n);
        fine.push({ kind: "range", a: net | low, b, prefix: 0 });
      }
    }
    // A rule toggled between probes keeps the list changing: no flat index is built.
    const toggle: Rule = {
      kind: "range",
      a: 0x2001fe00n << 96n,
      b: (0x2001fe00n << 96n) | 31n,
      prefix: 0,
    };
    let hits = 0;
    const probe = (label: string): void => {
      hits += compare(list, model, rand, label, () => {
        apply(list, model, toggle, 1);
        apply(list, model, toggle, -1);
      });
    };
    for (const r of fine) apply(list, model, r, 1);
    probe("fine rules");
    for (let k = 0; k < fine.length; k += 3) apply(list, model, fine[k], -1);
    probe("a third removed");
    for (let k = 0; k < fine.length; k += 3) apply(list, model, fine[k], 1);
    for (let k = 1; k < fine.length; k += 2) apply(list, model, fine[k], 1);
    probe("some twice");
    assert.ok(hits > 1000, `${hits} hits`);
  },
);

staged.run();
scan.run();
