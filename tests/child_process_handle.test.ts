// An omninet Server or Socket as the handle of child_process's
// subprocess.send(message, sendHandle), as Node documents it ("Example:
// sending a server object", "Example: sending a socket object"), on each
// runtime's own child_process: a listening server reaches the child as a
// node:net Server on the same socket; a socket is refused with
// ERR_INVALID_HANDLE_TYPE where omninet's Socket is no node:net Socket (the
// node:net adapter on Node and Deno, Deno's Deno.connect fallback: see the
// README); on Node and Deno with the libuv adapter and on Bun (either adapter)
// it reaches the child as a node:net Socket on the same connection.
import { spawn } from "node:child_process";
import { renameSync } from "node:fs";
import * as nodeNet from "node:net";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import {
  answer,
  closeServer,
  type IpcChild,
  listen,
  removeDir,
  startIpcChild,
  tempDir,
  waitFor,
} from "./_net.ts";
import { currentRuntime, scriptCommand } from "./_runtime.ts";

/** Sends `server` and waits for the child's reply; the send's callback must report no error. */
async function sendServer(child: IpcChild, server: net.Server): Promise<Record<string, unknown>> {
  const reply = child.next();
  const sent = new Promise<unknown>((r) => child.proc.send("server", server as never, r));
  assert.is(await sent, null);
  return await reply;
}

// Only Deno's Deno.listen fallback holds no handle a process can receive.
const sendable = getTransport().name !== "deno";
// Deno's child_process closes a sent server in the parent once the child has
// it (unless keepOpen), its own node:net servers too; Node's and Bun's keep it.
const closedAfterSend = currentRuntime() === "deno";
// Bun's node:net cannot listen(server) on a server it received, nor can omninet there.
const adoptable = currentRuntime() !== "bun";

const serverSuite = suite("subprocess.send(message, server) with an omninet Server");

serverSuite("an omninet Server is an instance of the runtime's node:net Server", () => {
  const server = net.createServer();
  assert.ok(server instanceof nodeNet.Server);
  assert.ok(server instanceof net.Server);
  assert.is((server as unknown as { _handle: unknown })._handle, null);
});

if (sendable) {
  serverSuite(
    "a listening TCP server reaches the child, which answers its connections",
    async () => {
      const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
      const server = net.createServer((s) => s.end("parent"));
      try {
        const port = await listen(server);
        const reply = await sendServer(child, server);
        assert.equal(reply, { got: "server", isNetServer: true, listening: true });
        // Once the parent's server is closed, only the child holds the socket.
        assert.is(server.listening, !closedAfterSend);
        await closeServer(server);
        for (let i = 0; i < 3; i++) assert.is(await answer({ port }), "child");
      } finally {
        if (server.listening) await closeServer(server);
        await child.stop();
      }
    },
  );

  serverSuite("a listening Unix socket server reaches the child", async () => {
    const dir = tempDir();
    const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
    const server = net.createServer((s) => s.end("parent"));
    try {
      const path = join(dir, "s.sock");
      server.listen(path);
      await waitFor(server, "listening");
      // Closing a Unix server removes its socket file: move it aside first.
      const kept = join(dir, "kept.sock");
      renameSync(path, kept);
      const reply = await sendServer(child, server);
      assert.equal(reply, { got: "server", isNetServer: true, listening: true });
      assert.is(server.listening, !closedAfterSend);
      await closeServer(server);
      assert.is(await answer({ path: kept }), "child");
    } finally {
      if (server.listening) await closeServer(server);
      await child.stop();
      removeDir(dir);
    }
  });

  serverSuite("an omninet server in the child adopts the server it received", async () => {
    const child = await startIpcChild("fixtures/child_process_handle", ["omninet"]);
    const server = net.createServer((s) => s.end("parent"));
    try {
      const port = await listen(server);
      const reply = await sendServer(child, server);
      if (!adoptable) {
        // Bun: the received server's listener is Bun's own; a second one on its descriptor fails.
        assert.equal(reply, { got: "server", error: "EEXIST" });
        return;
      }
      assert.equal(reply, { got: "server", isNetServer: true, listening: true });
      await closeServer(server);
      for (let i = 0; i < 3; i++) assert.is(await answer({ port }), "omninet child");
    } finally {
      if (server.listening) await closeServer(server);
      await child.stop();
    }
  });
  serverSuite("with { keepOpen: true } the parent's server keeps listening too", async () => {
    const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
    const server = net.createServer((s) => s.end("parent"));
    try {
      const port = await listen(server);
      const reply = child.next();
      const sent = new Promise<unknown>((r) =>
        child.proc.send("server", server as never, { keepOpen: true }, r)
      );
      assert.is(await sent, null);
      assert.equal(await reply, { got: "server", isNetServer: true, listening: true });
      assert.ok(server.listening);
      await closeServer(server);
      assert.is(await answer({ port }), "child");
    } finally {
      if (server.listening) await closeServer(server);
      await child.stop();
    }
  });

  serverSuite(
    "process.send(message, server) in a child hands its omninet server over",
    async () => {
      const child = await startIpcChild("fixtures/child_process_handle", ["omninet"]);
      let received: nodeNet.Server | undefined;
      try {
        const got = waitFor(child.proc, "message", 20_000);
        child.proc.send("make");
        const [msg, handle] = await got as [{ made: number }, unknown];
        assert.instance(handle, nodeNet.Server);
        received = handle as nodeNet.Server;
        received.on("connection", (s: nodeNet.Socket) => s.end("parent"));
        // The child closes its own server and exits: its socket lives on in the parent.
        await child.stop();
        assert.is(await answer({ port: msg.made }), "parent");
      } finally {
        await child.stop();
        if (received?.listening) await new Promise((r) => received!.close(r));
      }
    },
  );
} else {
  serverSuite("on the Deno.listen adapter, sending a listening server throws", async () => {
    const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
    const server = net.createServer();
    try {
      await listen(server);
      try {
        child.proc.send("server", server as never);
        assert.unreachable("send() did not throw");
      } catch (err) {
        assert.instance(err, TypeError);
        assert.is((err as { code?: string }).code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
      }
    } finally {
      await closeServer(server);
      await child.stop();
    }
  });
}

serverSuite("a server that is not listening is sent as node:net's: the message alone", async () => {
  const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
  try {
    const reply = child.next();
    child.proc.send("idle", net.createServer() as never);
    assert.equal(await reply, { got: "idle", handle: "undefined" });
  } finally {
    await child.stop();
  }
});

serverSuite.run();

const socketSuite = suite("subprocess.send(message, socket) with an omninet Socket");

// Every adapter but Deno.connect: omninet's Socket is a node:net Socket showing its native handle
// (the libuv TCP/Pipe handle; the Bun socket; the handle its inner node:net socket holds).
const socketSendable = getTransport().name !== "deno";
// Deno's child_process destroys a sent socket in the parent once the child has it (its own
// node:net sockets too); Node's and Bun's only take the handle away.
const destroyedAfterSend = currentRuntime() === "deno";
// Node's and Deno's child_process tell the server of each socket it sent (_setupWorker): the
// server counts it where it went and closes after it. Bun's only stops counting it here, for its
// own node:net servers too: 'close' then comes at once.
const countsSent = currentRuntime() !== "bun";
// The node:net adapter on Deno takes an accepted socket's writes ahead of Deno's node:net stream,
// whose handle sends them a turn later (for its own sockets too): sent at once to a child, the
// socket's bytes may go out after the child's (README, Differences from Node). The default
// adapter hands them to the kernel within the write.
const parentFirst = !(currentRuntime() === "deno" && getTransport().name === "node");

/**
 * Runs `body` with an IPC child, a paused omninet server, the socket it accepted and what the
 * peer reads until EOF; closes everything afterwards.
 */
async function withAccepted(
  body: (
    child: IpcChild,
    server: net.Server,
    socket: net.Socket,
    reading: Promise<string>,
  ) => Promise<void>,
): Promise<void> {
  const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
  const accepted: net.Socket[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
  try {
    const port = await listen(server);
    const reading = answer({ port });
    await waitFor(server, "connection");
    await body(child, server, accepted[0], reading);
  } finally {
    for (const s of accepted) s.destroy();
    if (server.listening) await closeServer(server);
    await child.stop();
  }
}

/** Sends `socket` to the child and waits until it says a node:net Socket arrived. */
async function handOver(child: IpcChild, socket: unknown): Promise<void> {
  const reply = child.next();
  child.proc.send("socket", socket as never);
  assert.equal(await reply, { got: "socket", isNetSocket: true });
}

/** Has the child end the socket it got ("child"), and waits until it did. */
async function childEnds(child: IpcChild): Promise<void> {
  const ended = child.next();
  child.proc.send("socket-end");
  await ended;
}

if (socketSendable) {
  socketSuite(
    "the socket goes to the child, which answers the peer; the server counts it as node:net's does",
    () =>
      withAccepted(async (child, server, socket, reading) => {
        assert.ok(socket instanceof nodeNet.Socket);
        const reply = child.next();
        const sent = new Promise<unknown>((r) => child.proc.send("socket", socket as never, r));
        assert.is(await sent, null);
        assert.equal(await reply, { got: "socket", isNetSocket: true });
        // Gone from this process: no handle here, counted where it is now.
        assert.is((socket as unknown as { _handle: unknown })._handle, null);
        assert.is(socket.destroyed, destroyedAfterSend);
        const count = await new Promise((r) => server.getConnections((_e, n) => r(n)));
        assert.is(count, countsSent ? 1 : 0);
        let closed = false;
        server.close(() => (closed = true));
        await new Promise((r) => setTimeout(r, 50));
        assert.is(closed, !countsSent, "'close' while the child holds the socket");
        await childEnds(child);
        assert.is(await reading, "child");
        if (countsSent) await waitFor(server, "close");
      }),
  );

  socketSuite(
    "with keepOpen both processes hold the socket",
    () =>
      withAccepted(async (child, _server, socket, reading) => {
        const reply = child.next();
        child.proc.send("socket-keep", socket as never, { keepOpen: true });
        assert.equal(await reply, { got: "socket-keep", isNetSocket: true });
        assert.ok((socket as unknown as { _handle: unknown })._handle !== null);
        socket.end("parent");
        assert.is(await reading, "child;parent");
      }),
  );

  socketSuite(
    "what the parent wrote just before sending reaches the peer first",
    () =>
      withAccepted(async (child, _server, socket, reading) => {
        // Same tick as the send: Bun's adapter still holds it (Nagle corking) when the socket goes.
        socket.write("parent;");
        await handOver(child, socket);
        await childEnds(child);
        const got = await reading;
        if (parentFirst) assert.is(got, "parent;child");
        else assert.ok(got === "parent;child" || got === "childparent;", got);
      }),
  );

  socketSuite(
    "a Unix socket connection goes to the child, which reads what the peer sent",
    async () => {
      const dir = tempDir();
      const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
      const accepted: net.Socket[] = [];
      const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
      let peer: nodeNet.Socket | undefined;
      try {
        const path = join(dir, "s.sock");
        server.listen(path);
        await waitFor(server, "listening");
        peer = nodeNet.connect(path);
        let text = "";
        const got = new Promise<string>((resolve) => {
          peer!.setEncoding("utf8").on("data", (d: string) => (text += d)).on(
            "close",
            () => resolve(text),
          );
        });
        // Sent before the hand-over: it waits in the kernel for whoever reads.
        peer.write("peer");
        await waitFor(server, "connection");
        await handOver(child, accepted[0]);
        assert.is((accepted[0] as unknown as { _handle: unknown })._handle, null);
        const readReply = child.next();
        child.proc.send("socket-read");
        assert.equal(await readReply, { got: "socket-read", read: "peer" });
        await childEnds(child);
        peer.end();
        assert.is(await got, "child");
      } finally {
        peer?.destroy();
        for (const s of accepted) s.destroy();
        if (server.listening) await closeServer(server);
        await child.stop();
        removeDir(dir);
      }
    },
  );

  socketSuite("a client socket omninet dialled goes to the child too", async () => {
    const child = await startIpcChild("fixtures/child_process_handle", ["node"]);
    const peer = nodeNet.createServer();
    try {
      const port = await listen(peer as unknown as net.Server);
      const got = new Promise<string>((resolve) => {
        peer.once("connection", (s) => {
          let text = "";
          s.setEncoding("utf8").on("data", (d) => (text += d)).on("end", () => resolve(text));
        });
      });
      const client = net.connect(port, "127.0.0.1");
      await waitFor(client, "connect");
      await handOver(child, client);
      await childEnds(child);
      assert.is(await got, "child");
      client.destroy();
    } finally {
      await new Promise((r) => peer.close(r));
      await child.stop();
    }
  });
} else {
  socketSuite(
    "is refused with ERR_INVALID_HANDLE_TYPE; the socket stays the parent's",
    () =>
      withAccepted(async (child, _server, socket, reading) => {
        try {
          child.proc.send("socket", socket as never);
          assert.unreachable("send() did not throw");
        } catch (err) {
          assert.instance(err, TypeError);
          assert.is((err as { code?: string }).code, "ERR_INVALID_HANDLE_TYPE");
        }
        assert.not.ok(socket.destroyed);
        socket.end("parent");
        assert.is(await reading, "parent");
      }),
  );
}

socketSuite.run();

const stdioSuite = suite("an omninet Socket as a child's stdio (spawn)");

// Node's and Bun's child_process take a stream's own `fd`; Deno's pipes a stream it
// cannot take (its handles expose no descriptor), its own node:net sockets too.
const hasFd = currentRuntime() !== "deno";

stdioSuite("the child writes to the peer through the accepted socket", async () => {
  const server = net.createServer((socket) => {
    if (hasFd) assert.type(socket.fd, "number");
    else assert.is(socket.fd, undefined);
    const [cmd, argv] = scriptCommand("fixtures/stdio_child");
    spawn(cmd, argv, { stdio: ["ignore", socket, "inherit"] })
      .on("close", () => socket.end());
  });
  try {
    const port = await listen(server);
    assert.is(await answer({ port }), "from the child\n");
  } finally {
    await closeServer(server);
  }
});

stdioSuite("`fd` is undefined before connecting and once destroyed", async () => {
  const server = net.createServer((s) => s.end());
  try {
    const port = await listen(server);
    const c = new net.Socket();
    assert.is(c.fd, undefined);
    c.connect(port, "127.0.0.1");
    await waitFor(c, "connect");
    if (hasFd) assert.type(c.fd, "number");
    c.destroy();
    assert.is(c.fd, undefined);
  } finally {
    await closeServer(server);
  }
});

stdioSuite.run();
