import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
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

/**
 * Scenarios that need a capability some runtimes have no API for at all;
 * there omninet must fail loudly (ERR_FEATURE_UNAVAILABLE_ON_PLATFORM).
 */
const NEEDS: Record<string, () => boolean> = {
  "setTypeOfService() validation and value before connecting": () =>
    getTransport().features.typeOfService === true,
  "setTypeOfService() on a connected TCP socket": () =>
    getTransport().features.typeOfService === true,
  // Deno's public API cannot send a TCP RST (see the README's table).
  "resetAndDestroy() while connecting": () => getTransport().name !== "deno",
};

const recorded = suite("Node 26 behaviour, recorded and replayed (issue 9)");

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  recorded(`${name} as Node 26`, async () => {
    const dir = tempDir();
    try {
      if (NEEDS[name]?.() === false) {
        let outcome: unknown;
        try {
          outcome = await scenario(net, { dir });
        } catch (e) {
          outcome = { thrown: (e as { code?: string }).code };
        }
        assert.match(JSON.stringify(outcome), "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
        return;
      }
      const out = await scenario(net, { dir });
      assert.fixture(_lines(out), _lines(FIXTURE.results[name]));
    } finally {
      removeDir(dir);
    }
  });
}

recorded.run();
