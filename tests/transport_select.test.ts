import { suite } from "uvu";
import * as assert from "uvu/assert";
import { currentRuntime, spawnScript } from "./_runtime.ts";

// Which adapter the environment picks, checked in child processes so each
// case starts from a fresh choice.
const select = suite("transport selection");
const runtime = currentRuntime();
const ECHOED = "tcp=ping unix=ping";

async function pick(env: Record<string, string>): Promise<{ out: string; stderr: string }> {
  const r = await spawnScript("fixtures/transport_select", [], { NO_COLOR: "1", ...env });
  assert.is(r.timedOut, false, "child hung");
  assert.is(r.code, 0, r.stderr);
  return { out: r.stdout.trim(), stderr: r.stderr };
}

// Node and Deno both ship the handle layer their node:net is built on.
const handles = runtime === "bun" ? runtime : "libuv";

select("the default is the handle layer on Node and Deno, Bun.connect/listen on Bun", async () => {
  const { out, stderr } = await pick({ OMNINET_TRANSPORT: "" });
  const expected = handles;
  assert.is(out, `${expected} ${ECHOED}`);
  assert.not.match(stderr, /Warning/);
});

select("OMNINET_TRANSPORT=node forces the node:net adapter", async () => {
  const { out } = await pick({ OMNINET_TRANSPORT: "node" });
  assert.is(out, `node ${ECHOED}`);
});

select("OMNINET_TRANSPORT=libuv works on Node and Deno and fails loudly on Bun", async () => {
  const { out } = await pick({ OMNINET_TRANSPORT: "libuv" });
  if (runtime !== "bun") assert.is(out, `libuv ${ECHOED}`);
  else {
    assert.is(out, "error TypeError: The libuv transport needs Node's or Deno's handle bindings");
  }
});

select("OMNINET_TRANSPORT=deno forces Deno.connect/listen on Deno", async () => {
  const { out } = await pick({ OMNINET_TRANSPORT: "deno" });
  if (runtime === "deno") assert.is(out, `deno ${ECHOED}`);
  else assert.match(out, /^error /);
});

select("an unknown OMNINET_TRANSPORT is a TypeError naming the choices", async () => {
  const { out } = await pick({ OMNINET_TRANSPORT: "quic" });
  assert.match(
    out,
    /^error TypeError: OMNINET_TRANSPORT must be one of .*'libuv'; received 'quic'$/,
  );
});

select("under --pending-deprecation the fallback serves, without a DEP0111 warning", async () => {
  // process.binding() would print DEP0111 there (Deno reads NODE_OPTIONS too):
  // Node gets node:net, Deno Deno.connect/listen; Bun ignores the flag.
  const { out, stderr } = await pick({
    OMNINET_TRANSPORT: "",
    NODE_OPTIONS: "--pending-deprecation",
  });
  const expected = runtime === "node" ? "node" : runtime;
  assert.is(out, `${expected} ${ECHOED}`);
  assert.not.match(stderr, /DEP0111|process\.binding/);
});

select.run();
