import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "../core/socket.ts";
import { spawnScript } from "./_runtime.ts";
import { closeServer, echoServer } from "./_net.ts";

const unref = suite("Socket/Server ref() and unref()");

async function withServer(fn: (port: number) => Promise<void>): Promise<void> {
  const { server, port, sockets } = await echoServer();
  try {
    await fn(port);
  } finally {
    for (const s of sockets as Socket[]) s.destroy();
    await closeServer(server);
  }
}

unref("an unref'd socket does not keep the process alive", async () => {
  await withServer(async (port) => {
    const r = await spawnScript("fixtures/net_child", ["socket-unref", String(port)]);
    assert.is(r.timedOut, false, "child hung: unref() did not release the process");
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "connected\n");
  });
});

unref("ref() after unref() keeps the process alive again", async () => {
  await withServer(async (port) => {
    const r = await spawnScript("fixtures/net_child", ["socket-ref", String(port)]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "connected\nstill alive\n");
  });
});

unref("an unref'd server does not keep the process alive", async () => {
  const r = await spawnScript("fixtures/net_child", ["server-unref"]);
  assert.is(r.timedOut, false, "child hung: server.unref() did not release the process");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "listening\n");
});

unref("the idle-timeout timer does not hold an unref'd socket's process", async () => {
  await withServer(async (port) => {
    const r = await spawnScript("fixtures/net_child", ["timeout-unref", String(port)]);
    assert.is(r.timedOut, false, "child hung on the socket timeout timer");
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "connected\n");
  });
});

unref.run();
