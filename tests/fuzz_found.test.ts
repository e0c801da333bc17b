// Differences from Node 26's node:net that the seeded differential test
// (tests/fuzz.test.ts) found, each pinned by a focused test. The seed that
// found each one is named in the test.
import { Buffer } from "node:buffer";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import net, { type Server, type Socket } from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import { quietPort, removeDir, tempDir, waitFor } from "./_net.ts";
import { currentRuntime } from "./_runtime.ts";

const found = suite("behaviours the differential test found");

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

/**
 * A Unix server whose accepted socket runs `onEnd` when the client (which
 * closes at once) has gone; resolves with what `onEnd` returned.
 */
async function afterPeerClosed<T>(onEnd: (s: Socket) => T): Promise<T> {
  const dir = tempDir();
  const path = join(dir, "s.sock");
  let result!: (v: T) => void;
  const got = new Promise<T>((r) => (result = r));
  const server = net.createServer((s) => {
    s.on("error", () => {});
    // The refused write destroys the socket (at once on Node, later elsewhere).
    s.on("end", () => result(onEnd(s)));
  });
  try {
    await new Promise<void>((r) => server.listen(path, r));
    const c = net.connect(path, () => c.destroy());
    c.on("error", () => {});
    return await got;
  } finally {
    await closeServer(server);
    removeDir(dir);
  }
}

/**
 * Whether a write the kernel refuses at once fails within write(): on Node
 * (either adapter) and through Bun's node:net. Deno's handles and Bun's own
 * sockets write on a later turn, so there the refusal follows write() (README,
 * Differences from Node).
 */
function refusalIsSynchronous(): boolean {
  const runtime = currentRuntime();
  if (runtime === "deno") return false;
  return runtime === "node" || getTransport().name === "node";
}

// Seeds 69 and 1163 (Unix socket, the server writes once the client closed).
found("a write the kernel refuses at once (Unix, peer gone) fails within write()", async () => {
  const out = await afterPeerClosed((s) => {
    const events: string[] = [];
    s.on("error", (e: Error & { code?: string; syscall?: string }) => {
      events.push(`error ${e.code} ${e.syscall}`);
    });
    const ret = s.write(Buffer.from("bye"), (err) => {
      events.push(`cb ${(err as { code?: string } | null | undefined)?.code}`);
    });
    const sync = { ret, destroyed: s.destroyed, errored: s.errored !== null };
    s.end();
    const facts = { writableEnded: s.writableEnded, bytesWritten: s.bytesWritten };
    return new Promise<unknown>((r) => s.on("close", () => r({ sync, facts, events })));
  }) as { sync: unknown; facts: unknown; events: string[] };
  // Where the runtime took the bytes into its own buffer first, the write's
  // callback may still succeed; the EPIPE comes all the same.
  assert.is(out.events.at(-1), "error EPIPE write");
  if (!refusalIsSynchronous()) return;
  assert.equal(out.events, ["cb EPIPE", "error EPIPE write"]);
  assert.equal(out.sync, { ret: false, destroyed: false, errored: true });
  // Errored before end(): Node's end() then leaves writableEnded false.
  assert.equal(out.facts, { writableEnded: false, bytesWritten: 3 });
});

found("a refused text write is left out of bytesWritten, a refused Buffer is not", async () => {
  if (!refusalIsSynchronous()) return;
  const text = await afterPeerClosed((s) => {
    s.write("bye", "utf8");
    return s.bytesWritten;
  });
  const latin1 = await afterPeerClosed((s) => {
    s.write("bye", "latin1");
    return s.bytesWritten;
  });
  const hex = await afterPeerClosed((s) => {
    s.write("627965", "hex");
    return s.bytesWritten;
  });
  assert.equal({ text, latin1, hex }, { text: 0, latin1: 0, hex: 3 });
});

// Seed 89 (a refused port, a write with a callback made while connecting).
found("a write held while connecting fails in 'close', after earlier listeners", async () => {
  const port = await quietPort();
  const c = net.connect(port, "127.0.0.1");
  const order: string[] = [];
  c.on("error", (e: Error & { code?: string }) => order.push(`error ${e.code}`));
  c.on("close", () => order.push("close"));
  c.write("abc", (err) => order.push(`cb ${(err as { code?: string } | null)?.code}`));
  c.on("close", () => order.push("close (added after the write)"));
  await waitFor(c, "close");
  await new Promise((r) => setImmediate(r));
  assert.equal(order, [
    "error ECONNREFUSED",
    "close",
    "cb ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
    "close (added after the write)",
  ]);
  // Node still counts the held bytes once closed.
  assert.is(c.bytesWritten, 3);
});

// Seed 16 (an empty write made while connecting).
found("an empty write made while connecting calls back before 'ready'", async () => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const order: string[] = [];
  const c = net.connect(port, "127.0.0.1");
  c.on("error", () => {});
  c.on("connect", () => order.push("connect"));
  c.on("ready", () => order.push("ready"));
  c.write(Buffer.alloc(0), () => order.push("write cb"));
  c.write("", () => order.push("second cb"));
  await waitFor(c, "ready");
  await new Promise((r) => setImmediate(r));
  c.destroy();
  await closeServer(server);
  // The first write goes out from 'connect' and completes at once; the second
  // waits in the stream's buffer for the next turn, as in Node.
  assert.equal(order.slice(0, 3), ["connect", "write cb", "ready"]);
});

found.run();
