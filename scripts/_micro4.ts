import { BlockList } from "../core/block_list.ts";
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
let seed = 1;
const rand = () =>
  ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 | 0) >>> 0) / 4294967296;
const b = new BlockList();
for (let i = 0; i < 100000; i++) b.addAddress(v4((0x0a000000 + (rand() * 0xffffff | 0)) >>> 0));
const N = 100000;
const rs = Array.from({ length: N }, (_, i) => v4(0x65000000 + i * 64 + 16));
const re = Array.from({ length: N }, (_, i) => v4(0x65000000 + i * 64 + 31));
for (let rep = 0; rep < 15; rep++) {
  for (let i = 0; i < N; i++) b.addRange(rs[i], re[i]);
  for (let i = 0; i < N; i++) b.removeRange(rs[i], re[i]);
}
