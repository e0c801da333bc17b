import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import net from "../mod.ts";
import { removeDir, tempDir } from "./_net.ts";
import { SCENARIOS } from "./fixtures/fidelity_scenarios.ts";

interface Fixture {
  meta: { node: string; platform: string };
  results: Record<string, unknown>;
}

function _fixture(): Fixture {
  const name = "fidelity_node26.json";
  const found = [
    new URL(`./fixtures/${name}`, import.meta.url),
    new URL(`../../tests/fixtures/${name}`, import.meta.url),
  ].find((u) => existsSync(u));
  if (!found) throw new Error(`${name} not found`);
  return JSON.parse(readFileSync(found, "utf8"));
}
const FIXTURE = _fixture();

/** One line per fact, so a mismatch reads as a short line diff. */
function _lines(value: unknown): string {
  return JSON.stringify(value, null, 1);
}

const recorded = suite("Node 26 behaviour, recorded and replayed (issue 9)");

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  recorded(`${name} as Node 26`, async () => {
    const dir = tempDir();
    try {
      const out = await scenario(net, { dir });
      assert.fixture(_lines(out), _lines(FIXTURE.results[name]));
    } finally {
      removeDir(dir);
    }
  });
}

recorded.run();
