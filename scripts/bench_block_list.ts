/**
 * BlockList and isIP benchmark for one runtime: omninet's `BlockList` next to
 * the runtime's own `node:net` one. Prints one JSON line on stdout, which
 * `scripts/bench.mjs` gathers into a table; runs as TypeScript on Deno/Bun
 * and as built JavaScript (`dist/scripts/`) on Node.
 *
 * Parts (each run in its own process by bench.mjs):
 * - `main` (default): check() at 10-100k rules, adding 100k rules, isIP, and
 *   churn at 100k rules (rounds of one mutation + three checks);
 * - `big`: IPv4/IPv6 hit/miss check() at 100k and 1M rules, bulk load of 1M
 *   rules, toJSON()/fromJSON() of 1M rules;
 * - `mem`: bytes per rule of a 1M-rule list of `--impl=omninet|native`
 *   (heap + typed-array stores, and RSS), in a fresh process.
 *
 * - `churn`: the churn figures of `main` alone (`--v6=no`: IPv4 kinds only,
 *   `--v4=no`: IPv6 kinds only).
 * - `addr6`: the settled hit/miss checks and the checks against IPv6 address
 *   rules of `big` alone, at `--n=N` rules (default 100,000), omninet only.
 *
 * Usage: <runtime> scripts/bench_block_list.ts [--part=main|big|mem|churn|addr6] [--n=N] [--impl=omninet|native] [--native=no] [--budget-ms=N]
 * @module
 */
import * as nodeNet from "node:net";
import process from "node:process";
import { BlockList } from "../core/block_list.ts";
import { _parseIPv6Fast, isIP, parseIPv4 } from "../core/ip.ts";
import { type _Blocks6, _stage6 } from "../core/_block_list_scan6.ts";

/** A list with the methods the benchmark calls on either implementation. */
interface AnyBlockList {
  addAddress(a: string, t?: string): void;
  addRange(a: string, b: string, t?: string): void;
  addSubnet(a: string, p: number, t?: string): void;
  addCIDR?(c: string): void;
  removeAddress?(a: string, t?: string): void;
  removeRange?(a: string, b: string, t?: string): void;
  removeSubnet?(a: string, p: number, t?: string): void;
  toJSON?(): string[];
  fromJSON?(data: string[]): void;
  check(a: string, t?: string): boolean;
  readonly rules: string[];
}

const opt = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
/** Time spent measuring one cell, in ms. */
const BUDGET_MS = Number(opt("budget-ms") ?? 300);
const ours = (): AnyBlockList => new BlockList();
const native = (): AnyBlockList => new nodeNet.BlockList() as unknown as AnyBlockList;
const SIZES = [10, 1_000, 10_000, 100_000];
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/**
 * CPU time of this process in ms (user + system), the clock of every
 * figure: other processes sharing the machine's cores do not inflate it.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Some addresses that `fill` blocked: IPv4 address rules and IPv6 addresses inside its /48s. */
interface Blocked {
  v4: string[];
  v6: string[];
}

/** The arguments of `n` rules, made before any list sees them (flat strings). */
interface Rules {
  /** 0: IPv4 address, 1: IPv4 /24 subnet, 2: IPv4 range, 3: IPv6 /48 subnet. */
  kind: Uint8Array;
  /** The address, network or range start. */
  a: string[];
  /** The range end ("" for other kinds). */
  b: string[];
}

/** `n` rules: 60% IPv4 addresses, 20% IPv4 /24 subnets, 10% IPv4 ranges, 10% IPv6 /48 subnets. */
function makeRules(n: number, blocked?: Blocked): Rules {
  const rand = prng(n);
  const kind = new Uint8Array(n);
  const a: string[] = new Array(n);
  const b: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = rand();
    const x = (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0;
    b[i] = "";
    if (k < 0.6) {
      a[i] = v4(x);
      if (blocked && blocked.v4.length < 1024) blocked.v4.push(a[i]);
    } else if (k < 0.8) {
      kind[i] = 1;
      a[i] = v4(x & 0xffffff00);
    } else if (k < 0.9) {
      kind[i] = 2;
      a[i] = v4(x);
      b[i] = v4(x + 100);
    } else {
      kind[i] = 3;
      const net = `2001:db8:${(rand() * 0xffff | 0).toString(16)}:`;
      a[i] = `${net}:`;
      if (blocked && blocked.v6.length < 1024) {
        blocked.v6.push(`${net}${(i & 0xffff).toString(16)}::1`);
      }
    }
  }
  return { kind, a: flat(a), b: flat(b) };
}

/** Adds the rules to `list`, in order. */
function addRules(list: AnyBlockList, rules: Rules): void {
  const { kind, a, b } = rules;
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i];
    if (k === 0) list.addAddress(a[i]);
    else if (k === 1) list.addSubnet(a[i], 24);
    else if (k === 2) list.addRange(a[i], b[i]);
    else list.addSubnet(a[i], 48, "ipv6");
  }
}

/** Makes `n` rules and adds them to `list`. */
function fill(list: AnyBlockList, n: number, blocked?: Blocked): void {
  addRules(list, makeRules(n, blocked));
}

/**
 * Copies of `texts` as flat strings. A string built by concatenation is a
 * rope, which engines read more slowly character by character; addresses a
 * server checks (`socket.remoteAddress`) and rules it reads from a file or
 * JSON are flat, so every address the benchmark passes is made flat too.
 */
function flat<T>(texts: T): T {
  return JSON.parse(JSON.stringify(texts));
}

/** 1024 probe addresses: half inside 10/8 (some hits), half elsewhere. */
function probes(): string[] {
  const rand = prng(99);
  return flat(Array.from({ length: 1024 }, (_, i) =>
    v4(
      i & 1 ? (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0 : (rand() * 0xffffffff) >>> 0,
    )));
}

/** ns per call of `fn(i)`: a short warm-up, then a loop of about BUDGET_MS. */
function nsPerOp(fn: (i: number) => unknown): number {
  let sink = 0;
  const warm = cpuMs();
  // Long enough for the engines to finish compiling a path this loop is the first to take (JSC
  // tiers up on its own threads, which CPU time counts): the steady cost is what is measured.
  for (let i = 0; i < 200_000 && cpuMs() - warm < 200; i++) if (fn(i)) sink++;
  let ops = 0;
  const t0 = cpuMs();
  let t = t0;
  let batch = 10;
  while (t - t0 < BUDGET_MS) {
    for (let i = 0; i < batch; i++) if (fn(ops + i)) sink++;
    ops += batch;
    t = cpuMs();
    // Batches of about 5 ms: few clock reads for fast calls, no overshoot for slow ones.
    batch = Math.max(1, Math.min(100_000, Math.round((5 * ops) / (t - t0 || 1e-3))));
  }
  if (sink < 0) console.error(sink);
  return ((t - t0) * 1e6) / ops;
}

/** ns per `check()` of a string IPv4 address on a list of `n` rules. */
function measureCheck(make: () => AnyBlockList, n: number, addr: string[]): number {
  const list = make();
  fill(list, n);
  return nsPerOp((i) => list.check(addr[i & 1023]));
}

/** Time to add `n` rules (their strings made beforehand) and build the index, ms (median of 3 when quick). */
function addTime(make: () => AnyBlockList, n: number): number {
  const times: number[] = [];
  const rules = makeRules(n);
  for (let r = 0; r < 3; r++) {
    const t0 = cpuMs();
    const list = make();
    addRules(list, rules);
    list.check("1.2.3.4"); // includes building the index
    times.push(cpuMs() - t0);
    if (times[0] > 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Beyond this extrapolated cost per call, a native size is skipped (a linear scan). */
const SKIP_NS = 2_000_000;

/** Native check at each size, skipping sizes whose extrapolated cost is too high. */
function nativeChecks(addr: string[]): Record<number, number | null> {
  const out: Record<number, number | null> = {};
  let last: [number, number] | null = null;
  for (const n of SIZES) {
    if (last === null || last[1] * (n / last[0]) <= SKIP_NS) {
      out[n] = measureCheck(native, n, addr);
      last = [n, out[n]!];
    } else {
      out[n] = null;
    }
  }
  return out;
}

/** The runtime and its version, as the table shows it. */
function runtimeVersion(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${process.version}`;
}

/** ms taken by `fn`. */
function timeMs(fn: () => void): number {
  const t0 = cpuMs();
  fn();
  return cpuMs() - t0;
}

/** Pools of fresh values for churn rounds, none of them blocked by the base list. */
const POOL = 100_000;
const pool = (f: (i: number) => string): string[] =>
  flat(Array.from({ length: POOL }, (_, i) => f(i)));
// Subnets (/28) and ranges (16 addresses) at 101.0.0.0 + 64 i, with an address inside each.
const net = (i: number, offset: number): number => (0x65000000 + i * 64 + offset) >>> 0;
/** The churn values, made on first use (the memory part never makes them). */
const values = (() => {
  let v: Record<string, string[]> | null = null;
  return (): Record<string, string[]> =>
    v ??= {
      fresh: pool((i) => v4((0x64000000 + i * 3) >>> 0)), // 100.0.0.0/8
      netText: pool((i) => v4(net(i, 0))),
      cidrText: pool((i) => `${v4(net(i, 0))}/28`),
      netIn: pool((i) => v4(net(i, 5))),
      rangeStart: pool((i) => v4(net(i, 16))),
      rangeEnd: pool((i) => v4(net(i, 31))),
      rangeIn: pool((i) => v4(net(i, 20))),
    };
})();
const misses = flat(Array.from({ length: 1024 }, (_, i) => v4((0x0b000000 + i * 4099) >>> 0))); // 11/8
const subnetHits = flat(Array.from({ length: 1024 }, (_, i) => v4((0xc0a80000 + i * 37) >>> 0)));
/** Group `i` of a pool's IPv6 values: two hex groups from `i`. */
const g6 = (i: number): string => `${(i >>> 8).toString(16)}:${(i & 255).toString(16)}`;
/** The IPv6 churn values: addresses, /64 subnets and 16-address ranges outside the base. */
const values6 = (() => {
  let v: Record<string, string[]> | null = null;
  return (): Record<string, string[]> =>
    v ??= {
      fresh: pool((i) => `2001:db9:${g6(i)}::1`),
      netText: pool((i) => `2001:dba:${g6(i)}::`),
      cidrText: pool((i) => `2001:dba:${g6(i)}::/64`),
      netIn: pool((i) => `2001:dba:${g6(i)}::5`),
      rangeStart: pool((i) => `2001:dbb:${g6(i)}::10`),
      rangeEnd: pool((i) => `2001:dbb:${g6(i)}::1f`),
      rangeIn: pool((i) => `2001:dbb:${g6(i)}::14`),
    };
})();
/** IPv6 /48s of the IPv6 churn base, under 2001:db8::/32 (10,000 of the 65,536). */
const BASE6 = 10_000;
const base6 = flat(
  Array.from({ length: BASE6 }, (_, i) => `2001:db8:${((i * 6007) & 0xffff).toString(16)}::`),
);
// Misses: free /48s of 2001:db8::/32 and addresses outside it; hits: inside the base /48s.
const churnMisses6 = flat(
  Array.from(
    { length: 1024 },
    (_, i) =>
      i & 1
        ? `2001:db8:${((i * 6007 + 3) & 0xffff).toString(16)}::${i.toString(16)}`
        : `2001:dc0:${i.toString(16)}::1`,
  ),
);
const churnHits6 = flat(
  Array.from(
    { length: 1024 },
    (_, i) => `2001:db8:${((i * 6007) & 0xffff).toString(16)}:${(i * 7).toString(16)}::1`,
  ),
);

/** The churn base: 100,000 IPv4 address rules and one subnet (192.168.0.0/16). */
function churnBase(make: () => AnyBlockList): AnyBlockList {
  const list = make();
  const rand = prng(5);
  for (let i = 0; i < 100_000; i++) {
    list.addAddress(v4((0x0a000000 + (rand() * 0xffffff | 0)) >>> 0));
  }
  list.addSubnet("192.168.0.0", 16);
  return list;
}

/** The IPv6 churn base: the IPv4 base (first 90,000 of its addresses) and 10,000 IPv6 /48s. */
function churnBase6(make: () => AnyBlockList): AnyBlockList {
  const list = make();
  const rand = prng(5);
  for (let i = 0; i < 100_000 - BASE6; i++) {
    list.addAddress(v4((0x0a000000 + (rand() * 0xffffff | 0)) >>> 0));
  }
  list.addSubnet("192.168.0.0", 16);
  for (let i = 0; i < BASE6; i++) list.addSubnet(base6[i], 48, "ipv6");
  return list;
}

/**
 * µs per round of `mutate(i)` and three checks (the mutated address, a miss, a
 * subnet hit), over fresh values, for about BUDGET_MS or `limit` rounds; then
 * `undo(i)` for each value used, timed the same way. Returns [mutate, undo] µs
 * per round.
 */
function churn(
  list: AnyBlockList,
  probe: (i: number) => string,
  mutate: (i: number) => void,
  undo: ((i: number) => void) | null,
  limit = POOL,
): [number, number | null] {
  let sink = 0;
  const round = (i: number, fn: (i: number) => void): void => {
    fn(i);
    if (list.check(probe(i))) sink++;
    if (list.check(misses[i & 1023])) sink++;
    if (list.check(subnetHits[i & 1023])) sink++;
  };
  return churnRounds(round, mutate, undo, limit, () => sink);
}

/** As `churn()`, with IPv6 checks: the mutated address, a miss, a hit in a base /48. */
function churn6(
  list: AnyBlockList,
  probe: (i: number) => string,
  mutate: (i: number) => void,
  undo: ((i: number) => void) | null,
  limit = POOL,
): [number, number | null] {
  let sink = 0;
  const round = (i: number, fn: (i: number) => void): void => {
    fn(i);
    if (list.check(probe(i), "ipv6")) sink++;
    if (list.check(churnMisses6[i & 1023], "ipv6")) sink++;
    if (list.check(churnHits6[i & 1023], "ipv6")) sink++;
  };
  return churnRounds(round, mutate, undo, limit, () => sink);
}

/** The timed loops of `churn()`/`churn6()`: `round(i, mutate)`, then `round(i, undo)` for each value used. */
function churnRounds(
  round: (i: number, fn: (i: number) => void) => void,
  mutate: (i: number) => void,
  undo: ((i: number) => void) | null,
  limit: number,
  sink: () => number,
): [number, number | null] {
  let n = 0;
  const t0 = cpuMs();
  let t = t0;
  while (n < limit && t - t0 < BUDGET_MS) {
    const end = Math.min(limit, n + 64);
    for (; n < end; n++) round(n, mutate);
    t = cpuMs();
  }
  const add = ((t - t0) * 1000) / n;
  if (undo === null) return [add, null];
  let m = 0;
  const u0 = cpuMs();
  let u = u0;
  while (m < n && u - u0 < BUDGET_MS * 2) {
    const end = Math.min(n, m + 64);
    for (; m < end; m++) round(m, undo);
    u = cpuMs();
  }
  if (sink() < 0) console.error(sink());
  return [add, ((u - u0) * 1000) / m];
}

/** Rounds of the first, cold pass of each churn kind. */
const COLD_ROUNDS = 2000;

/**
 * Churn figures at 100k rules: addresses, subnets (addSubnet/addCIDR),
 * ranges; IPv4 on the IPv4 base, then IPv6 on the IPv6 base (`add6`...).
 * `limit` caps the rounds of each kind.
 */
function churnKinds(make: () => AnyBlockList, limit = POOL): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (opt("v4") !== "no") churnKinds4(make, limit, out);
  if (opt("v6") !== "no") churnKinds6(make, limit, out);
  return out;
}

/** The IPv4 churn kinds of {@link churnKinds}, into `out`. */
function churnKinds4(
  make: () => AnyBlockList,
  limit: number,
  out: Record<string, number | null>,
): void {
  const { fresh, netIn, cidrText, netText, rangeIn, rangeStart, rangeEnd } = values();
  let list = churnBase(make);
  const can = (m: keyof AnyBlockList): boolean => typeof list[m] === "function";
  [out.add, out.remove] = churn(
    list,
    (i) => fresh[i],
    (i) => list.addAddress(fresh[i]),
    can("removeAddress") ? (i) => list.removeAddress!(fresh[i]) : null,
    limit,
  );
  list = churnBase(make);
  [out.subnetAdd, out.subnetRemove] = churn(
    list,
    (i) => netIn[i],
    (i) => {
      if (i & 1 && list.addCIDR) list.addCIDR(cidrText[i]);
      else list.addSubnet(netText[i], 28);
    },
    can("removeSubnet") ? (i) => list.removeSubnet!(netText[i], 28) : null,
    limit,
  );
  list = churnBase(make);
  [out.rangeAdd, out.rangeRemove] = churn(
    list,
    (i) => rangeIn[i],
    (i) => list.addRange(rangeStart[i], rangeEnd[i]),
    can("removeRange") ? (i) => list.removeRange!(rangeStart[i], rangeEnd[i]) : null,
    limit,
  );
}

/** The IPv6 churn kinds of {@link churnKinds}, into `out`. */
function churnKinds6(
  make: () => AnyBlockList,
  limit: number,
  out: Record<string, number | null>,
): void {
  const v6 = values6();
  let list = churnBase6(make);
  const can = (m: keyof AnyBlockList): boolean => typeof list[m] === "function";
  [out.add6, out.remove6] = churn6(
    list,
    (i) => v6.fresh[i],
    (i) => list.addAddress(v6.fresh[i], "ipv6"),
    can("removeAddress") ? (i) => list.removeAddress!(v6.fresh[i], "ipv6") : null,
    limit,
  );
  list = churnBase6(make);
  [out.subnetAdd6, out.subnetRemove6] = churn6(
    list,
    (i) => v6.netIn[i],
    (i) => {
      if (i & 1 && list.addCIDR) list.addCIDR(v6.cidrText[i]);
      else list.addSubnet(v6.netText[i], 64, "ipv6");
    },
    can("removeSubnet") ? (i) => list.removeSubnet!(v6.netText[i], 64, "ipv6") : null,
    limit,
  );
  list = churnBase6(make);
  [out.rangeAdd6, out.rangeRemove6] = churn6(
    list,
    (i) => v6.rangeIn[i],
    (i) => list.addRange(v6.rangeStart[i], v6.rangeEnd[i], "ipv6"),
    can("removeRange") ? (i) => list.removeRange!(v6.rangeStart[i], v6.rangeEnd[i], "ipv6") : null,
    limit,
  );
}

/**
 * The churn figures, steady: a first pass of COLD_ROUNDS rounds per kind
 * runs the code for the first time in this process (the engine compiles and
 * re-compiles it meanwhile, on its own threads too, which CPU time counts);
 * its µs per round are returned as `cold`. Two measured passes follow,
 * and each kind's figure is the lower of its two: a kind of the first pass may still pay for code that a later
 * kind of the cold pass deoptimized (a path of a shared function that no
 * earlier kind took), optimized again during its rounds on the engine's
 * threads, which CPU time counts.
 */
function churnAll(make: () => AnyBlockList):
  & { cold: Record<string, number | null> }
  & Record<
    string,
    unknown
  > {
  const cold = churnKinds(make, COLD_ROUNDS);
  const first = churnKinds(make), second = churnKinds(make);
  const steady: Record<string, number | null> = {};
  for (const k of Object.keys(first)) {
    const a = first[k], b = second[k];
    steady[k] = a === null || b === null ? null : Math.min(a, b);
  }
  return { ...steady, cold };
}

/** Probes: addresses blocked (hits) and not (misses) for IPv4 and IPv6, checked against `list`. */
function hitMissProbes(list: AnyBlockList, blocked: Blocked): Record<string, [string, string][]> {
  const rand = prng(77);
  const v4miss: [string, string][] = [];
  const v6miss: [string, string][] = [];
  while (v4miss.length < 1024) {
    const a = v4((rand() * 0xffffffff) >>> 0);
    if (!list.check(a)) v4miss.push([a, "ipv4"]);
  }
  while (v6miss.length < 1024) {
    const a = `2001:db8:${(rand() * 0xffff | 0).toString(16)}::${
      (rand() * 0xffff | 0).toString(16)
    }`;
    if (!list.check(a, "ipv6")) v6miss.push([a, "ipv6"]);
  }
  return flat({
    v4hit: blocked.v4.map((a) => [a, "ipv4"]),
    v4miss,
    v6hit: blocked.v6.map((a) => [a, "ipv6"]),
    v6miss,
  });
}

type Probes = Record<string, [string, string][]>;

/** IPv6 /64 networks for the "changing v6" checks, outside the rules' 2001:db8::/32. */
const bans6: string[] = flat(
  Array.from({ length: 1024 }, (_, i) => `2001:db9:${i.toString(16)}:1::`),
);

/** The next of `bans6` the "changing v6" checks add, over all probe sets of a list. */
const bans = { next: 0 };

/**
 * ns per check() for each probe set; `null` if the list disagrees with the
 * probes' answer. `live`: a change every 1,024 checks, an IPv4 address
 * (`"v4"`, added and removed again) or an IPv6 /64 subnet (`"v6"`, a new one
 * added and the one added four changes before removed).
 */
function hitMiss(
  list: AnyBlockList,
  probes: Probes,
  verify: number,
  live: "" | "v4" | "v6" = "",
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, set] of Object.entries(probes)) {
    const want = name.endsWith("hit");
    const wrong = set.slice(0, verify).filter(([a, t]) => list.check(a, t) !== want).length;
    const mask = set.length - 1;
    const check = (i: number): boolean => list.check(set[i & mask][0], set[i & mask][1]);
    // Live: a change (a rule added and removed again) every 1024 checks.
    const changing = (i: number): boolean => {
      if ((i & 1023) === 0) {
        list.addAddress("0.0.0.1");
        list.removeAddress!("0.0.0.1");
      }
      return check(i);
    };
    // A new /64 each time; the one added four changes before goes (a sliding window of bans).
    const changing6 = (i: number): boolean => {
      if ((i & 1023) === 0) {
        const k = bans.next++;
        list.addSubnet(bans6[k & 1023], 64, "ipv6");
        if (k >= 4) list.removeSubnet!(bans6[(k - 4) & 1023], 64, "ipv6");
      }
      return check(i);
    };
    out[name] = wrong > 0
      ? null
      : nsPerOp(live === "v4" ? changing : live === "v6" ? changing6 : check);
  }
  return out;
}

/** Stands in for `check()` in the harness figures: reads its arguments, decides nothing. */
function idle(a: string, t: string): boolean {
  return a.length === t.length;
}

/**
 * ns per call of the harness alone, for each probe set: the loop of
 * `nsPerOp`, its call of the measuring function and the probe loads of
 * `hitMiss`, with `idle()` in place of `check()`; `live`: with the wrapper
 * of the changing rows (their change left out). Part of every check figure;
 * shown beside them, not subtracted.
 */
function harness(probes: Probes, live: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  let changes = 0;
  for (const [name, set] of Object.entries(probes)) {
    const mask = set.length - 1;
    const check = (i: number): boolean => idle(set[i & mask][0], set[i & mask][1]);
    // The changing rows' wrapper, its change left out.
    const changing = (i: number): boolean => {
      if ((i & 1023) === 0) changes++;
      return check(i);
    };
    out[name] = nsPerOp(live ? changing : check);
  }
  if (changes < 0) console.error(changes);
  return out;
}

/**
 * ns per `check()` of each probe set in a plain loop: one call site for
 * `check()`, no measuring function called per check (what `nsPerOp` adds on
 * top of `harness()`'s loads), timed in chunks of 65,536 checks for about
 * BUDGET_MS after a warm-up. The same probes and answers as `hitMiss`.
 */
function direct(list: AnyBlockList, probes: Probes): Record<string, number> {
  const out: Record<string, number> = {};
  let sink = 0;
  for (const [name, set] of Object.entries(probes)) {
    const mask = set.length - 1;
    for (let i = 0; i < 8192; i++) if (list.check(set[i & mask][0], set[i & mask][1])) sink++;
    let ops = 0;
    const t0 = cpuMs();
    let t = t0;
    while (t - t0 < BUDGET_MS) {
      for (let i = 0; i < 65536; i++) {
        if (list.check(set[(ops + i) & mask][0], set[(ops + i) & mask][1])) sink++;
      }
      ops += 65536;
      t = cpuMs();
    }
    out[name] = ((t - t0) * 1e6) / ops;
  }
  if (sink < 0) console.error(sink);
  return out;
}

/**
 * ns per `check()` against IPv6 address rules: 1,024 of them (one per /64,
 * under 2001:db9::/32, outside every other rule) added to the settled list,
 * which is then settled again; hits are the rules' addresses, misses other
 * addresses in the same /64s (where the list must look at the whole
 * address). The rules are removed again afterwards.
 */
function addressChecks6(list: AnyBlockList, n: number): Record<string, number | null> {
  const rules = flat(
    Array.from(
      { length: 1024 },
      (_, i) =>
        `2001:db9:${(i * 7919 & 0xffff).toString(16)}:${i.toString(16)}::${
          (i * 31 + 1).toString(16)
        }`,
    ),
  );
  const near = flat(
    Array.from(
      { length: 1024 },
      (_, i) =>
        `2001:db9:${(i * 7919 & 0xffff).toString(16)}:${i.toString(16)}::${
          (i * 31 + 2).toString(16)
        }`,
    ),
  );
  for (const a of rules) list.addAddress(a, "ipv6");
  settle(list, n);
  const ok = rules.every((a) => list.check(a, "ipv6")) && near.every((a) => !list.check(a, "ipv6"));
  const out = {
    hit: ok ? nsPerOp((i) => list.check(rules[i & 1023], "ipv6")) : null,
    miss: ok ? nsPerOp((i) => list.check(near[i & 1023], "ipv6")) : null,
  };
  for (const a of rules) list.removeAddress!(a, "ipv6");
  return out;
}

/** IPv6 addresses no rule of the benchmark covers (outside 2001:db8::/32). */
const misses6 = flat(Array.from({ length: 1024 }, (_, i) => `fd00:${i.toString(16)}::1`));

/**
 * Checks a list of `n` rules long enough for any index kept for an
 * unchanging list to exist: IPv4 and IPv6 addresses (each family's index
 * is built once checks of that family have paid for it).
 */
function settle(list: AnyBlockList, n: number): void {
  for (let i = 0; i < 2 * n + 4096; i++) {
    list.check(misses[i & 1023]);
    list.check(misses6[i & 1023], "ipv6");
  }
}

/**
 * ns per address of scanning the probe texts: the parse `check()` starts
 * with (IPv4, and the one-pass IPv6 scan), a bare loop reading every
 * character with `charCodeAt` (what no parse can go below), and the staged
 * IPv6 check's scan (`_stage6`, the index's answer for the block made free
 * or blocked for every text).
 */
function scan(): Record<string, number> {
  const rand = prng(7);
  const v4s = probes();
  const v6s = flat(
    Array.from(
      { length: 1024 },
      (_, i) =>
        i & 1
          ? `2001:db8:${(rand() * 0xffff | 0).toString(16)}:${(i & 0xffff).toString(16)}::1`
          : `2001:db8:${(rand() * 0xffff | 0).toString(16)}::${(rand() * 0xffff | 0).toString(16)}`,
    ),
  );
  const quad = new Uint32Array(4);
  const free: _Blocks6 = { region: (): boolean => false };
  const blocked: _Blocks6 = { region: (): boolean => true };
  const read = (s: string): number => {
    let x = 0;
    for (let i = 0; i < s.length; i++) x += s.charCodeAt(i);
    return x;
  };
  return {
    v4: nsPerOp((i) => parseIPv4(v4s[i & 1023]) !== -1),
    v4read: nsPerOp((i) => read(v4s[i & 1023]) === 0),
    v6: nsPerOp((i) => _parseIPv6Fast(v6s[i & 1023], quad, v6s[i & 1023].length) === 1),
    v6read: nsPerOp((i) => read(v6s[i & 1023]) === 0),
    // The settled list's staged check (`_stage6`) with an index that answers
    // at once: every block free (the first 3 groups, all a miss reads), and
    // every block blocked (those and the validation of the rest, as a hit).
    v6head: nsPerOp((i) => _stage6(v6s[i & 1023], 3, free) === 0),
    v6staged: nsPerOp((i) => _stage6(v6s[i & 1023], 3, blocked) === 1),
  };
}

/** Native lists slower than this to fill (extrapolated) are built at a smaller size. */
const NATIVE_FILL_LIMIT_MS = 8_000;

function partMain(): void {
  const addr = probes();
  const check: Record<number, number> = {};
  for (const n of SIZES) check[n] = measureCheck(ours, n, addr);
  const nativeCheck = opt("native") === "no" ? {} : nativeChecks(addr);
  // A native list that is slow to fill at 10k would take minutes at 100k.
  const native10k = opt("native") === "no" ? Infinity : addTime(native, 10_000);
  const ipInputs = ["127.0.0.1", "::1", "fe80::1%eth0", "not an ip", "2001:db8::ff00:42:8329"];
  console.log(JSON.stringify({
    version: runtimeVersion(),
    check,
    nativeCheck,
    add100k: addTime(ours, 100_000),
    nativeAdd100k: native10k > 2000 ? null : addTime(native, 100_000),
    isIP: 1e9 / nsPerOp((i) => isIP(ipInputs[i % 5])),
    nativeIsIP: 1e9 / nsPerOp((i) => nodeNet.isIP(ipInputs[i % 5])),
    scan: scan(),
    churn: churnAll(ours),
    nativeChurn: opt("native") === "no" ? null : churnAll(native),
  }));
}

/** Probes chosen on omninet's list of each size, reused for the native list of that size. */
const probesAt = new Map<number, Probes>();

/** The hit/miss checks, bulk load and JSON round trip of one implementation at `n` rules. */
function big(make: () => AnyBlockList, n: number): Record<string, unknown> {
  const blocked: Blocked = { v4: [], v6: [] };
  const rules = makeRules(n, blocked);
  let list = make();
  const load = timeMs(() => {
    addRules(list, rules);
    list.check("1.2.3.4");
  });
  const out: Record<string, unknown> = { n, load };
  const known = probesAt.get(n);
  if (known === undefined) probesAt.set(n, hitMissProbes(list, blocked));
  // omninet: the settled list (flat indexes built), then the list as it changes.
  if (make === ours) settle(list, n);
  // A slow native list verifies a sample of the answers only.
  out.check = hitMiss(list, probesAt.get(n)!, known === undefined ? 1024 : 16);
  if (make === ours) {
    out.checkDirect = direct(list, probesAt.get(n)!);
    bans.next = 0;
    out.checkLive = hitMiss(list, probesAt.get(n)!, 0, "v4");
    out.checkLive6 = hitMiss(list, probesAt.get(n)!, 0, "v6");
    out.harness = harness(probesAt.get(n)!, false);
    out.harnessLive = harness(probesAt.get(n)!, true);
    out.checkAddr6 = addressChecks6(list, n);
  }
  if (typeof list.toJSON === "function" && typeof list.fromJSON === "function") {
    let json: string[] = [];
    out.toJSON = timeMs(() => {
      json = list.toJSON!();
    });
    const copy = make();
    out.fromJSON = timeMs(() => {
      copy.fromJSON!(json);
      copy.check("1.2.3.4");
    });
    out.jsonOk = copy.rules.length === list.rules.length;
  }
  list = make();
  return out;
}

function partBig(): void {
  const M = 1_000_000;
  const result: Record<string, unknown> = { version: runtimeVersion() };
  result.ours100k = big(ours, 100_000);
  result.ours1M = big(ours, M);
  if (opt("native") === "no") {
    console.log(JSON.stringify(result));
    return;
  }
  // Natives that fill 100k slowly (quadratic on some runtimes) are not built at 1M.
  const fill100k = timeMs(() => fill(native(), 100_000));
  result.native100k = big(native, 100_000);
  result.native1M = fill100k * 10 <= NATIVE_FILL_LIMIT_MS ? big(native, M) : null;
  result.nativeFill100k = fill100k;
  console.log(JSON.stringify(result));
}

/** Collects garbage where the runtime lets a script do so. */
function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error("run with --expose-gc (Node) or --v8-flags=--expose-gc (Deno)");
}

/** Heap + memory outside it (typed-array stores among it), and RSS, in bytes. */
function memory(): [number, number] {
  gc();
  gc();
  const m = process.memoryUsage();
  // Bun's heapUsed already counts typed arrays, which its `external` counts again.
  const bun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  return [bun ? m.heapUsed : m.heapUsed + m.external, m.rss];
}

function partMem(): void {
  const impl = opt("impl") ?? "omninet";
  const make = impl === "native" ? native : ours;
  // A native list that fills 100k slowly is measured at 100k.
  const n = impl === "native" && timeMs(() => fill(native(), 100_000)) * 10 > NATIVE_FILL_LIMIT_MS
    ? 100_000
    : 1_000_000;
  // The rule strings exist before the first reading and live past the second:
  // what grows in between is the list (and what the runtime keeps of its garbage).
  const rules = makeRules(n);
  // So does a list of 1% of the rules, loaded and checked the same way first:
  // the code that loads and checks a list (compiled code, type feedback, the
  // compilers' working memory) then exists before the first reading. It costs
  // the same for 1,000 rules as for a million (3.5-7 MB of RSS on Bun and
  // Node 24), so it is no cost per rule.
  const warm = make();
  addRules(warm, makeRules(n / 100));
  if (impl === "omninet") settle(warm, n);
  const [heap0, rss0] = memory();
  const list = make();
  addRules(list, rules);
  // Checked long enough for any index built for an unchanging list to exist.
  if (impl === "omninet") settle(list, n);
  const [heap1, rss1] = memory();
  if (!list.check("10.0.0.0") && list.rules.length + rules.a.length + warm.rules.length < 0) {
    console.error("-");
  }
  console.log(JSON.stringify({
    version: runtimeVersion(),
    impl,
    n,
    heapPerRule: (heap1 - heap0) / n,
    rssPerRule: (rss1 - rss0) / n,
  }));
}

/** The settled checks and the IPv6 address rule checks of `big` alone, at `--n=` rules. */
function partAddr6(): void {
  const n = Number(opt("n") ?? 100_000);
  const blocked: Blocked = { v4: [], v6: [] };
  const list = ours();
  addRules(list, makeRules(n, blocked));
  const probes = hitMissProbes(list, blocked);
  settle(list, n);
  console.log(JSON.stringify({
    version: runtimeVersion(),
    n,
    check: hitMiss(list, probes, 1024),
    checkAddr6: addressChecks6(list, n),
  }));
}

/** Only the churn figures (omninet, and the native list unless `--native=no`). */
function partChurn(): void {
  console.log(JSON.stringify({
    version: runtimeVersion(),
    churn: churnAll(ours),
    nativeChurn: opt("native") === "no" ? null : churnAll(native),
  }));
}

const part = opt("part") ?? "main";
if (part === "main") partMain();
else if (part === "churn") partChurn();
else if (part === "big") partBig();
else if (part === "mem") partMem();
else if (part === "addr6") partAddr6();
else throw new Error(`unknown --part=${part}`);
