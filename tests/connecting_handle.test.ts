// `socket._handle` while a socket connects. Node's socket holds its handle
// from connect() on, before any host lookup: Node's own tests and stacks read
// and patch it then (`test-net-connect-nodelay` patches its `setNoDelay`,
// `_http_common` parsers consume it). Where omninet's adapter drives the
// runtime's handles (libuv, the default on Node and Deno) the socket shows
// the handle its dial will run on, made at connect(); so does Bun's adapter
// (Bun's native socket, as Bun's own `node:net` makes it). The forced
// adapters make none before the dial, and `_handle` is null until connected.
// Each handle made ahead is closed when no dial takes it (destroyed during
// the lookup, the lookup failed, an over-long path).
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import type { Socket } from "../core/socket.ts";
import { currentRuntime } from "./_runtime.ts";
import { closeServer, listen, removeDir, sleep, slowLookup, tempDir, waitFor } from "./_net.ts";

const test = suite("_handle while connecting");

// The adapters that make the dial's handle at connect(): libuv's and Bun's.
const transportName = getTransport().name;
const ahead = transportName === "libuv" || transportName === "bun";

/** A handle's method wrapped to record its calls (the original still runs). */
function spy(handle: object, name: string, calls: unknown[][]): void {
  const h = handle as Record<string, (...a: unknown[]) => unknown>;
  const original = h[name];
  h[name] = function (this: unknown, ...args: unknown[]) {
    calls.push([name, ...args]);
    return original.apply(this, args);
  };
}

const handleOf = (s: Socket) => (s as unknown as { _handle: object | null })._handle;

test("the adapters that make handles ahead are the defaults", () => {
  const forced = (globalThis as { process?: { env?: Record<string, string> } }).process?.env
    ?.OMNINET_TRANSPORT;
  // Not a test that cannot fail: the cases below check the handle on these configurations.
  if (forced === undefined) assert.ok(ahead, transportName);
  assert.is(typeof getTransport().dialHandle === "function", ahead);
  if (currentRuntime() === "bun" && forced === undefined) assert.is(transportName, "bun");
});

test("shown from connect() on, through the lookup; options apply to it once connected", async () => {
  const server = net.createServer((c) => c.end());
  const port = await listen(server);
  try {
    const s = net.connect({
      port,
      host: "omninet.test",
      lookup: slowLookup(20) as never,
      autoSelectFamily: false,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 3000,
    }) as unknown as Socket;
    const early = handleOf(s);
    assert.is(s.connecting, true);
    if (!ahead) {
      assert.is(early, null);
      s.destroy();
      await waitFor(s, "close");
      return;
    }
    assert.type(early, "object");
    assert.is(handleOf(s), early, "the same handle on every read");
    const calls: unknown[][] = [];
    // As test-net-connect-nodelay / -keepalive: patched before the connection, called at it.
    spy(early!, "setNoDelay", calls);
    spy(early!, "setKeepAlive", calls);
    await sleep(5);
    assert.is(handleOf(s), early, "still the same during the lookup");
    await waitFor(s, "connect");
    assert.is(handleOf(s), early, "the connection runs on it");
    assert.equal(calls.map((c) => c.slice(0, 2)), [["setNoDelay", true], ["setKeepAlive", true]]);
    // libuv's handle takes the delay in seconds, as Node's; Bun's native socket (what Bun's
    // own node:net shows too) in milliseconds.
    assert.is(calls[1][2], transportName === "bun" ? 3000 : 3, "the delay in the handle's unit");
    s.resume();
    await waitFor(s, "close");
    assert.is(handleOf(s), null);
  } finally {
    await closeServer(server);
  }
});

test("an IP literal: shown at once; falsy noDelay calls nothing", async () => {
  const server = net.createServer((c) => c.end("hi"));
  const port = await listen(server);
  try {
    const s = net.connect({ port, host: "127.0.0.1", noDelay: false }) as unknown as Socket;
    const early = handleOf(s);
    assert.is(early !== null, ahead);
    const calls: unknown[][] = [];
    if (early !== null) spy(early, "setNoDelay", calls);
    const got: Buffer[] = [];
    s.on("data", (d: Buffer) => got.push(d));
    await waitFor(s, "close");
    assert.is(Buffer.concat(got).toString(), "hi");
    assert.equal(calls, []);
    assert.is(s.bytesRead, 2);
  } finally {
    await closeServer(server);
  }
});

test("destroyed during the lookup: the handle made ahead is closed, and none is shown", async () => {
  const s = net.connect({
    port: 9,
    host: "omninet.test",
    lookup: slowLookup(-1) as never,
  }) as unknown as Socket;
  const early = handleOf(s);
  assert.is(early !== null, ahead);
  const calls: unknown[][] = [];
  if (early !== null) spy(early, "close", calls);
  s.destroy();
  assert.is(handleOf(s), null);
  await waitFor(s, "close");
  assert.is(calls.length, ahead ? 1 : 0);
});

test("a failed lookup closes it", async () => {
  const s = net.connect({
    port: 9,
    host: "omninet.test",
    lookup: (_h: string, _o: unknown, cb: (e: Error) => void) =>
      setTimeout(() => cb(Object.assign(new Error("no such host"), { code: "ENOTFOUND" })), 5),
  } as never) as unknown as Socket;
  const early = handleOf(s);
  const calls: unknown[][] = [];
  if (early !== null) spy(early, "close", calls);
  const [[err]] = await Promise.all([waitFor(s, "error"), waitFor(s, "close")]);
  assert.is((err as { code?: string }).code, "ENOTFOUND");
  assert.is(calls.length, ahead ? 1 : 0);
  assert.is(handleOf(s), null);
});

test("Happy Eyeballs: a new handle for each later address, shown when it is announced", async () => {
  // The port on 127.0.0.1 listens; on ::1 nothing does (refused, or no IPv6 at all).
  const server = net.createServer((c) => c.end());
  const port = await listen(server, "127.0.0.1");
  try {
    const s = net.connect({
      port,
      host: "omninet.test",
      autoSelectFamily: true,
      lookup: (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
        setTimeout(
          () => cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]),
          1,
        ),
    } as never) as unknown as Socket;
    const first = handleOf(s);
    const closes: unknown[][] = [];
    if (first !== null) spy(first, "close", closes);
    const atAttempt: (object | null)[] = [];
    s.on("connectionAttempt", () => atAttempt.push(handleOf(s)));
    await waitFor(s, "connect");
    s.resume();
    assert.equal(
      (s as unknown as { autoSelectFamilyAttemptedAddresses: string[] })
        .autoSelectFamilyAttemptedAddresses,
      [`::1:${port}`, `127.0.0.1:${port}`],
    );
    if (ahead) {
      assert.is(atAttempt.length, 2);
      assert.is(atAttempt[0], first);
      assert.ok(atAttempt[1] !== null && atAttempt[1] !== first, "a new handle for 127.0.0.1");
      assert.is(handleOf(s), atAttempt[1]);
      // Bun closes a native socket whose dial failed itself.
      assert.is(
        closes.length,
        transportName === "libuv" ? 1 : 0,
        "the first attempt's handle closed",
      );
    } else assert.equal(atAttempt, [null, null]);
    await waitFor(s, "close");
  } finally {
    await closeServer(server);
  }
});

test("Unix: the pipe handle is shown while connecting; an over-long path closes it", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "s.sock");
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const s = net.connect(path) as unknown as Socket;
      const early = handleOf(s);
      assert.is(early !== null, ahead);
      await waitFor(s, "connect");
      if (ahead) assert.is(handleOf(s), early);
      s.resume();
      await waitFor(s, "close");
    } finally {
      await closeServer(server);
    }

    // The socket is destroyed within connect() (Node 22+): the handle made for the dial is
    // watched from its making.
    const calls: unknown[][] = [];
    const transport = getTransport();
    const make = transport.dialHandle;
    if (make !== undefined) {
      transport.dialHandle = (pipe: boolean) => {
        const h = make.call(transport, pipe);
        if (h !== null) spy(h, "close", calls);
        return h;
      };
    }
    let long: Socket;
    try {
      long = net.connect(join(dir, "x".repeat(200))) as unknown as Socket;
    } finally {
      transport.dialHandle = make;
    }
    assert.is(long.destroyed, true);
    await Promise.all([waitFor(long, "error"), waitFor(long, "close")]);
    assert.is(calls.length, ahead ? 1 : 0);
  } finally {
    removeDir(dir);
  }
});

test.run();
