// omninet's net.BoundSocket where the runtime's node:net has one (Node 24.21+
// and 26.10+): it passes for node:net's own (`instanceof`), so node:net's
// Server and Socket adopt it, and on Node 26.10+ `child_process` sends it
// (`subprocess.send(message, bound)`, `process.send`) and worker messaging
// moves it (`postMessage(value, [bound])`), as Node documents for its own;
// omninet's Server and Socket adopt node:net's BoundSocket (such as one a
// child process or worker received). Where node:net has none (Node 20, Deno,
// Bun), the same sends are refused as for any other object.
import * as nodeNet from "node:net";
import { join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import { nativeBound } from "../runtimes/node/native_bound.ts";
import { answer, closeServer, removeDir, startIpcChild, tempDir, waitFor } from "./_net.ts";
import { currentRuntime } from "./_runtime.ts";

type NodeBoundClass = new (options?: Record<string, unknown>) => {
  address(): { port: number } | string;
  close(): void;
  [Symbol.dispose](): void;
};
const NodeBound = (nodeNet as unknown as { BoundSocket?: NodeBoundClass }).BoundSocket;
const canBind = getTransport().features.boundSocket === true;
const native = nativeBound();
// Node 26.10+: node:net's BoundSocket moves to other processes and threads.
const moves = native?.shell != null;

/** How a call ended: "ok", or the thrown error's class, name and code. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    const e = err as { constructor: { name: string }; name: string; code?: unknown };
    return `${e.constructor.name} ${e.name} ${String(e.code)}`;
  }
}

const adopted = "Error Error ERR_SOCKET_HANDLE_ADOPTED";
const notTransferable = "Error Error ERR_WORKER_HANDLE_NOT_TRANSFERABLE";

const Where = suite("where node:net's BoundSocket is");

Where("omninet's BoundSocket passes for node:net's exactly where node:net has one", () => {
  assert.is(native !== null, typeof NodeBound === "function" && currentRuntime() === "node");
  if (!canBind) return;
  using bound = new net.BoundSocket({ host: "127.0.0.1" });
  assert.ok(bound instanceof net.BoundSocket);
  assert.is(NodeBound !== undefined && bound instanceof NodeBound, native !== null);
});

Where.run();

const Adopt = suite("node:net and omninet adopt each other's BoundSocket");

if (native !== null && NodeBound !== undefined) {
  Adopt(
    "node:net's Server listens on omninet's TCP BoundSocket, which is adopted then",
    async () => {
      const bound = new net.BoundSocket({ host: "127.0.0.1" });
      const { port } = bound.address() as { port: number };
      const server = nodeNet.createServer((s) => s.end("node:net"));
      await new Promise<void>((r) => server.listen(bound as never, r));
      try {
        assert.is((server.address() as { port: number }).port, port);
        assert.is(await answer({ port }), "node:net");
        assert.is(outcome(() => bound.address()), adopted);
        assert.is(outcome(() => bound.close()), adopted);
      } finally {
        await new Promise((r) => server.close(r));
      }
    },
  );

  Adopt("node:net's Server listens on omninet's Unix BoundSocket", async () => {
    const dir = tempDir();
    const path = join(dir, "b.sock");
    const bound = new net.BoundSocket({ path });
    const server = nodeNet.createServer((s) => s.end("node:net unix"));
    await new Promise<void>((r) => server.listen(bound as never, r));
    try {
      assert.is(server.address(), path);
      assert.is(await answer({ path }), "node:net unix");
    } finally {
      await new Promise((r) => server.close(r));
      removeDir(dir);
    }
  });

  Adopt("node:net's Socket dials from omninet's BoundSocket", async () => {
    const server = net.createServer((s) => s.end(String(s.remotePort)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const bound = new net.BoundSocket({ host: "127.0.0.1" });
    const { port } = bound.address() as { port: number };
    try {
      const c = new nodeNet.Socket({ handle: bound as never });
      c.connect((server.address() as { port: number }).port, "127.0.0.1");
      let data = "";
      c.setEncoding("utf8");
      c.on("data", (d: string) => (data += d));
      await waitFor(c, "close");
      assert.is(data, String(port));
      assert.is(outcome(() => bound.fd()), adopted);
    } finally {
      await closeServer(server);
    }
  });

  Adopt(
    "omninet's Server listens on node:net's BoundSocket, and omninet's Socket dials from one",
    async () => {
      const forServer = new NodeBound({ host: "127.0.0.1" });
      const { port } = forServer.address() as { port: number };
      const server = net.createServer((s) => s.end(String(s.remotePort)));
      await new Promise<void>((r) => server.listen(forServer as never, r));
      try {
        assert.is((server.address() as { port: number }).port, port);
        assert.is(outcome(() => forServer.address()), "Error Error ERR_SOCKET_HANDLE_ADOPTED");
        const forClient = new NodeBound({ host: "127.0.0.1" });
        const local = (forClient.address() as { port: number }).port;
        const c = new net.Socket({ handle: forClient as never });
        assert.is(c.localPort, local);
        c.connect(port, "127.0.0.1");
        let data = "";
        c.setEncoding("utf8");
        c.on("data", (d: string) => (data += d));
        await waitFor(c, "close");
        assert.is(data, String(local));
        // Adopted already: omninet refuses it as node:net does.
        assert.is(
          outcome(() => net.createServer().listen(forClient as never)),
          "Error Error ERR_SOCKET_HANDLE_ADOPTED",
        );
      } finally {
        await closeServer(server);
      }
    },
  );

  Adopt("omninet's Server listens on node:net's Unix BoundSocket", async () => {
    const dir = tempDir();
    const path = join(dir, "n.sock");
    const server = net.createServer((s) => s.end("omninet unix"));
    await new Promise<void>((r) => server.listen(new NodeBound({ path }) as never, r));
    try {
      assert.is(server.address(), path);
      assert.is(await answer({ path }), "omninet unix");
    } finally {
      await closeServer(server);
      removeDir(dir);
    }
  });
}

Adopt.run();

const Send = suite("subprocess.send(message, bound) with omninet's BoundSocket");

if (moves) {
  Send("a TCP BoundSocket goes to the child, whose server listens on that port", async () => {
    const child = await startIpcChild("fixtures/bound_handoff_child");
    try {
      const bound = new net.BoundSocket({ host: "127.0.0.1" });
      const { port } = bound.address() as { port: number };
      const reply = child.next();
      const sent = await new Promise((r) => child.proc.send("bound", bound as never, r));
      assert.is(sent, null);
      assert.equal(await reply, { got: "bound", isNetBound: true, port, listening: true });
      assert.is(await answer({ port }), "omninet child");
      // Sent: adopted here, as node:net's.
      assert.is(outcome(() => bound.address()), adopted);
    } finally {
      await child.stop();
    }
  });

  Send(
    "the child's omninet BoundSocket comes to the parent as node:net's, for omninet to adopt",
    async () => {
      const child = await startIpcChild("fixtures/bound_handoff_child");
      const server = net.createServer((s) => s.end("parent"));
      try {
        const got = waitFor(child.proc, "message", 20_000);
        child.proc.send("make");
        const [msg, handle] = await got as [{ made: number }, unknown];
        assert.ok(NodeBound !== undefined && handle instanceof NodeBound);
        await new Promise<void>((r) => server.listen(handle as never, r));
        assert.is((server.address() as { port: number }).port, msg.made);
        assert.is(await answer({ port: msg.made }), "parent");
      } finally {
        await closeServer(server);
        await child.stop();
      }
    },
  );

  Send("a Unix or closed BoundSocket is refused as node:net's, and stays as it was", async () => {
    const child = await startIpcChild("fixtures/bound_handoff_child");
    const dir = tempDir();
    try {
      using pipe = new net.BoundSocket({ path: join(dir, "p.sock") });
      assert.is(
        outcome(() => child.proc.send("bound", pipe as never)),
        "TypeError TypeError ERR_INVALID_HANDLE_TYPE",
      );
      assert.is(pipe.address(), join(dir, "p.sock"));
      const closed = new net.BoundSocket({ host: "127.0.0.1" });
      closed.close();
      assert.is(outcome(() => child.proc.send("bound", closed as never)), notTransferable);
    } finally {
      await child.stop();
      removeDir(dir);
    }
  });
} else {
  Send("refused as any object node:net's child_process cannot send", async () => {
    if (!canBind) return;
    const child = await startIpcChild("fixtures/bound_handoff_child");
    try {
      using bound = new net.BoundSocket({ host: "127.0.0.1" });
      assert.is(
        outcome(() => child.proc.send("bound", bound as never)),
        "TypeError TypeError ERR_INVALID_HANDLE_TYPE",
      );
      assert.is(typeof bound.address(), "object");
    } finally {
      await child.stop();
    }
  });
}

Send.run();

const WORKER = `
const { parentPort } = require("node:worker_threads");
const net = require("node:net");
parentPort.once("message", ({ bound }) => {
  const port = bound.address().port;
  const server = net.createServer((s) => s.end("worker"));
  server.listen(bound, () => {
    parentPort.postMessage({ isNetBound: bound instanceof net.BoundSocket, port });
    parentPort.once("message", () => server.close(() => parentPort.close()));
  });
});
`;

const Transfer = suite("worker.postMessage(value, [bound]) with omninet's BoundSocket");

if (moves) {
  Transfer("a TCP BoundSocket moves to the worker, whose server listens on that port", async () => {
    const worker = new Worker(WORKER, { eval: true });
    try {
      await waitFor(worker, "online", 20_000);
      const bound = new net.BoundSocket({ host: "127.0.0.1" });
      const { port } = bound.address() as { port: number };
      const reply = waitFor(worker, "message", 20_000);
      worker.postMessage({ bound }, [bound as never]);
      assert.is(outcome(() => bound.address()), adopted);
      assert.equal((await reply)[0], { isNetBound: true, port });
      assert.is(await answer({ port }), "worker");
      const done = waitFor(worker, "exit", 20_000);
      worker.postMessage("close");
      await done;
    } finally {
      await worker.terminate();
    }
  });

  Transfer("a Unix or closed BoundSocket is not transferable, and stays as it was", () => {
    const dir = tempDir();
    const { port1, port2 } = new MessageChannel();
    try {
      using pipe = new net.BoundSocket({ path: join(dir, "w.sock") });
      assert.is(outcome(() => port1.postMessage(pipe, [pipe as never])), notTransferable);
      assert.is(pipe.address(), join(dir, "w.sock"));
      const closed = new net.BoundSocket({ host: "127.0.0.1" });
      closed.close();
      assert.is(outcome(() => port1.postMessage(closed, [closed as never])), notTransferable);
    } finally {
      port1.close();
      port2.close();
      removeDir(dir);
    }
  });
} else {
  Transfer("not transferable, as node:net's own where it has one", () => {
    if (!canBind) return;
    const { port1, port2 } = new MessageChannel();
    try {
      using bound = new net.BoundSocket({ host: "127.0.0.1" });
      const ours = outcome(() => port1.postMessage(bound, [bound as never]));
      assert.ok(ours !== "ok", ours);
      if (NodeBound !== undefined) {
        using theirs = new NodeBound({ host: "127.0.0.1" });
        assert.is(ours, outcome(() => port1.postMessage(theirs, [theirs as never])));
      }
      assert.is(typeof bound.address(), "object");
    } finally {
      port1.close();
      port2.close();
    }
  });
}

Transfer.run();
