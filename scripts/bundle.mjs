// The npm package's JavaScript: the entry points of tsc's dist/ tree (mod,
// require, cli, sockets) bundled into dist/npm/, with the code they share in
// chunks so that every entry point runs one copy of each module (one Socket
// class, one set of defaults) as with the tree. Loading some 60 ES modules one
// by one was most of an import's time and memory on Node (README, "Memory per
// connection"). The tree stays for the tests, which import internal modules;
// the package ships only dist/npm/ and the .d.ts files.
//
// Usage: node scripts/bundle.mjs   (after `tsc -p tsconfig.build.json`)
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, "dist", "npm");
const entries = ["mod", "require", "cli", "sockets"].map((n) => join("dist", `${n}.js`));
for (const e of entries) {
  if (!existsSync(join(root, e))) {
    console.error(`bundle: ${e} is missing; run tsc -p tsconfig.build.json first`);
    process.exit(1);
  }
}
// Chunk names carry a hash of their content: clear the folder so no stale chunk is packed.
rmSync(out, { recursive: true, force: true });
const { build } = await import("esbuild");
await build({
  absWorkingDir: root,
  entryPoints: entries,
  bundle: true,
  splitting: true,
  format: "esm",
  // node: built-ins stay imports; Deno and Bun resolve them too.
  platform: "node",
  target: "es2022",
  // The bundle renames identifiers that two modules share (Socket, Server,
  // BlockList...): keep their `name` as Node shows it (util.inspect, errors).
  keepNames: true,
  charset: "ascii",
  legalComments: "none",
  outdir: out,
  chunkNames: "_[name]-[hash]",
  logLevel: "warning",
});

// The tree's JavaScript carries no JSDoc and is pure ASCII (engines then keep
// 1-byte source); the bundle must too.
for (const f of readdirSync(out)) {
  const text = readFileSync(join(out, f), "utf8");
  if (/[^\t\n\r -~]/.test(text) || text.includes("/**")) {
    console.error(`bundle: dist/npm/${f} holds non-ASCII text or JSDoc`);
    process.exit(1);
  }
}
