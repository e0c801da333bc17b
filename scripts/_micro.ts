import { BlockList } from "../core/block_list.ts";
import { parseIPv4 } from "../core/ip.ts";
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
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
const n = Number(process.argv[2] ?? 100000);
const b = new BlockList();
const rand = prng(n);
for (let i = 0; i < n; i++) {
  const k = rand();
  const x = (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0;
  if (k < 0.6) b.addAddress(v4(x));
  else if (k < 0.8) b.addSubnet(v4(x & 0xffffff00), 24);
  else if (k < 0.9) b.addRange(v4(x), v4(x + 100));
  else b.addSubnet(`2001:db8:${(rand() * 0xffff | 0).toString(16)}::`, 48, "ipv6");
}
const r2 = prng(99);
const probes = Array.from(
  { length: 1024 },
  (_, i) => v4(i & 1 ? (0x0a000000 + (r2() * 0x00ffffff | 0)) >>> 0 : (r2() * 0xffffffff) >>> 0),
);
const bench = (name: string, f: (i: number) => boolean | number) => {
  let best = 1e9, s = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 2_000_000; i++) if (f(i)) s++;
    best = Math.min(best, (performance.now() - t0) * 1e6 / 2e6);
  }
  console.log(name, best.toFixed(1), "ns", s);
};
bench("parse", (i) => parseIPv4(probes[i & 1023]) > 5);
bench("check", (i) => b.check(probes[i & 1023]));
import process from "node:process";
const r3 = prng(5);
const p6 = Array.from(
  { length: 1024 },
  () => `2001:db8:${(r3() * 0xffff | 0).toString(16)}::${(r3() * 0xffff | 0).toString(16)}`,
);
bench("check6", (i) => b.check(p6[i & 1023], "ipv6"));
import { parseIPv6 } from "../core/ip.ts";
const w = new Uint16Array(8);
bench("parse6", (i) => parseIPv6(p6[i & 1023], w));
bench("lower", (i) => ("ipv6".toLowerCase() === "ipv6") && i > 3);
