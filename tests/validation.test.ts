import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { readJsonFixture } from "./_fixtures.ts";
import { type Outcome, runScenario, SCENARIOS } from "./fixtures/validation_scenarios.ts";

const FIXTURE = readJsonFixture<{ node: string; results: Record<string, Outcome> }>(
  "validation_node26.json",
);

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
