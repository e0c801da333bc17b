import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { currentRuntime, spawnScript } from "./_runtime.ts";

/** What tests/fixtures/module_load.ts saw loaded (`null`: no way to see it on this runtime). */
interface Seen {
  loadList: string[] | null;
  importMap: boolean | null;
  getBuiltinModule: string[];
}

async function run(mode: "library" | "control"): Promise<Seen> {
  // Deno: the import map sends the watched built-ins to a probe module (source only).
  const map = fileURLToPath(
    new URL("./fixtures/module_load_import_map.json", (import.meta as { url: string }).url),
  );
  const r = await spawnScript("fixtures/module_load", [mode], {}, {
    runtimeArgs: currentRuntime() === "deno" ? [`--import-map=${map}`] : [],
  });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Seen;
}

const load = suite("module loading");

load(
  "importing omninet and a TCP round trip load no node:tls, node:tty, node:worker_threads or node:process, and import no node:fs, node:buffer or node:timers",
  async () => {
    const seen = await run("library");
    assert.equal(seen.getBuiltinModule, []);
    if (currentRuntime() === "node") assert.equal(seen.loadList, []);
    if (currentRuntime() === "deno") assert.is(seen.importMap, false);
  },
);

load("the same observers see node:tls when a script loads it", async () => {
  const seen = await run("control");
  assert.equal(seen.getBuiltinModule, ["tls"]);
  // Node lists every built-in it loads; Deno runs the probe for an imported one.
  if (currentRuntime() === "node") assert.equal(seen.loadList, ["tls"]);
  else assert.is(seen.loadList, null);
  if (currentRuntime() === "deno") assert.is(seen.importMap, true);
  else assert.is(seen.importMap, null);
});

load.run();
