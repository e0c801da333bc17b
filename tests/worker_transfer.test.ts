// An omninet Server or Socket in the transfer list of a worker_threads
// postMessage(), as Node 24.21+ and 26 document it for node:net ("Transferring
// TCP handles to other threads"): a listening TCP server moves to the worker,
// which gets a node:net Server listening on it; any other server state throws
// ERR_WORKER_HANDLE_NOT_TRANSFERABLE. Where the runtime's own node:net servers
// cannot be transferred (Node 20, Deno, Bun), omninet's are refused the same
// way. Sockets: omninet's cannot be transferred on any runtime (README, "Not
// there yet"): the attempt throws and the socket stays usable.
import * as nodeNet from "node:net";
import process from "node:process";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { answer, closeServer, listen, removeDir, tempDir, waitFor } from "./_net.ts";
import { currentRuntime } from "./_runtime.ts";

// Node documents the transfer of net.Server and net.Socket from 24.21 on (and in 26).
const [major, minor] = process.versions.node.split(".").map(Number);
const transfers = currentRuntime() === "node" && (major > 24 || (major === 24 && minor >= 21));

/** How a postMessage ended: "sent", or the thrown error's class, name and code. */
function outcomeOf(err: unknown): string {
  const e = err as { constructor: { name: string }; name: string; code?: unknown };
  return `${e.constructor.name} ${e.name} ${String(e.code)}`;
}

// What a transfer this runtime cannot do at all throws: Node 20 its own TypeError, the
// others a DataCloneError DOMException (code 25).
const refused = currentRuntime() === "node" && !transfers
  ? "TypeError TypeError ERR_INVALID_TRANSFER_OBJECT"
  : "DOMException DataCloneError 25";
const notTransferable = "Error Error ERR_WORKER_HANDLE_NOT_TRANSFERABLE";

// The worker keeps every server it receives, answers their connections with "worker",
// reports what it got, and closes them all on "close".
const WORKER = `
const { parentPort } = require("node:worker_threads");
const net = require("node:net");
const servers = [];
const sockets = new Set();
parentPort.on("message", (m) => {
  if (m === "close") {
    for (const c of sockets) c.destroy();
    let left = servers.length;
    if (left === 0) return parentPort.postMessage("closed");
    for (const s of servers) s.close(() => { if (--left === 0) parentPort.postMessage("closed"); });
    return;
  }
  if (m.adoptWith !== undefined) {
    // An omninet server in the worker takes over the received server's handle.
    import(m.adoptWith).then(({ default: omninet }) => {
      const s = omninet.createServer((c) => c.end("omninet worker"));
      servers.push(s, m.server);
      s.on("connection", (c) => {
        sockets.add(c);
        c.on("close", () => sockets.delete(c));
      });
      s.listen(m.server, () => parentPort.postMessage({
        isOmninet: s instanceof omninet.Server,
        listening: s.listening,
      }));
    });
    return;
  }
  const s = m.server;
  servers.push(s);
  s.on("connection", (c) => {
    sockets.add(c);
    c.on("close", () => sockets.delete(c));
    c.end("worker");
  });
  parentPort.postMessage({
    isNetServer: s instanceof net.Server,
    listening: s.listening,
    port: s.address().port,
    options: [s.allowHalfOpen, s.pauseOnConnect, s.noDelay, s.keepAlive,
      s.keepAliveInitialDelay, s.highWaterMark],
  });
});
`;

/** A worker running WORKER; `stop()` closes what it holds and terminates it. */
async function startWorker(): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const worker = new Worker(WORKER, { eval: true });
  await waitFor(worker, "online", 20_000);
  return {
    worker,
    stop: async () => {
      try {
        const closed = waitFor(worker, "message", 10_000);
        worker.postMessage("close");
        await closed;
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** The next `n` messages from `worker` (bounded: fails after 20 s). */
function messages(worker: Worker, n: number): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const got: Record<string, unknown>[] = [];
    const on = (m: Record<string, unknown>) => {
      got.push(m);
      if (got.length < n) return;
      clearTimeout(timer);
      worker.off("message", on);
      resolve(got);
    };
    const timer = setTimeout(() => {
      worker.off("message", on);
      reject(new Error(`timed out waiting for ${n} messages`));
    }, 20_000);
    worker.on("message", on);
  });
}

/** Lists `value` in the transfer list of `worker.postMessage`; the outcome. */
function transfer(worker: Worker, value: unknown): string {
  try {
    worker.postMessage({ server: value }, [value as never]);
    return "sent";
  } catch (err) {
    return outcomeOf(err);
  }
}

const serverSuite = suite("worker.postMessage(value, [server]) with an omninet Server");

if (transfers) {
  serverSuite(
    "a listening TCP server moves to the worker, with its accepted-socket options",
    async () => {
      const { worker, stop } = await startWorker();
      const server = net.createServer({
        allowHalfOpen: true,
        pauseOnConnect: true,
        noDelay: true,
        keepAlive: true,
        keepAliveInitialDelay: 3000,
        highWaterMark: 1234,
      }, (s) => s.end("sender"));
      try {
        const port = await listen(server);
        const reply = waitFor(worker, "message", 20_000);
        assert.is(transfer(worker, server), "sent");
        // Let go here at once, as node:net's server does.
        assert.is(server.listening, false);
        assert.is(server.address(), null);
        assert.equal((await reply)[0], {
          isNetServer: true,
          listening: true,
          port,
          options: [true, true, true, true, 3, 1234],
        });
        for (let i = 0; i < 3; i++) assert.is(await answer({ port }), "worker");
        // Nothing left to close here: as node:net's, close() reports it.
        const [err] = await new Promise<unknown[]>((r) => server.close((...a) => r(a)));
        assert.is((err as { code?: string }).code, "ERR_SERVER_NOT_RUNNING");
      } finally {
        await closeServer(server);
        await stop();
      }
    },
  );

  serverSuite(
    "connections accepted before the transfer stay with the sender, whose server emits 'close' after the last one",
    async () => {
      const { worker, stop } = await startWorker();
      const server = net.createServer((s) => {
        s.setEncoding("utf8");
        s.on("data", (d: string) => s.end(`sender ${d}`));
      });
      const events: string[] = [];
      server.on("close", () => events.push("close"));
      try {
        const port = await listen(server);
        const early = nodeNet.connect(port, "127.0.0.1");
        await waitFor(server, "connection");
        const reply = waitFor(worker, "message", 20_000);
        assert.is(transfer(worker, server), "sent");
        await reply;
        assert.is(await answer({ port }), "worker");
        assert.equal(events, []);
        let data = "";
        early.setEncoding("utf8");
        early.on("data", (d: string) => (data += d));
        const closed = Promise.all([waitFor(server, "close"), waitFor(early, "close")]);
        early.end("hi");
        await closed;
        assert.is(data, "sender hi");
        assert.equal(events, ["close"]);
      } finally {
        await stop();
      }
    },
  );

  serverSuite("an omninet server in the worker adopts the server it received", async () => {
    const { worker, stop } = await startWorker();
    const server = net.createServer((s) => s.end("sender"));
    const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
    try {
      const port = await listen(server);
      const reply = waitFor(worker, "message", 20_000);
      const lib = new URL(`../mod.${ext}`, import.meta.url).href;
      worker.postMessage({ server, adoptWith: lib }, [server as never]);
      assert.equal((await reply)[0], { isOmninet: true, listening: true });
      for (let i = 0; i < 3; i++) assert.is(await answer({ port }), "omninet worker");
    } finally {
      await closeServer(server);
      await stop();
    }
  });

  serverSuite("a server that is not a listening TCP server stays the sender's", async () => {
    const { worker, stop } = await startWorker();
    const dir = tempDir();
    const idle = net.createServer();
    const unix = net.createServer((s) => s.end("sender"));
    const closed = net.createServer();
    try {
      assert.is(transfer(worker, idle), notTransferable);
      const path = join(dir, "s.sock");
      unix.listen(path);
      await waitFor(unix, "listening");
      assert.is(transfer(worker, unix), notTransferable);
      assert.ok(unix.listening);
      assert.is(await answer({ path }), "sender");
      await listen(closed);
      await closeServer(closed);
      assert.is(transfer(worker, closed), notTransferable);
    } finally {
      await closeServer(unix);
      await stop();
      removeDir(dir);
    }
  });
} else {
  serverSuite(
    "a listening server is refused as the runtime's own node:net server is, and keeps listening",
    async () => {
      const { worker, stop } = await startWorker();
      const server = net.createServer((s) => s.end("sender"));
      const own = nodeNet.createServer();
      try {
        const port = await listen(server);
        assert.is(transfer(worker, server), refused);
        own.listen(0, "127.0.0.1");
        await waitFor(own, "listening");
        assert.is(transfer(worker, own), refused);
        assert.ok(server.listening);
        assert.is(await answer({ port }), "sender");
      } finally {
        await closeServer(server);
        if (own.listening) await new Promise((r) => own.close(r));
        await stop();
      }
    },
  );
}

serverSuite("in every state, the outcome is node:net's own server's", async () => {
  const { worker, stop } = await startWorker();
  const dir = tempDir();
  const servers: { omninet: net.Server; own: nodeNet.Server }[] = [];
  try {
    for (const state of ["idle", "tcp", "unix"] as const) {
      const pair = { omninet: net.createServer(), own: nodeNet.createServer() };
      servers.push(pair);
      if (state === "tcp") {
        pair.omninet.listen(0, "127.0.0.1");
        pair.own.listen(0, "127.0.0.1");
      } else if (state === "unix") {
        pair.omninet.listen(join(dir, "omninet.sock"));
        pair.own.listen(join(dir, "own.sock"));
      }
      if (state !== "idle") {
        await Promise.all([waitFor(pair.omninet, "listening"), waitFor(pair.own, "listening")]);
      }
      const expected = transfer(worker, pair.own);
      assert.is(transfer(worker, pair.omninet), expected, state);
      if (expected === "sent") {
        // Replies arrive on later turns: listening for them after both sends misses none.
        const [own, omninet] = await messages(worker, 2);
        assert.equal({ ...omninet, port: 0 }, { ...own, port: 0 }, state);
      }
    }
  } finally {
    for (const { omninet, own } of servers) {
      await closeServer(omninet);
      if (own.listening) await new Promise((r) => own.close(r));
    }
    await stop();
    removeDir(dir);
  }
});

serverSuite(
  "_handle takes only null: the server lets go of its listener, which closes",
  async () => {
    const server = net.createServer();
    try {
      const port = await listen(server);
      const handle = server as unknown as { _handle: unknown };
      let code: string | undefined;
      try {
        handle._handle = {};
      } catch (err) {
        code = (err as { code?: string }).code;
        assert.instance(err, TypeError);
      }
      assert.is(code, "ERR_INVALID_ARG_VALUE");
      assert.ok(server.listening);
      handle._handle = null;
      assert.is(server.listening, false);
      assert.is(handle._handle, null);
      // No thread took it: the listening socket is closed, nobody answers.
      const err = await new Promise<unknown>((resolve) => {
        const c = nodeNet.connect(port, "127.0.0.1");
        c.on("connect", () => {
          c.destroy();
          resolve(null);
        });
        c.on("error", resolve);
      });
      // Refused, or reset where the runtime closes its listener after the SYN
      // reached the backlog (Deno's Deno.listen): either way nobody accepts it.
      const code2 = (err as { code?: string } | null)?.code;
      assert.ok(code2 === "ECONNREFUSED" || code2 === "ECONNRESET", String(code2));
    } finally {
      await closeServer(server);
    }
  },
);

serverSuite.run();

const socketSuite = suite("worker.postMessage(value, [socket]) with an omninet Socket");

socketSuite(
  "an omninet socket cannot be transferred (README): the attempt throws, the socket keeps working",
  async () => {
    const { worker, stop } = await startWorker();
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      s.pipe(s);
    });
    try {
      const port = await listen(server);
      const c = net.connect(port, "127.0.0.1");
      await Promise.all([waitFor(c, "connect"), waitFor(server, "connection")]);
      // Fresh on both ends: what node:net's own would let go on Node 24.21+ and 26.
      const fresh = currentRuntime() === "node" && !transfers
        ? "TypeError TypeError ERR_INVALID_TRANSFER_OBJECT"
        : "DOMException DataCloneError 25";
      assert.is(transfer(worker, c), fresh);
      assert.is(transfer(worker, accepted[0]), fresh);
      assert.is(c.destroyed, false);
      c.setEncoding("utf8");
      const echoed = waitFor(c, "data");
      c.write("ping");
      assert.equal(await echoed, ["ping"]);
      const closed = waitFor(c, "close");
      c.end();
      await closed;
    } finally {
      for (const s of accepted) s.destroy();
      await closeServer(server);
      await stop();
    }
  },
);

socketSuite.run();
