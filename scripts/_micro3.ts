import { BlockList } from "../core/block_list.ts";
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
let seed = 1;
const rand = () =>
  ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 | 0) >>> 0) / 4294967296;
const b = new BlockList();
for (let i = 0; i < 100000; i++) b.addAddress(v4((0x0a000000 + (rand() * 0xffffff | 0)) >>> 0));
b.addSubnet("192.168.0.0", 16);
const N = 100000;
const netText = Array.from({ length: N }, (_, i) => v4(0x65000000 + i * 64));
const rs = Array.from({ length: N }, (_, i) => v4(0x65000000 + i * 64 + 16));
const re = Array.from({ length: N }, (_, i) => v4(0x65000000 + i * 64 + 31));
const fresh = Array.from({ length: N }, (_, i) => v4(0x64000000 + i * 3));
const t = (name: string, f: (i: number) => void) => {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) f(i);
  console.log(name, ((performance.now() - t0) * 1000 / N).toFixed(3), "µs");
};
for (let rep = 0; rep < 3; rep++) {
  console.log("--");
  t("addAddress", (i) => b.addAddress(fresh[i]));
  t("removeAddress", (i) => b.removeAddress(fresh[i]));
  t("addSubnet", (i) => b.addSubnet(netText[i], 28));
  t("removeSubnet", (i) => b.removeSubnet(netText[i], 28));
  t("addRange", (i) => b.addRange(rs[i], re[i]));
  t("removeRange", (i) => b.removeRange(rs[i], re[i]));
  t("check", (i) => b.check(fresh[i]));
}
