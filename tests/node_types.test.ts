// Members omninet has so that its classes match @types/node's declarations
// of node:net (checked at the type level in tests/package.once.test.ts):
// what they do at run time.
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "../core/server.ts";
import { connect, Socket } from "../core/socket.ts";
import { closeServer, listen, waitFor } from "./_net.ts";

const compat = suite("members @types/node declares");

compat(
  "server.connections counts open connections, warns DEP0020 once; assigning never changes the count",
  async () => {
    const seen: string[] = [];
    const onWarning = (w: Error & { code?: string }) => seen.push(`${w.name}:${w.code}`);
    process.on("warning", onWarning);
    const server = createServer();
    const accepted = new Promise((resolve) => server.once("connection", resolve));
    const port = await listen(server);
    const client = connect(port, "127.0.0.1");
    try {
      assert.is(server.connections, 0);
      await waitFor(client, "connect");
      await accepted;
      assert.is(server.connections, 1);
      const other = createServer();
      assert.is(other.connections, 0);
      other.connections = 5;
      assert.is(other.connections, 5);
      assert.ok(Object.hasOwn(other, "connections"));
      const count = await new Promise((resolve) => other.getConnections((_e, n) => resolve(n)));
      assert.is(count, 0);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen, process.noDeprecation ? [] : ["DeprecationWarning:DEP0020"]);
    } finally {
      process.off("warning", onWarning);
      client.destroy();
      await closeServer(server);
    }
  },
);

compat("bufferSize, bytesWritten and maxConnections read undefined where Node's do", () => {
  const socket = new Socket();
  assert.is(socket.bufferSize, undefined);
  assert.is(socket.autoSelectFamilyAttemptedAddresses, undefined);
  assert.is(createServer().maxConnections, undefined);
  socket.destroy();
});

compat("socket.server is the accepting Server, null on a client socket", async () => {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const port = await listen(server);
  const client = connect(port, "127.0.0.1");
  try {
    const socket = await accepted;
    assert.is(socket.server, server);
    assert.is(client.server, null);
  } finally {
    client.destroy();
    await closeServer(server);
  }
});

compat.run();
