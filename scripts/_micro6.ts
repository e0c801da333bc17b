import { parseIPv4, parseIPv6 } from "../core/ip.ts";
import process from "node:process";
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let seed = 5;
const r3 = () =>
  ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 | 0) >>> 0) / 4294967296;
const p6 = Array.from(
  { length: 1024 },
  () => `2001:db8:${(r3() * 0xffff | 0).toString(16)}::${(r3() * 0xffff | 0).toString(16)}`,
);
const p4 = Array.from(
  { length: 1024 },
  () => `${r3() * 256 | 0}.${r3() * 256 | 0}.${r3() * 256 | 0}.${r3() * 256 | 0}`,
);
const w = new Uint16Array(8);
const bench = (name: string, f: (i: number) => boolean | number) => {
  let best = 1e9, s = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = cpu();
    for (let i = 0; i < 2_000_000; i++) if (f(i)) s++;
    best = Math.min(best, (cpu() - t0) * 1e6 / 2e6);
  }
  console.log(name, best.toFixed(1), "ns", s);
};
bench("sum6", (i) => {
  const s = p6[i & 1023];
  let h = 0;
  for (let k = 0; k < s.length; k++) h += s.charCodeAt(k);
  return h > 5;
});
bench("parse6", (i) => parseIPv6(p6[i & 1023], w));
bench("parse4", (i) => parseIPv4(p4[i & 1023]) > 0);
