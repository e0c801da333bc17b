import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import net from "../mod.ts";
import { type Outcome, runScenario, SCENARIOS } from "./fixtures/validation_scenarios.ts";

function _fixture(): { node: string; results: Record<string, Outcome> } {
  const name = "validation_node26.json";
  const found = [
    new URL(`./fixtures/${name}`, import.meta.url),
    new URL(`../../tests/fixtures/${name}`, import.meta.url),
  ].find((u) => existsSync(u));
  if (!found) throw new Error(`${name} not found`);
  return JSON.parse(readFileSync(found, "utf8"));
}
const FIXTURE = _fixture();

const Validation = suite("argument validation as Node 26 (recorded answers)");

Validation("every scenario has a recorded answer", () => {
  for (const s of SCENARIOS) assert.ok(s.name in FIXTURE.results, s.name);
});

for (const s of SCENARIOS) {
  Validation(s.name, async () => {
    const got = await runScenario(net, s);
    assert.equal(got, FIXTURE.results[s.name]);
  });
}

Validation.run();
