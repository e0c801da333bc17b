import { BlockList } from "../core/block_list.ts";
import process from "node:process";
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
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const n = 1_000_000;
const b = new BlockList();
const rand = prng(n);
let t0 = cpu();
for (let i = 0; i < n; i++) {
  const k = rand();
  const x = (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0;
  if (k < 0.6) b.addAddress(v4(x));
  else if (k < 0.8) b.addSubnet(v4(x & 0xffffff00), 24);
  else if (k < 0.9) b.addRange(v4(x), v4(x + 100));
  else b.addSubnet(`2001:db8:${(rand() * 0xffff | 0).toString(16)}::`, 48, "ipv6");
}
console.log("load", (cpu() - t0).toFixed(0));
t0 = cpu();
const j = b.toJSON();
console.log("toJSON", (cpu() - t0).toFixed(0), j.length);
t0 = cpu();
const c = new BlockList();
c.fromJSON(j);
console.log("fromJSON", (cpu() - t0).toFixed(0), c.size);
