/**
 * BlockList and isIP benchmark for one runtime: omninet's `BlockList` next to
 * the runtime's own `node:net` one. Prints one JSON line on stdout, which
 * `scripts/bench.mjs` gathers into a table; runs as TypeScript on Deno/Bun
 * and as built JavaScript (`dist/scripts/`) on Node.
 *
 * Usage: <runtime> scripts/bench_block_list.ts [--budget-ms=N]
 * @module
 */
import * as nodeNet from "node:net";
import process from "node:process";
import { BlockList } from "../core/block_list.ts";
import { isIP } from "../core/ip.ts";

/** A list with the methods the benchmark calls on either implementation. */
interface AnyBlockList {
  addAddress(a: string, t?: string): void;
  addRange(a: string, b: string, t?: string): void;
  addSubnet(a: string, p: number, t?: string): void;
  check(a: string, t?: string): boolean;
}

const budgetArg = process.argv.find((a) => a.startsWith("--budget-ms="));
/** Time spent measuring one cell, in ms. */
const BUDGET_MS = budgetArg ? Number(budgetArg.split("=")[1]) : 300;
const SIZES = [10, 1_000, 10_000, 100_000];
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

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

/** `n` rules: 60% IPv4 addresses, 20% IPv4 /24 subnets, 10% IPv4 ranges, 10% IPv6 subnets. */
function fill(list: AnyBlockList, n: number): void {
  const rand = prng(n);
  for (let i = 0; i < n; i++) {
    const k = rand();
    const x = (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0;
    if (k < 0.6) list.addAddress(v4(x));
    else if (k < 0.8) list.addSubnet(v4(x & 0xffffff00), 24);
    else if (k < 0.9) list.addRange(v4(x), v4(x + 100));
    else list.addSubnet(`2001:db8:${(rand() * 0xffff | 0).toString(16)}::`, 48, "ipv6");
  }
}

/** 1024 probe addresses: half inside 10/8 (some hits), half elsewhere. */
function probes(): string[] {
  const rand = prng(99);
  return Array.from({ length: 1024 }, (_, i) =>
    v4(
      i & 1 ? (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0 : (rand() * 0xffffffff) >>> 0,
    ));
}

/** ns per call of `fn(i)`: a short warm-up, then a loop of about BUDGET_MS. */
function nsPerOp(fn: (i: number) => unknown): number {
  let sink = 0;
  const warm = performance.now();
  for (let i = 0; i < 2000 && performance.now() - warm < 50; i++) if (fn(i)) sink++;
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  let batch = 10;
  while (t - t0 < BUDGET_MS) {
    for (let i = 0; i < batch; i++) if (fn(ops + i)) sink++;
    ops += batch;
    t = performance.now();
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

/** Time to add `n` rules and build the index, ms (median of 3 when quick). */
function addTime(make: () => AnyBlockList, n: number): number {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const list = make();
    fill(list, n);
    list.check("1.2.3.4"); // includes building the index
    times.push(performance.now() - t0);
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
      out[n] = measureCheck(() => new nodeNet.BlockList() as AnyBlockList, n, addr);
      last = [n, out[n]!];
    } else {
      out[n] = null;
    }
  }
  return out;
}

function runtimeVersion(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${process.version}`;
}

function main(): void {
  const addr = probes();
  const check: Record<number, number> = {};
  for (const n of SIZES) check[n] = measureCheck(() => new BlockList(), n, addr);
  const nativeCheck = nativeChecks(addr);
  const native = () => new nodeNet.BlockList() as AnyBlockList;
  // A native list that is slow to fill at 10k would take minutes at 100k.
  const native10k = addTime(native, 10_000);
  const ipInputs = ["127.0.0.1", "::1", "fe80::1%eth0", "not an ip", "2001:db8::ff00:42:8329"];
  console.log(JSON.stringify({
    version: runtimeVersion(),
    check,
    nativeCheck,
    add100k: addTime(() => new BlockList(), 100_000),
    nativeAdd100k: native10k > 2000 ? null : addTime(native, 100_000),
    isIP: 1e9 / nsPerOp((i) => isIP(ipInputs[i % 5])),
    nativeIsIP: 1e9 / nsPerOp((i) => nodeNet.isIP(ipInputs[i % 5])),
  }));
}

main();
