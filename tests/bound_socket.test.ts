import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import { readJsonFixture } from "./_fixtures.ts";
import { type Outcome, runScenario, SCENARIOS } from "./fixtures/bound_socket_scenarios.ts";

const FIXTURE = readJsonFixture<{ node: string; results: Record<string, Outcome> }>(
  "bound_socket_node26.json",
);

const transport = getTransport();
const canBind = transport.features.boundSocket === true;

const Recorded = suite("net.BoundSocket as Node 26 (recorded answers)");

Recorded("every scenario has a recorded answer", () => {
  for (const s of SCENARIOS) assert.ok(s.name in FIXTURE.results, s.name);
});

for (const s of SCENARIOS) {
  Recorded(s.name, async () => {
    const got = await runScenario(net, s);
    const lacks = !canBind || (s.needs !== undefined && !transport.features[s.needs]);
    if (s.validation || !lacks) {
      assert.equal(got, FIXTURE.results[s.name]);
      return;
    }
    // No API of this runtime holds a socket that is only bound: a loud error, never a fake.
    // (Scenarios that report errors as values report this one so too.)
    const err = got.error ?? got.value as { code?: string; name?: string } | undefined;
    assert.is(err?.code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", JSON.stringify(got));
    assert.is(err?.name, "TypeError");
  });
}

Recorded.run();

const Behaviour = suite("net.BoundSocket behaviour");

Behaviour("the transport says whether it binds without listening", () => {
  assert.is(canBind, typeof transport.bindTcp === "function");
  assert.is(canBind, typeof transport.bindUnix === "function");
});

Behaviour("the port is known synchronously and listen(bound) takes exactly that port", () => {
  if (!canBind) return;
  const bound = new net.BoundSocket({ host: "127.0.0.1" });
  const { port } = bound.address();
  const server = net.createServer();
  server.listen(bound);
  const got = (server.address() as { port: number }).port;
  server.close();
  assert.is(got, port);
});

Behaviour("fd() is a descriptor the BoundSocket keeps", () => {
  if (!canBind) return;
  using bound = new net.BoundSocket({ host: "127.0.0.1" });
  const fd = bound.fd();
  assert.ok(Number.isInteger(fd) && fd >= 0, String(fd));
  assert.is(bound.fd(), fd);
});

Behaviour("new Socket({ handle }) with something other than a BoundSocket binds nothing", () => {
  // Taken as a connected stream handle, as node:net takes it (tests/socket_handle.test.ts).
  const handle = { readStart: () => 0, readStop: () => 0, close: (cb?: () => void) => cb?.() };
  const socket = new net.Socket({ handle: handle as never });
  assert.is(socket.localPort, undefined);
  assert.is(socket.pending, false);
  socket.destroy();
});

Behaviour.run();
