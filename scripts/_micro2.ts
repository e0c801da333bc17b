import { _M_LIVE, _M_WIDE, _Rows } from "../core/_block_list_rows.ts";
import { _Cover } from "../core/_block_list_cover.ts";
import { parseIPv4 } from "../core/ip.ts";
const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
let seed = 1;
const rand = () =>
  ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 | 0) >>> 0) / 4294967296;
const rows = new _Rows(4, _M_WIDE, false);
const cov = new _Cover(1);
const a = new Int32Array(1), e = new Int32Array(1);
for (let i = 0; i < 60000; i++) {
  rows.stage((0x0a000000 + (rand() * 0xffffff | 0)) >>> 0, _M_LIVE, "");
  if (rows.findStaged() === -1) rows.commit();
}
for (let i = 0; i < 30000; i++) {
  const x = (0x0a000000 + (rand() * 0xffffff | 0)) >>> 0;
  a[0] = x ^ 0x80000000;
  e[0] = (x + 100) ^ 0x80000000;
  cov.update(a, e, 1);
}
console.log(
  "boundaries",
  cov.boundaries,
  "blocks",
  cov.blocks.length,
  "table",
  rows.table.length,
  rows.keys,
);
const probes = Array.from(
  { length: 1024 },
  (_, i) => (i & 1 ? (0x0a000000 + (rand() * 0x00ffffff | 0)) >>> 0 : (rand() * 0xffffffff) >>> 0),
);
const strs = probes.map(v4);
const bench = (name: string, f: (i: number) => boolean | number) => {
  let best = 1e9, s = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 2_000_000; i++) if (f(i)) s++;
    best = Math.min(best, (performance.now() - t0) * 1e6 / 2e6);
  }
  console.log(name, best.toFixed(1), "ns", s);
};
bench("empty", (i) => probes[i & 1023] > 5);
bench("parse", (i) => parseIPv4(strs[i & 1023]) > 5);
bench("hash", (i) => rows.hasNarrow(probes[i & 1023]));
bench("cover", (i) => cov.has1(probes[i & 1023] ^ 0x80000000));
bench("all", (i) => {
  const x = parseIPv4(strs[i & 1023]);
  return rows.hasNarrow(x) || cov.has1(x ^ 0x80000000);
});
