// Behaviours Node's own test-net-* suite checks that the other suites here do
// not: each test is a fresh check of what Node's `net` documentation (and
// Node 26's behaviour, where the docs are silent) says, run on every runtime.
import { Buffer } from "node:buffer";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import * as nodeNet from "node:net";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import { quietPort, removeDir, sleep, slowLookup, tempDir, waitFor } from "./_net.ts";
import { currentRuntime, type SpawnResult, spawnScript } from "./_runtime.ts";

type Server = ReturnType<typeof net.createServer>;
type Sock = InstanceType<typeof net.Socket>;
type Err = Error & Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;
/** net.connect / createConnection without the typed overloads, for bad arguments. */
const connectAny = net.connect as unknown as AnyFn;
const createConnectionAny = net.createConnection as unknown as AnyFn;

async function listenOn(server: Server, host = "127.0.0.1"): Promise<number> {
  server.listen(0, host);
  await waitFor(server, "listening");
  return (server.address() as { port: number }).port;
}

async function closeAll(server: Server, sockets: Sock[] = []): Promise<void> {
  for (const s of sockets) s.destroy();
  if (!server.listening) return;
  await new Promise<void>((r) => server.close(() => r()));
}

/** A server that records its accepted sockets and runs `onConn` on each. */
async function tcpServer(
  onConn: (s: Sock) => void = () => {},
  opts: Record<string, unknown> = {},
): Promise<{ server: Server; port: number; accepted: Sock[] }> {
  const accepted: Sock[] = [];
  const server = net.createServer(opts, (s: Sock) => {
    accepted.push(s);
    s.on("error", () => {});
    onConn(s);
  });
  const port = await listenOn(server);
  return { server, port, accepted };
}

/** A port nothing listens on, which no other suite's listen(0) takes meanwhile. */
const freePort = quietPort;

function thrown(fn: () => unknown): Err | undefined {
  try {
    fn();
  } catch (e) {
    return e as Err;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
/**
 * The forced Deno.connect/listen adapter has no TCP RST (Deno's public API
 * cannot send one; the default handle-layer transport can): there
 * resetAndDestroy() must fail loudly instead. Checks that, cleans up, and
 * returns true when the test cannot go on.
 */
async function resetUnavailable(
  c: Sock,
  server: Server,
  accepted: Sock[],
): Promise<boolean> {
  if (getTransport().name !== "deno") return false;
  let code: string | undefined;
  try {
    c.resetAndDestroy();
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  assert.is(code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  c.destroy();
  await closeAll(server, accepted);
  return true;
}

/**
 * Where the transport cannot bind a dial's local end (the forced
 * Deno.connect/listen adapter), a connect with localPort must throw the loud
 * error; returns true there, so the test stops.
 */
function localBindUnavailable(): boolean {
  if (getTransport().features.localBind) return false;
  let code: string | undefined;
  try {
    net.connect({ port: 9, host: "127.0.0.1", localPort: 1 });
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  assert.is(code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  return true;
}

/** The same for `listen({ fd })` on a transport without it. */
function listenFdUnavailable(fd: number): boolean {
  if (getTransport().listenFd) return false;
  let code: string | undefined;
  try {
    net.createServer().listen({ fd });
  } catch (e) {
    code = (e as { code?: string }).code;
  }
  assert.is(code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  return true;
}

const sock = suite("conformance: Socket");

sock("the 'ready' event follows 'connect' without a connect listener", async () => {
  const { server, port, accepted } = await tcpServer();
  const order: string[] = [];
  const c = net.connect(port, "127.0.0.1");
  c.on("connect", () => order.push("connect"));
  c.on("ready", () => order.push("ready"));
  await waitFor(c, "ready");
  assert.equal(order, ["connect", "ready"]);
  c.destroy();
  await closeAll(server, accepted);
});

sock("destroy() right after connect(): no 'connect', no 'error', one 'close'", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  const events: string[] = [];
  c.on("connect", () => events.push("connect"));
  c.on("error", () => events.push("error"));
  c.on("close", (hadError: boolean) => events.push(`close:${hadError}`));
  c.destroy();
  c.destroy();
  await sleep(50);
  assert.equal(events, ["close:false"]);
  await closeAll(server, accepted);
});

sock("destroy() twice on a connected socket emits 'close' once", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  let closes = 0;
  c.on("close", () => closes++);
  c.destroy();
  c.destroy();
  await waitFor(c, "close");
  await sleep(20);
  assert.is(closes, 1);
  await closeAll(server, accepted);
});

sock("getters after 'close' keep working and setters are no-ops", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  const remotePort = c.remotePort;
  c.destroy();
  await waitFor(c, "close");
  assert.is(c.setNoDelay(), c);
  assert.is(c.setKeepAlive(true), c);
  assert.is(c.pause(), c);
  assert.is(c.resume(), c);
  assert.is(c.ref(), c);
  assert.is(c.unref(), c);
  assert.type(c.address(), "object");
  assert.is(c.remotePort, remotePort);
  assert.is(c.remoteAddress, "127.0.0.1");
  assert.is(c.readyState, "closed");
  assert.is(c.destroyed, true);
  await closeAll(server, accepted);
});

sock("an unconnected socket: address() is {}, remote getters are undefined", () => {
  const s = new net.Socket();
  assert.equal(s.address(), {});
  assert.is(s.remoteAddress, undefined);
  assert.is(s.remotePort, undefined);
  assert.is(s.remoteFamily, undefined);
  assert.is(s.localAddress, undefined);
  assert.is(s.localPort, undefined);
  assert.is(s.bytesRead, 0);
  assert.is(s.bytesWritten, 0);
  assert.is(s.connecting, false);
  assert.is(s.pending, true);
  // Neither connecting nor ended: Node reports "open" until it connects.
  assert.is(s.readyState, "open");
  assert.is(s.timeout, undefined);
  s.destroy();
});

sock("net.Stream is net.Socket and both work without new", () => {
  assert.is(net.Stream, net.Socket);
  // deno-lint-ignore no-explicit-any
  const s = (net.Socket as any)();
  assert.ok(s instanceof net.Socket);
  s.destroy();
});

sock("setTimeout() on a socket without a connection still fires 'timeout'", async () => {
  const s = new net.Socket();
  // As on Node: no own `timeout` until setTimeout() sets one.
  assert.not.ok(Object.hasOwn(s, "timeout"));
  assert.is(s.timeout, undefined);
  const p = waitFor(s, "timeout");
  assert.is(s.setTimeout(5), s);
  assert.ok(Object.hasOwn(s, "timeout"));
  assert.is(s.timeout, 5);
  await p;
  s.setTimeout(0);
  assert.is(s.timeout, 0);
  s.destroy();
});

sock("setTimeout(0, cb) removes that 'timeout' listener", () => {
  const s = new net.Socket();
  const cb = () => {};
  s.setTimeout(1000, cb);
  assert.is(s.listenerCount("timeout"), 1);
  s.setTimeout(0, cb);
  assert.is(s.listenerCount("timeout"), 0);
  s.destroy();
});

sock("write() argument errors: null, a number, a bad encoding", () => {
  const s = new net.Socket();
  s.on("error", () => {});
  const e1 = thrown(() => s.write(null as unknown as string));
  assert.is(e1?.code, "ERR_STREAM_NULL_VALUES");
  assert.ok(e1 instanceof TypeError);
  const e2 = thrown(() => s.write(1 as unknown as string));
  assert.is(e2?.code, "ERR_INVALID_ARG_TYPE");
  assert.ok(e2 instanceof TypeError);
  const e3 = thrown(() => s.write("x", "no-such-encoding" as BufferEncoding));
  assert.is(e3?.code, "ERR_UNKNOWN_ENCODING");
  assert.ok(e3 instanceof TypeError);
  s.destroy();
});

sock(
  "write after end(): callback and 'error' get ERR_STREAM_WRITE_AFTER_END on a later tick",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const c = net.connect(port, "127.0.0.1");
    await waitFor(c, "connect");
    c.end();
    const seen: string[] = [];
    c.on("error", (e: Err) => seen.push(`error:${e.code}`));
    const ret = c.write("x", (e?: Error | null) => seen.push(`cb:${(e as Err)?.code}`));
    assert.is(ret, false);
    assert.equal(seen, []);
    await waitFor(c, "close");
    assert.ok(seen.includes("error:ERR_STREAM_WRITE_AFTER_END"));
    assert.ok(seen.includes("cb:ERR_STREAM_WRITE_AFTER_END"));
    await closeAll(server, accepted);
  },
);

sock("write after destroy(): the callback gets ERR_STREAM_DESTROYED", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  const closed = waitFor(c, "close");
  c.destroy();
  const err = await new Promise<Err>((r) => c.write("x", (e) => r(e as Err)));
  assert.is(err.code, "ERR_STREAM_DESTROYED");
  await closed;
  await closeAll(server, accepted);
});

sock(
  "a write queued while connecting fails with ERR_SOCKET_CLOSED_BEFORE_CONNECTION on destroy()",
  async () => {
    const port = await freePort();
    const c = net.connect(port, "127.0.0.1");
    c.on("error", () => {});
    const p = new Promise<Err>((r) => c.write("x", (e) => r(e as Err)));
    c.destroy();
    const err = await p;
    assert.is(err.code, "ERR_SOCKET_CLOSED_BEFORE_CONNECTION");
  },
);

sock("end(data) before connect: data and FIN reach the server, 'finish' then 'end'", async () => {
  const got: Buffer[] = [];
  let ended!: () => void;
  const serverEnded = new Promise<void>((r) => ended = r);
  const { server, port, accepted } = await tcpServer((s) => {
    s.on("data", (d: Buffer) => got.push(d));
    s.on("end", () => {
      s.end();
      ended();
    });
  });
  const c = net.connect(port, "127.0.0.1");
  c.write("ab");
  c.end("cd");
  assert.is(c.readyState, "opening");
  const order: string[] = [];
  c.on("connect", () => order.push("connect"));
  c.on("finish", () => order.push("finish"));
  c.on("end", () => order.push("end"));
  c.resume();
  await serverEnded;
  await waitFor(c, "close");
  assert.is(Buffer.concat(got).toString(), "abcd");
  assert.equal(order, ["connect", "finish", "end"]);
  assert.is(c.bytesWritten, 4);
  await closeAll(server, accepted);
});

sock("end(cb) calls back once the write side finished", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  await new Promise<void>((r) => c.end("x", () => r()));
  assert.is(c.writable, false);
  c.destroy();
  await closeAll(server, accepted);
});

sock("end() returns the socket", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  assert.is(c.end(), c);
  c.destroy();
  await closeAll(server, accepted);
});

sock("bytesRead and bytesWritten count bytes, strings by their encoding", async () => {
  const { server, port, accepted } = await tcpServer((s) => {
    s.end(Buffer.alloc(3000, 1));
    s.resume();
  });
  const c = net.connect(port, "127.0.0.1");
  c.write("é"); // 2 bytes in utf8
  c.write("ff", "hex"); // 1 byte
  c.write("é", "latin1"); // 1 byte
  c.write(new Uint8Array(5));
  assert.is(c.bytesWritten, 9);
  c.resume();
  await waitFor(c, "end");
  assert.is(c.bytesRead, 3000);
  c.end();
  await waitFor(c, "close");
  assert.is(c.bytesRead, 3000);
  assert.is(c.bytesWritten, 9);
  await closeAll(server, accepted);
});

sock("binary strings round-trip with the latin1 encoding", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.pipe(s));
  const c = net.connect(port, "127.0.0.1");
  let text = "";
  for (let i = 0; i < 256; i++) text += String.fromCharCode(i);
  c.setEncoding("latin1");
  let got = "";
  c.on("data", (d: string) => got += d);
  c.end(text, "latin1");
  await waitFor(c, "end");
  assert.is(got, text);
  await waitFor(c, "close");
  await closeAll(server, accepted);
});

sock("a large utf8 string arrives whole; bytesWritten counts its bytes", async () => {
  const text = "ü".repeat(300_000);
  let bytes = 0;
  let ended!: () => void;
  const serverEnded = new Promise<void>((r) => ended = r);
  const { server, port, accepted } = await tcpServer((s) => {
    s.on("data", (d: Buffer) => bytes += d.length);
    s.on("end", ended);
  });
  const c = net.connect(port, "127.0.0.1");
  c.end(text);
  await waitFor(c, "finish");
  assert.is(c.bytesWritten, 600_000);
  await serverEnded;
  assert.is(bytes, 600_000);
  c.destroy();
  await closeAll(server, accepted);
});

sock("pause() before connecting holds data until resume()", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.end("hello"));
  const c = net.connect(port, "127.0.0.1");
  c.pause();
  let got = "";
  c.on("data", (d: Buffer) => got += d);
  await waitFor(c, "connect");
  await sleep(30);
  assert.is(got, "");
  assert.is(c.isPaused(), true);
  c.resume();
  await waitFor(c, "end");
  assert.is(got, "hello");
  c.destroy();
  await closeAll(server, accepted);
});

sock("cork() before connect, uncork() after: one payload arrives in order", async () => {
  const chunks: Buffer[] = [];
  const { server, port, accepted } = await tcpServer((s) =>
    s.on("data", (d: Buffer) => chunks.push(d))
  );
  const c = net.connect(port, "127.0.0.1");
  c.cork();
  c.write("a");
  c.write("b");
  assert.is(c.writableLength, 2);
  await waitFor(c, "connect");
  c.write("c");
  c.uncork();
  c.end();
  await waitFor(c, "finish");
  await waitFor(accepted[0], "end");
  assert.is(Buffer.concat(chunks).toString(), "abc");
  assert.is(c.bytesWritten, 3);
  c.destroy();
  await closeAll(server, accepted);
});

sock("bufferSize and writableLength count what is held before connect", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  c.write("abcd");
  assert.is(c.writableLength, 4);
  assert.is(c.bufferSize, 4);
  await waitFor(c, "connect");
  c.end();
  await waitFor(c, "finish");
  assert.is(c.writableLength, 0);
  assert.is(c.bufferSize, 0);
  c.destroy();
  await closeAll(server, accepted);
});

sock("setNoDelay(), setKeepAlive() return the socket before and after connect", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = new net.Socket();
  assert.is(c.setNoDelay(), c);
  assert.is(c.setNoDelay(false), c);
  assert.is(c.setKeepAlive(true, 1000), c);
  c.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  assert.is(c.setNoDelay(true), c);
  assert.is(c.setKeepAlive(false), c);
  c.destroy();
  await closeAll(server, accepted);
});

sock("the peer's FIN without allowHalfOpen: 'end', our FIN, then 'close'", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.end());
  const c = net.connect(port, "127.0.0.1");
  const order: string[] = [];
  c.on("end", () => order.push(`end:${c.writable}`));
  c.on("finish", () => order.push("finish"));
  c.on("close", () => order.push("close"));
  c.resume();
  await waitFor(c, "close");
  assert.equal(order, ["end:true", "finish", "close"]);
  await closeAll(server, accepted);
});

sock("'connect' listener via connect(options) without a callback", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = new net.Socket();
  const ret = c.connect({ port, host: "127.0.0.1" });
  assert.is(ret, c);
  assert.is(c.connecting, true);
  await waitFor(c, "connect");
  assert.is(c.connecting, false);
  c.destroy();
  await closeAll(server, accepted);
});

sock("net.connect() without arguments throws ERR_MISSING_ARGS", () => {
  for (
    const f of [
      () => connectAny(),
      () => createConnectionAny(),
      () => (new net.Socket() as unknown as { connect: AnyFn }).connect(),
      () => connectAny({}),
      () => connectAny({ host: "127.0.0.1" }),
    ]
  ) {
    const e = thrown(f as () => unknown);
    assert.is(e?.code, "ERR_MISSING_ARGS");
    assert.ok(e instanceof TypeError);
  }
});

sock("connect() port forms: numeric strings pass, others throw ERR_SOCKET_BAD_PORT", () => {
  for (const bad of ["", " ", "abc", "-1", "65536", "1.5", 65536, -1, 1.5, NaN, Infinity]) {
    const e = thrown(() => net.connect({ port: bad as number, host: "127.0.0.1" }));
    assert.is(e?.code, "ERR_SOCKET_BAD_PORT", String(bad));
    assert.ok(e instanceof RangeError);
  }
  for (const bad of [true, {}, [], null, () => {}]) {
    const e = thrown(() => net.connect({ port: bad as unknown as number, host: "127.0.0.1" }));
    assert.is(e?.code, "ERR_INVALID_ARG_TYPE", String(bad));
  }
  for (const good of ["0x50", " 80 ", "0b1", "0o7", "1e3"]) {
    const s = net.connect({ port: good as unknown as number, host: "127.0.0.1" });
    s.on("error", () => {});
    s.destroy();
  }
});

sock("a Unix path that is a regular file: ECONNREFUSED; a missing one: ENOENT", async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "file");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, "");
    const a = net.connect(file);
    const [[errA]] = await Promise.all([waitFor(a, "error"), waitFor(a, "close")]);
    assert.is((errA as Err).code, "ECONNREFUSED");
    assert.is((errA as Err).address, file);
    assert.is((errA as Err).syscall, "connect");
    const missing = join(dir, "missing");
    const b = net.createConnection({ path: missing });
    const [[errB]] = await Promise.all([waitFor(b, "error"), waitFor(b, "close")]);
    assert.is((errB as Err).code, "ENOENT");
    assert.is((errB as Err).address, missing);
  } finally {
    removeDir(dir);
  }
});

sock(
  "a Unix dial that fails at once: still connecting for code queued after connect(), then destroyed with its 'error'",
  async () => {
    // As Node's loop reports such a failure: the socket is destroyed and its 'error' emitted in
    // one go. ioredis reports a connect error only if it came before its own promise check.
    const dir = tempDir();
    try {
      const file = join(dir, "file");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(file, "");
      for (const [path, code] of [[join(dir, "missing"), "ENOENT"], [file, "ECONNREFUSED"]]) {
        const log: string[] = [];
        const s = net.createConnection({ path });
        let errored = false;
        const state = (at: string) => {
          if (s.destroyed && !errored) log.push(`${at}: destroyed before its error`);
          else if (!errored) log.push(`${at}: connecting ${s.connecting}`);
        };
        s.on("error", (e: Err) => {
          errored = true;
          log.push(`error ${e.code} destroyed ${s.destroyed} connecting ${s.connecting}`);
        });
        queueMicrotask(() => state("microtask"));
        process.nextTick(() => state("nextTick"));
        Promise.resolve().then(() => Promise.resolve()).then(() => state("later microtask"));
        await waitFor(s, "close");
        // Each check (in whatever order the runtime runs them) saw it still connecting.
        assert.equal(log.slice(0, 3).sort(), [
          "later microtask: connecting true",
          "microtask: connecting true",
          "nextTick: connecting true",
        ], path);
        assert.equal(log.slice(3), [`error ${code} destroyed true connecting false`], path);
      }
    } finally {
      removeDir(dir);
    }
  },
);

sock(
  "system errors carry Node's fields and no `cause` (util.inspect prints them as Node's)",
  async () => {
    const { inspect } = await import("node:util");
    // The engine's own fields of every Error (JavaScriptCore: line, column, sourceURL...) aside.
    const own = (e: unknown) =>
      Object.getOwnPropertyNames(e).filter((k) =>
        !["stack", "message"].includes(k) && !/line|column|sourceURL/i.test(k)
      ).sort();
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const taken = net.createServer();
    const [inUse] = await Promise.all([waitFor(taken, "error"), taken.listen(port, "127.0.0.1")]);
    await new Promise((r) => server.close(r));
    const c = net.connect(port, "127.0.0.1");
    const [[refused]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]);
    const dir = tempDir();
    const u = net.connect(join(dir, "missing"));
    const [[missing]] = await Promise.all([waitFor(u, "error"), waitFor(u, "close")]);
    removeDir(dir);
    assert.equal(own(inUse[0]), ["address", "code", "errno", "port", "syscall"]);
    assert.equal(own(refused), ["address", "code", "errno", "port", "syscall"]);
    assert.equal(own(missing), ["address", "code", "errno", "syscall"]);
    for (const e of [inUse[0], refused, missing]) {
      assert.not.ok(inspect(e).includes("[cause]"), inspect(e));
    }
  },
);

sock("a server reset: the client gets ECONNRESET once, then close(true)", async () => {
  if (getTransport().name === "deno") {
    const { server, port, accepted } = await tcpServer();
    const c = net.connect(port, "127.0.0.1");
    await waitFor(c, "connect");
    assert.ok(await resetUnavailable(c, server, accepted));
    return;
  }
  const { server, port, accepted } = await tcpServer((s) => s.resetAndDestroy());
  const c = net.connect(port, "127.0.0.1");
  const errs: string[] = [];
  c.on("error", (e: Err) => errs.push(String(e.code)));
  c.resume();
  const [hadError] = await waitFor(c, "close");
  assert.equal(errs, ["ECONNRESET"]);
  assert.is(hadError, true);
  await closeAll(server, accepted);
});

sock("resetAndDestroy() twice is harmless and returns the socket", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  c.on("error", () => {});
  if (await resetUnavailable(c, server, accepted)) return;
  assert.is(c.resetAndDestroy(), c);
  assert.is(c.resetAndDestroy(), c);
  await waitFor(c, "close");
  await closeAll(server, accepted);
});

sock("'lookup' reports (err, address, family, host) and is skipped for IP literals", async () => {
  const { server, port, accepted } = await tcpServer();
  const a = new net.Socket();
  // A synchronous lookup answers inside connect(): listen first.
  const looked = waitFor(a, "lookup");
  (a.connect as AnyFn)({
    port,
    host: "my.test",
    lookup: (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4),
  });
  const [err, addr, family, host] = await looked;
  assert.equal([err, addr, family, host], [null, "127.0.0.1", 4, "my.test"]);
  await waitFor(a, "connect");
  a.destroy();
  let lookups = 0;
  const b = net.connect(port, "127.0.0.1");
  b.on("lookup", () => lookups++);
  await waitFor(b, "connect");
  assert.is(lookups, 0);
  b.destroy();
  await closeAll(server, accepted);
});

sock("a lookup error is emitted as 'lookup' then 'error' with the host", async () => {
  const c = new net.Socket();
  const order: string[] = [];
  c.on("lookup", (e: Err | null) => order.push(`lookup:${e?.code}`));
  (c.connect as AnyFn)({
    port: 80,
    host: "bad.test",
    lookup: (_h: string, _o: unknown, cb: (e: Error) => void) => {
      const e = Object.assign(new Error("getaddrinfo ENOTFOUND bad.test"), {
        code: "ENOTFOUND",
        hostname: "bad.test",
      });
      cb(e);
    },
  });
  const [[err]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]);
  order.push(`error:${(err as Err).code}`);
  assert.equal(order, ["lookup:ENOTFOUND", "error:ENOTFOUND"]);
});

sock("localPort already taken: connect fails with EADDRINUSE", async () => {
  if (localBindUnavailable()) return;
  const { server, port, accepted } = await tcpServer();
  const taken = net.createServer();
  const takenPort = await listenOn(taken);
  const c = net.connect({
    port,
    host: "127.0.0.1",
    localAddress: "127.0.0.1",
    localPort: takenPort,
  });
  const [[err]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]);
  assert.is((err as Err).code, "EADDRINUSE");
  await closeAll(taken);
  await closeAll(server, accepted);
});

/**
 * The connect events of `c` as `name:address` (errors as `error:code/syscall`),
 * until 'close'; with `local`, an attempt's also `@` the socket's local end then.
 */
async function attemptTrace(c: Sock, local = false): Promise<string[]> {
  const seen: string[] = [];
  for (const name of ["connectionAttempt", "connectionAttemptFailed", "connect"]) {
    c.on(name, (address?: unknown, _port?: unknown, _family?: unknown, err?: Err) => {
      const end = local ? `@${c.localAddress}:${c.localPort}/${c.address().family}` : "";
      seen.push(
        name === "connect" ? name : `${name}:${address}${err ? `/${err.code}` : ""}${end}`,
      );
      if (name === "connect") c.destroy();
    });
  }
  c.on("error", (e: Err) => {
    const inner = (e as Err & { errors?: Err[] }).errors?.map((x) => `${x.code}/${x.syscall}`);
    seen.push(`error:${e.code}/${e.syscall}${inner ? `[${inner.join(",")}]` : ""}`);
  });
  await waitFor(c, "close");
  return seen;
}

/** A lookup that answers `args` on a later turn. */
const lookupLater = (...args: unknown[]): nodeNet.LookupFunction =>
  ((_h: string, _o: unknown, cb: (...a: unknown[]) => void): void => {
    setTimeout(() => cb(null, ...args));
  }) as unknown as nodeNet.LookupFunction;
const LOOPBACKS = [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }];

// The forced node:net adapter announces a bound dial when the runtime's socket announces its
// attempt: Node's after its bind, with the bound end; Bun's before its bind, with none (README);
// Deno's never (core announces the attempt when the dial calls back, with no end).
const forcedNode = () => getTransport().name === "node";
const announcesBeforeBind = () => forcedNode() && currentRuntime() === "bun";

sock(
  "a local end that cannot be bound is no attempt: no 'connectionAttempt', as Node binds first",
  async () => {
    if (localBindUnavailable() || announcesBeforeBind()) return;
    const taken = net.createServer();
    const takenPort = await listenOn(taken);
    const { server, port } = await tcpServer();
    try {
      // An IP literal, a looked-up host, and Happy Eyeballs (Node binds only the port there).
      const single = net.connect({
        port,
        host: "127.0.0.1",
        localAddress: "127.0.0.1",
        localPort: takenPort,
      });
      assert.equal(await attemptTrace(single), ["error:EADDRINUSE/bind"]);
      const looked = net.connect({
        port,
        host: "x.test",
        localPort: takenPort,
        autoSelectFamily: false,
        lookup: lookupLater("127.0.0.1", 4),
      });
      assert.equal(await attemptTrace(looked), ["error:EADDRINUSE/bind"]);
      // Taken on both families: listening on the IPv6 wildcard holds IPv4 too.
      const both = net.createServer();
      const bothPort = await listenOn(both, "::");
      const multi = net.connect({
        port,
        host: "x.test",
        localPort: bothPort,
        autoSelectFamily: true,
        lookup: lookupLater(LOOPBACKS),
      });
      assert.equal(await attemptTrace(multi), [
        "error:EADDRINUSE/undefined[EADDRINUSE/bind,EADDRINUSE/bind]",
      ]);
      assert.equal(multi.autoSelectFamilyAttemptedAddresses, []);
      await closeAll(both);
    } finally {
      await closeAll(taken);
      await closeAll(server);
    }
  },
);

sock("a bound dial is announced before it connects, and counted under Happy Eyeballs", async () => {
  if (localBindUnavailable()) return;
  const { server, port, accepted } = await tcpServer();
  // The socket shows the bound end meanwhile, as Node's handle (with the forced node:net adapter,
  // only where the runtime's socket tells it: Node's).
  const local = !forcedNode() || currentRuntime() === "node";
  const at = (end: string) => local ? `@${end}` : "";
  try {
    const lp = await freePort();
    const single = net.connect({
      port,
      host: "127.0.0.1",
      localAddress: "127.0.0.1",
      localPort: lp,
    });
    assert.equal(await attemptTrace(single, local), [
      `connectionAttempt:127.0.0.1${at(`127.0.0.1:${lp}/IPv4`)}`,
      "connect",
    ]);
    // ::1 refuses (nothing listens there), then 127.0.0.1 from the same local port connects.
    const lp2 = await freePort();
    const multi = net.connect({
      port,
      host: "x.test",
      localPort: lp2,
      autoSelectFamily: true,
      lookup: lookupLater(LOOPBACKS),
    });
    assert.equal(await attemptTrace(multi, local), [
      `connectionAttempt:::1${at(`:::${lp2}/IPv6`)}`,
      `connectionAttemptFailed:::1/ECONNREFUSED${at(`:::${lp2}/IPv6`)}`,
      `connectionAttempt:127.0.0.1${at(`0.0.0.0:${lp2}/IPv4`)}`,
      "connect",
    ]);
    assert.equal(multi.autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
  } finally {
    await closeAll(server, accepted);
  }
});

sock("localAddress and localPort are used for the dial", async () => {
  if (localBindUnavailable()) return;
  const { server, port, accepted } = await tcpServer();
  const lp = await freePort();
  const c = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.1", localPort: lp });
  await waitFor(c, "connect");
  assert.is(c.localPort, lp);
  assert.is(c.localAddress, "127.0.0.1");
  await sleep(10);
  assert.is(accepted[0].remotePort, lp);
  c.destroy();
  await closeAll(server, accepted);
});

sock("Symbol.asyncDispose exists on Socket and Server", () => {
  assert.type(net.Socket.prototype[Symbol.asyncDispose], "function");
  assert.type(net.Server.prototype[Symbol.asyncDispose], "function");
});

sock.run();

// ---------------------------------------------------------------------------
const srv = suite("conformance: Server");

srv("listening, address() and the listen() return value across a lifecycle", async () => {
  const server = net.createServer();
  assert.is(server.listening, false);
  assert.is(server.address(), null);
  const ret = server.listen(0, "127.0.0.1");
  assert.is(ret, server);
  await waitFor(server, "listening");
  assert.is(server.listening, true);
  const a = server.address() as { address: string; family: string; port: number };
  assert.is(a.address, "127.0.0.1");
  assert.is(a.family, "IPv4");
  assert.type(a.port, "number");
  await closeAll(server);
  assert.is(server.listening, false);
  assert.is(server.address(), null);
});

srv("close() before 'listening': the listen callback never runs, 'close' does", async () => {
  const server = net.createServer();
  let listened = 0;
  server.listen(0, "127.0.0.1", () => listened++);
  const closed = waitFor(server, "close");
  server.close();
  await closed;
  await sleep(20);
  assert.is(listened, 0);
  assert.is(server.listening, false);
});

srv("close() with a non-function argument is ignored", async () => {
  const server = net.createServer();
  await listenOn(server);
  const closed = waitFor(server, "close");
  server.close("x" as unknown as () => void);
  await closed;
});

srv("a failed listen keeps its callback: the next successful listen() calls it", async () => {
  const taken = net.createServer();
  const port = await listenOn(taken);
  const server = net.createServer();
  let first = 0;
  server.listen(port, "127.0.0.1", () => first++);
  const [err] = await waitFor(server, "error");
  assert.is((err as Err).code, "EADDRINUSE");
  // Node's listen errors name `code` before `errno`; its connect errors the other way round.
  assert.equal(Object.keys(err as object), ["code", "errno", "syscall", "address", "port"]);
  await closeAll(taken);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  assert.is(first, 1);
  assert.is(server.listenerCount("listening"), 0);
  await closeAll(server);
});

srv("listen() again after close() works; while listening it throws", async () => {
  const server = net.createServer();
  await listenOn(server);
  const e = thrown(() => server.listen(0, "127.0.0.1"));
  assert.is(e?.code, "ERR_SERVER_ALREADY_LISTEN");
  assert.ok(e instanceof Error);
  await closeAll(server);
  await listenOn(server);
  assert.is(server.listening, true);
  await closeAll(server);
});

srv("close(cb) twice: the second callback gets ERR_SERVER_NOT_RUNNING", async () => {
  const server = net.createServer();
  await listenOn(server);
  const first = new Promise<unknown>((r) => server.close((e) => r(e)));
  const second = new Promise<Err>((r) => server.close((e) => r(e as Err)));
  assert.is(await first, undefined);
  const err = await second;
  assert.is(err.code, "ERR_SERVER_NOT_RUNNING");
});

srv("getConnections() counts open connections and calls back asynchronously", async () => {
  const { server, port, accepted } = await tcpServer();
  const c1 = net.connect(port, "127.0.0.1");
  const c2 = net.connect(port, "127.0.0.1");
  await Promise.all([waitFor(c1, "connect"), waitFor(c2, "connect")]);
  while (accepted.length < 2) await waitFor(server, "connection");
  let sync = true;
  const [err, count] = await new Promise<unknown[]>((r) => {
    const ret = server.getConnections((...a: unknown[]) => {
      assert.is(sync, false);
      r(a);
    });
    assert.is(ret, server);
    sync = false;
  });
  assert.is(err, null);
  assert.is(count, 2);
  accepted[0].destroy();
  await waitFor(accepted[0], "close");
  const [, n] = await new Promise<unknown[]>((r) => server.getConnections((...a) => r(a)));
  assert.is(n, 1);
  c1.destroy();
  c2.destroy();
  await closeAll(server, accepted);
});

srv("closing a connection makes room under maxConnections", async () => {
  const { server, port, accepted } = await tcpServer();
  server.maxConnections = 1;
  let drops = 0;
  server.on("drop", () => drops++);
  const c1 = net.connect(port, "127.0.0.1");
  await waitFor(server, "connection");
  const c2 = net.connect(port, "127.0.0.1");
  c2.on("error", () => {});
  c2.resume();
  await waitFor(c2, "close");
  assert.is(drops, 1);
  c1.destroy();
  await waitFor(accepted[0], "close");
  const c3 = net.connect(port, "127.0.0.1");
  await waitFor(server, "connection");
  assert.is(accepted.length, 2);
  c3.destroy();
  await closeAll(server, accepted);
});

srv("server ref() and unref() return the server, before and after listen", async () => {
  const server = net.createServer();
  assert.is(server.unref(), server);
  assert.is(server.ref(), server);
  server.unref();
  await listenOn(server);
  assert.is(server.ref(), server);
  await closeAll(server);
});

srv("listen({ port, host }, cb) and listen(options) with port as a string", async () => {
  const a = net.createServer();
  await new Promise<void>((r) => a.listen({ port: 0, host: "127.0.0.1" }, () => r()));
  const port = (a.address() as { port: number }).port;
  await closeAll(a);
  const b = net.createServer();
  // A numeric string works at run time, as on Node; typed `number`, as by @types/node.
  const options = { port: String(port), host: "127.0.0.1" } as unknown as net.ListenOptions;
  await new Promise<void>((r) => b.listen(options, () => r()));
  assert.is((b.address() as { port: number }).port, port);
  await closeAll(b);
});

srv("listen() option errors are thrown synchronously with Node's codes", () => {
  const server = net.createServer();
  const cases: [unknown, string][] = [
    [{}, "ERR_INVALID_ARG_VALUE"],
    [{ host: "127.0.0.1" }, "ERR_INVALID_ARG_VALUE"],
    [{ port: 65536 }, "ERR_SOCKET_BAD_PORT"],
    [{ port: true }, "ERR_INVALID_ARG_VALUE"],
    [{ port: -1 }, "ERR_SOCKET_BAD_PORT"],
  ];
  for (const [opts, code] of cases) {
    const e = thrown(() => server.listen(opts as number));
    assert.is(e?.code, code, JSON.stringify(opts));
  }
  assert.is(server.listening, false);
});

srv("listen(port) with a bad port number throws ERR_SOCKET_BAD_PORT", () => {
  const server = net.createServer();
  for (const bad of [-1, 65536, 1.5, NaN]) {
    const e = thrown(() => server.listen(bad));
    assert.is(e?.code, "ERR_SOCKET_BAD_PORT", String(bad));
    assert.ok(e instanceof RangeError);
  }
});

srv("close() right after listen() on a host name: no error, 'close' once", async () => {
  const server = net.createServer();
  const errors: unknown[] = [];
  server.on("error", (e) => errors.push(e));
  server.listen({ port: 0, host: "localhost" });
  const closed = waitFor(server, "close");
  server.close();
  await closed;
  await sleep(50);
  assert.equal(errors, []);
  assert.is(server.listening, false);
});

srv("an accepted socket: readyState open, connecting false, server set", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  const [s] = await waitFor(server, "connection") as [Sock];
  assert.is(s.readyState, "open");
  assert.is(s.connecting, false);
  assert.is(s.pending, false);
  // deno-lint-ignore no-explicit-any
  assert.is((s as any).server, server);
  assert.is(s.remoteFamily, "IPv4");
  c.destroy();
  await closeAll(server, accepted);
});

srv("'close' of the server comes after every connection closed", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(server, "connection");
  let closed = false;
  server.close(() => closed = true);
  assert.is(server.listening, false);
  await sleep(30);
  assert.is(closed, false);
  c.end();
  accepted[0].end();
  await waitFor(server, "close");
  assert.is(closed, true);
});

srv("a Unix server: address() is the path; listening; clients connect", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "s.sock");
    const server = net.createServer((s: Sock) => s.end("hi"));
    await new Promise<void>((r) => server.listen(path, () => r()));
    assert.is(server.address(), path);
    const c = net.connect(path);
    let got = "";
    c.on("data", (d: Buffer) => got += d);
    await waitFor(c, "end");
    assert.is(got, "hi");
    assert.is(c.remoteAddress, undefined);
    c.destroy();
    await closeAll(server);
  } finally {
    removeDir(dir);
  }
});

srv.run();

// ---------------------------------------------------------------------------
const more = suite("conformance: more Socket and Server details");

more("allowHalfOpen is reported by new Socket() and by accepted sockets", async () => {
  assert.is(new net.Socket().allowHalfOpen, false);
  const own = new net.Socket({ allowHalfOpen: true });
  assert.is(own.allowHalfOpen, true);
  own.destroy();
  const { server, port, accepted } = await tcpServer(() => {}, { allowHalfOpen: true });
  const c = net.connect(port, "127.0.0.1");
  const [s] = await waitFor(server, "connection") as [Sock];
  assert.is(s.allowHalfOpen, true);
  assert.is(c.allowHalfOpen, false);
  c.destroy();
  await closeAll(server, accepted);
});

more(
  "allowHalfOpen: after the peer's FIN readyState is writeOnly and writes still arrive",
  async () => {
    let got = "";
    let ended!: () => void;
    const done = new Promise<void>((r) => ended = r);
    const { server, port, accepted } = await tcpServer((s) => {
      s.on("data", (d: Buffer) => got += d);
      s.on("end", ended);
      s.end();
    });
    const c = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    c.resume();
    const closed = waitFor(c, "close");
    await waitFor(c, "end");
    assert.is(c.readyState, "writeOnly");
    assert.is(c.writable, true);
    c.end("late");
    await done;
    await closed;
    assert.is(got, "late");
    await closeAll(server, accepted);
  },
);

more("destroy(err) emits that error, then close(true); destroy() returns the socket", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  const mine = new Error("mine");
  const both = Promise.all([waitFor(c, "error"), waitFor(c, "close")]);
  assert.is(c.destroy(mine), c);
  const [[err], [hadError]] = await both;
  assert.is(err, mine);
  assert.is(hadError, true);
  await closeAll(server, accepted);
});

more("write('') calls back and counts nothing; write callbacks run in order", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  const order: number[] = [];
  c.write("", () => order.push(0));
  c.write("a", () => order.push(1));
  c.write(Buffer.from("b"), () => order.push(2));
  await new Promise<void>((r) => c.end("c", () => r()));
  assert.equal(order, [0, 1, 2]);
  assert.is(c.bytesWritten, 3);
  c.destroy();
  await closeAll(server, accepted);
});

more("setEncoding('utf8') joins a character split across chunks", async () => {
  const euro = Buffer.from("€");
  const { server, port, accepted } = await tcpServer(async (s) => {
    s.setNoDelay(true);
    s.write(euro.subarray(0, 1));
    await sleep(20);
    s.end(euro.subarray(1));
  });
  const c = net.connect(port, "127.0.0.1");
  c.setEncoding("utf8");
  const parts: string[] = [];
  c.on("data", (d: string) => parts.push(d));
  await waitFor(c, "end");
  assert.is(parts.join(""), "€");
  for (const p of parts) assert.type(p, "string");
  c.destroy();
  await closeAll(server, accepted);
});

more("localFamily and remoteFamily for IPv4 and IPv6", async () => {
  const v4 = await tcpServer();
  const a = net.connect(v4.port, "127.0.0.1");
  await waitFor(a, "connect");
  assert.is(a.localFamily, "IPv4");
  assert.is(a.remoteFamily, "IPv4");
  a.destroy();
  await closeAll(v4.server, v4.accepted);
  const server6 = net.createServer((s: Sock) => s.on("error", () => {}));
  const port6 = await listenOn(server6, "::1");
  const addr = server6.address() as { address: string; family: string };
  assert.equal([addr.address, addr.family], ["::1", "IPv6"]);
  const b = net.connect(port6, "::1");
  await waitFor(b, "connect");
  assert.is(b.localFamily, "IPv6");
  assert.is(b.remoteFamily, "IPv6");
  assert.is(b.remoteAddress, "::1");
  b.destroy();
  await closeAll(server6);
});

more("autoSelectFamilyAttemptedAddresses lists each tried address:port", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = new net.Socket();
  (c.connect as AnyFn)({
    port,
    host: "my.test",
    autoSelectFamily: true,
    lookup: (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
      cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]),
  });
  await waitFor(c, "connect");
  // ::1 has no listener on this port: refused, then 127.0.0.1 connects.
  assert.equal(c.autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
  c.destroy();
  await closeAll(server, accepted);
});

more("listen() without a host binds synchronously: address() right away", async () => {
  const server = net.createServer();
  server.listen(0);
  const a = server.address() as { port: number } | null;
  assert.ok(a !== null);
  assert.type(a!.port, "number");
  assert.is(server.listening, true);
  let listened = false;
  server.on("listening", () => listened = true);
  assert.is(listened, false);
  await waitFor(server, "listening", 1000).catch(() => {});
  await closeAll(server);
});

more("listen(0, cb): the callback gets no arguments and this is the server", async () => {
  const server = net.createServer();
  const [args, self] = await new Promise<[unknown[], unknown]>((r) =>
    server.listen(0, "127.0.0.1", function (this: unknown, ...a: unknown[]) {
      r([a, this]);
    })
  );
  assert.equal(args, []);
  assert.is(self, server);
  await closeAll(server);
});

more(
  "close() on a server that never listened still emits 'close' and returns the server",
  async () => {
    const server = net.createServer();
    const closed = waitFor(server, "close");
    assert.is(server.close(), server);
    await closed;
  },
);

more("Symbol.asyncDispose on a server that is not listening resolves", async () => {
  const server = net.createServer();
  await server[Symbol.asyncDispose]();
  assert.is(server.listening, false);
});

more("Symbol.asyncDispose on a socket that never connected resolves", async () => {
  const s = new net.Socket();
  await s[Symbol.asyncDispose]();
  assert.is(s.destroyed, true);
});

more(
  "Unix sockets: address() forms, no IP getters, setNoDelay/setKeepAlive are harmless",
  async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "u.sock");
      const server = net.createServer((s: Sock) => s.on("error", () => {}));
      await new Promise<void>((r) => server.listen(path, () => r()));
      const c = net.connect(path);
      const [[s]] = await Promise.all([waitFor(server, "connection"), waitFor(c, "connect")]);
      const acc = s as Sock;
      assert.equal(c.address(), {});
      assert.is(c.remoteAddress, undefined);
      assert.is(c.remotePort, undefined);
      assert.is(c.localAddress, undefined);
      assert.is(acc.remoteAddress, undefined);
      assert.is(c.setNoDelay(true), c);
      assert.is(c.setKeepAlive(true, 10), c);
      c.destroy();
      acc.destroy();
      await closeAll(server);
    } finally {
      removeDir(dir);
    }
  },
);

more("closing a Unix server removes its socket file; the path can be reused", async () => {
  const dir = tempDir();
  try {
    const { existsSync } = await import("node:fs");
    const path = join(dir, "r.sock");
    const a = net.createServer();
    await new Promise<void>((r) => a.listen(path, () => r()));
    assert.ok(existsSync(path));
    await closeAll(a);
    assert.is(existsSync(path), false);
    const b = net.createServer();
    await new Promise<void>((r) => b.listen(path, () => r()));
    await closeAll(b);
  } finally {
    removeDir(dir);
  }
});

more("listen(path) on an existing file fails with EADDRINUSE", async () => {
  const dir = tempDir();
  try {
    const { writeFileSync } = await import("node:fs");
    const path = join(dir, "f");
    writeFileSync(path, "");
    const server = net.createServer();
    server.listen(path);
    const [err] = await waitFor(server, "error");
    assert.is((err as Err).code, "EADDRINUSE");
    assert.is((err as Err).syscall, "listen");
    assert.is((err as Err).address, path);
    assert.is(server.listening, false);
  } finally {
    removeDir(dir);
  }
});

more("reusePort lets two servers listen on one port, or is loudly unavailable", async () => {
  const a = net.createServer();
  if (!getTransport().features.reusePort) {
    const e = thrown(() => a.listen({ port: 0, host: "127.0.0.1", reusePort: true }));
    assert.is(e?.code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
    return;
  }
  await new Promise<void>((r) =>
    a.listen({ port: 0, host: "127.0.0.1", reusePort: true }, () => r())
  );
  const port = (a.address() as { port: number }).port;
  const b = net.createServer();
  const res = await new Promise<string>((r) => {
    b.once("error", (e: Err) => r(String(e.code)));
    b.listen({ port, host: "127.0.0.1", reusePort: true }, () => r("listening"));
  });
  assert.is(res, "listening");
  await closeAll(b);
  await closeAll(a);
});

more("setTimeout() is reset by writes as well as reads", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  let timeouts = 0;
  c.on("timeout", () => timeouts++);
  c.setTimeout(150);
  for (let i = 0; i < 6; i++) {
    await sleep(40);
    c.write("x");
  }
  assert.is(timeouts, 0);
  await waitFor(c, "timeout");
  assert.is(c.destroyed, false);
  c.destroy();
  await closeAll(server, accepted);
});

more("'end' and 'close' of an accepted socket when the client destroys", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  const [[s]] = await Promise.all([waitFor(server, "connection"), waitFor(c, "connect")]);
  const acc = s as Sock;
  const order: string[] = [];
  acc.on("end", () => order.push("end"));
  acc.on("close", (h: boolean) => order.push(`close:${h}`));
  acc.resume();
  c.destroy();
  await waitFor(acc, "close");
  assert.equal(order, ["end", "close:false"]);
  await closeAll(server, accepted);
});

more.run();

// ---------------------------------------------------------------------------
const fds = suite("conformance: listen({ fd })");

fds(
  "a descriptor that is not a socket, or no int32: 'error' listen EINVAL, nothing thrown",
  async () => {
    const here = fileURLToPath((import.meta as { url: string }).url);
    const file = openSync(here, "r");
    try {
      if (listenFdUnavailable(file)) return;
      // Node's handle takes int32 descriptors only (Bun's listener said ERR_OUT_OF_RANGE).
      for (const fd of [file, 1.5, 2 ** 31]) {
        const server = net.createServer();
        const got = waitFor(server, "error");
        server.listen({ fd });
        assert.is(server.listening, false);
        const [err] = await got as [Err];
        assert.is(err.code, "EINVAL", String(fd));
        assert.is(err.syscall, "listen");
        assert.is(err.message, "listen EINVAL: invalid argument");
        // As Node's listen errors: code first, and an address even when there is none.
        assert.equal(Object.keys(err), ["code", "errno", "syscall", "address"]);
        assert.is((err as { address?: unknown }).address, null);
        assert.is(server.listening, false);
        assert.is(server.address(), null);
      }
    } finally {
      closeSync(file);
    }
  },
);

/** Runs the listen_fd_unix fixture with an inherited listening Unix socket as fd 3. */
function runUnixFdChild(): Promise<SpawnResult> {
  return spawnScript("fixtures/listen_fd_unix", [], {}, {
    launcher: "listen_fd_launcher.mjs",
    launcherArgs: ["unix"],
  });
}

fds("an inherited Unix socket listens and its server.address() is null", async () => {
  const r = await runUnixFdChild();
  assert.is(r.code, 0, r.stderr);
  if (getTransport().listenFd === undefined) {
    return assert.is(r.stdout, "error ERR_FEATURE_UNAVAILABLE_ON_PLATFORM\n");
  }
  assert.is(r.stdout, "address null\n", r.stderr);
});

fds.run();

// ---------------------------------------------------------------------------
const det = suite("conformance: details checked against Node 26");

det("listen() forms without a host all bind the unspecified address", async () => {
  const plain = net.createServer();
  plain.listen();
  const any = (plain.address() as { address: string }).address;
  await closeAll(plain);
  assert.ok(any === "::" || any === "0.0.0.0", any);
  const forms: ((s: Server, cb: () => void) => void)[] = [
    (s, cb) => s.listen(undefined, cb),
    (s, cb) => s.listen("0" as unknown as number, cb),
    (s, cb) => s.listen(0, "", cb),
    (s, cb) => s.listen(cb),
  ];
  for (const form of forms) {
    const s = net.createServer();
    await new Promise<void>((r) => form(s, r));
    assert.is((s.address() as { address: string }).address, any);
    await closeAll(s);
  }
});

det("listen({ backlog }) takes odd values without throwing", async () => {
  for (const backlog of [-1, "x", 1.5, null, 0]) {
    const s = net.createServer();
    await new Promise<void>((r) =>
      (s.listen as AnyFn)({ port: 0, host: "127.0.0.1", backlog }, () => r())
    );
    await closeAll(s);
  }
});

det("connect() to a numeric string port, and with host '' or null, reaches localhost", async () => {
  const { server, port, accepted } = await tcpServer();
  const forms = [
    () => connectAny(String(port)),
    () => connectAny({ port, host: "" }),
    () => connectAny(port, null),
  ];
  for (const form of forms) {
    const c = form() as Sock;
    await waitFor(c, "connect");
    c.destroy();
  }
  await closeAll(server, accepted);
});

det("connectionAttempt and connectionAttemptFailed for an IP and for a Unix path", async () => {
  const port = await freePort();
  const c = new net.Socket();
  const seen: unknown[][] = [];
  c.on("connectionAttempt", (...a: unknown[]) => seen.push(["attempt", ...a]));
  c.on(
    "connectionAttemptFailed",
    (...a: unknown[]) => seen.push(["failed", ...a.slice(0, 3), (a[3] as Err).code]),
  );
  c.on("error", () => {});
  c.connect(port, "127.0.0.1");
  await waitFor(c, "close");
  assert.equal(seen, [["attempt", "127.0.0.1", port, 4], [
    "failed",
    "127.0.0.1",
    port,
    4,
    "ECONNREFUSED",
  ]]);
  const dir = tempDir();
  try {
    const path = join(dir, "none");
    const u = new net.Socket();
    const names: unknown[] = [];
    u.on("connectionAttempt", (p: unknown) => names.push(p));
    u.on(
      "connectionAttemptFailed",
      (_p: unknown, _a: unknown, _b: unknown, e: Err) => names.push(e.code),
    );
    u.on("error", () => {});
    u.connect(path);
    await waitFor(u, "close");
    assert.equal(names, [path, "ENOENT"]);
  } finally {
    removeDir(dir);
  }
});

/** The events of a socket through its close, with error codes and syscalls. */
async function dialEvents(c: Sock): Promise<string[]> {
  const seen: string[] = [];
  c.on("connectionAttempt", (...a: unknown[]) => seen.push(`attempt ${a[0]}`));
  c.on("connectionAttemptFailed", (...a: unknown[]) => seen.push(`failed ${(a[3] as Err).code}`));
  c.on("error", (e: Err) => seen.push(`error ${e.code} ${e.syscall} ${e.message}`));
  const [hadError] = await waitFor(c, "close") as [boolean];
  seen.push(`close ${hadError}`);
  return seen;
}

det(
  "a dial the connect call refuses at once: no 'connectionAttemptFailed', as Node (a lookup's address of the other family; a Unix path too long or with a NUL byte)",
  async () => {
    const port = await freePort();
    // A lookup that labels an IPv4 address family 6: Node's IPv6 connect call refuses it.
    const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: "127.0.0.1", family: 6 }]) : cb(null, "127.0.0.1", 6);
    const c = new net.Socket();
    const seen = dialEvents(c as Sock);
    c.connect({ port, host: "x.test", lookup } as never);
    assert.equal(await seen, [
      "attempt 127.0.0.1",
      `error EINVAL connect connect EINVAL 127.0.0.1:${port} - Local (undefined:undefined)`,
      "close true",
    ]);
    // Node 22+ refuses a path longer than sun_path within connect() (Node 20 cut it short),
    // and a filesystem path with a NUL byte, where listen() fails EINVAL too (Bun used the
    // path up to the NUL: it dialled, and bound, another file). An abstract name may hold one.
    const dir = tempDir();
    try {
      const cut = join(dir, "a");
      const withNul = `${cut}\0b.sock`;
      for (const path of ["/tmp/" + "x".repeat(120), withNul]) {
        const u = new net.Socket();
        const events = dialEvents(u as Sock);
        u.connect(path);
        assert.is(u.destroyed, true, "destroyed within connect()");
        assert.equal(await events, [
          `attempt ${path}`,
          `error EINVAL connect connect EINVAL ${path} - Local (undefined:undefined)`,
          "close true",
        ]);
      }
      const server = net.createServer();
      server.listen(withNul);
      const [err] = await waitFor(server as unknown as Sock, "error") as [Err];
      assert.equal([err.code, err.syscall, err.message], [
        "EINVAL",
        "listen",
        `listen EINVAL: invalid argument ${withNul}`,
      ]);
      assert.not.ok(existsSync(cut), "a socket file was bound at the path cut at the NUL");
    } finally {
      removeDir(dir);
    }
  },
);

det(
  "connect() again while connecting: the kernel refuses the second dial (EALREADY, EISCONN, EINVAL) and the socket is destroyed, as Node's",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const dir = tempDir();
    const path = join(dir, "s.sock");
    const unix = nodeNet.createServer((c) => c.on("error", () => {})).listen(path);
    await waitFor(unix as unknown as Sock, "listening");
    try {
      const cases: [string, (s: Sock) => void, string[]][] = [
        ["tcp", (s) => s.connect(port, "127.0.0.1").connect(port, "127.0.0.1"), [
          "attempt 127.0.0.1",
          "attempt 127.0.0.1",
          `error EALREADY connect connect EALREADY 127.0.0.1:${port}`,
          "close true",
        ]],
        ["unix", (s) => s.connect(path).connect(path), [
          `attempt ${path}`,
          `attempt ${path}`,
          "failed EISCONN",
          `error EISCONN connect connect EISCONN ${path}`,
          "close true",
        ]],
        ["tcp, then a path", (s) => s.connect(port, "127.0.0.1").connect(path), [
          `attempt ${path}`,
          `error EINVAL connect connect EINVAL ${path}`,
          "close true",
        ]],
      ];
      // A custom lookup that answers twice: Node dials again on the handle (EALREADY).
      const twice = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => {
        const answer = o.all
          ? [null, [{ address: "127.0.0.1", family: 4 }]]
          : [null, "127.0.0.1", 4];
        cb(...answer);
        cb(...answer);
      };
      cases.push([
        "a lookup answering twice",
        (s) => s.connect({ port, host: "x.test", lookup: twice, autoSelectFamily: false } as never),
        [
          "attempt 127.0.0.1",
          "attempt 127.0.0.1",
          `error EALREADY connect connect EALREADY 127.0.0.1:${port}`,
          "close true",
        ],
      ]);
      for (const [name, go, want] of cases) {
        const s = new net.Socket() as Sock;
        const seen = dialEvents(s);
        go(s);
        // Node names the local end the kernel gave the first dial, or none (Node 20).
        const got = (await seen).map((e) => e.replace(/ - Local \(.*\)$/, ""));
        assert.equal(got, want, name);
      }
    } finally {
      await closeAll(server, accepted);
      await new Promise((r) => unix.close(r));
      removeDir(dir);
    }
  },
);

det("getters while connecting, and pending/connecting after destroy()", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  assert.equal(
    [c.localAddress, c.localPort, c.remoteAddress, c.remotePort, c.remoteFamily],
    [undefined, undefined, undefined, undefined, undefined],
  );
  assert.is(c.readyState, "opening");
  assert.is(c.pending, true);
  assert.equal(c.address(), {});
  await waitFor(c, "connect");
  assert.equal(Object.keys(c.address()).sort(), ["address", "family", "port"]);
  const closed = waitFor(c, "close");
  c.destroy();
  assert.equal([c.pending, c.connecting, c.readyState], [true, false, "closed"]);
  await closed;
  await closeAll(server, accepted);
});

det("destroySoon() while connecting: flush, finish, then close", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  c.write("x");
  const order: string[] = [];
  for (const e of ["connect", "finish", "close"]) c.on(e, () => order.push(e));
  c.destroySoon();
  await waitFor(c, "close");
  assert.equal(order, ["connect", "finish", "close"]);
  assert.is(c.bytesWritten, 1);
  await closeAll(server, accepted);
});

det("byte counters restart when a closed socket connects again", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.end("abc"));
  const c = net.connect(port, "127.0.0.1");
  c.resume();
  c.write("12345");
  await waitFor(c, "close");
  assert.equal([c.bytesRead, c.bytesWritten], [3, 5]);
  c.connect(port, "127.0.0.1");
  assert.equal([c.bytesRead, c.bytesWritten], [0, 0]);
  c.write("1");
  await waitFor(c, "close");
  assert.equal([c.bytesRead, c.bytesWritten], [3, 1]);
  await closeAll(server, accepted);
});

det(
  "event and callback arguments: close(cb), 'close', 'listening', 'connect' carry none",
  async () => {
    const server = net.createServer((s: Sock) => s.on("error", () => {}));
    const listening = new Promise<number>((r) =>
      server.once("listening", (...a: unknown[]) => r(a.length))
    );
    server.listen(0, "127.0.0.1");
    assert.is(await listening, 0);
    const c = net.connect((server.address() as { port: number }).port, "127.0.0.1");
    assert.is(
      await new Promise<number>((r) => c.once("connect", (...a: unknown[]) => r(a.length))),
      0,
    );
    c.destroy();
    const closeEvent = new Promise<number>((r) =>
      server.once("close", (...a: unknown[]) => r(a.length))
    );
    const cbArgs = await new Promise<number>((r) => server.close((...a: unknown[]) => r(a.length)));
    assert.is(cbArgs, 0);
    assert.is(await closeEvent, 0);
  },
);

det(
  "write and end callbacks get null, in order, before 'finish'; a second end(cb) too",
  async () => {
    const { server, port, accepted } = await tcpServer((s) => s.resume());
    const c = net.connect(port, "127.0.0.1");
    const order: string[] = [];
    c.write("a", (e) => order.push(`write:${e}`));
    c.end((e?: Error | null) => order.push(`end:${e}`));
    c.end((e?: Error | null) => order.push(`end2:${e}`));
    c.on("finish", () => order.push("finish"));
    await waitFor(c, "finish");
    await sleep(10);
    assert.equal(order, ["write:null", "end:null", "end2:null", "finish"]);
    c.destroy();
    await closeAll(server, accepted);
  },
);

det("end(cb) after 'finish' or after destroy(): ERR_STREAM_ALREADY_FINISHED", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  c.end();
  await waitFor(c, "finish");
  const e1 = await new Promise<Err>((r) => c.end((e?: Error | null) => r(e as Err)));
  assert.is(e1.code, "ERR_STREAM_ALREADY_FINISHED");
  const closed = waitFor(c, "close");
  c.destroy();
  await closed;
  const e2 = await new Promise<Err>((r) => c.end((e?: Error | null) => r(e as Err)));
  assert.is(e2.code, "ERR_STREAM_ALREADY_FINISHED");
  await closeAll(server, accepted);
});

det("pauseOnConnect and an accepted socket's initial state", async () => {
  const { server, port, accepted } = await tcpServer(() => {}, { pauseOnConnect: true });
  const c = net.connect(port, "127.0.0.1");
  const [s] = await waitFor(server, "connection") as [Sock];
  assert.is(s.isPaused(), true);
  assert.is(s.readableFlowing, false);
  assert.equal([s.timeout, s.bytesRead, s.bytesWritten, s.connecting], [undefined, 0, 0, false]);
  c.destroy();
  await closeAll(server, accepted);
});

det("a dual-stack server sees IPv4 peers as IPv4-mapped IPv6", async () => {
  const server = net.createServer((s: Sock) => s.on("error", () => {}));
  await new Promise<void>((r) => server.listen(0, () => r()));
  const a = server.address() as { address: string; port: number };
  if (a.address !== "::") return await closeAll(server); // no IPv6 here: nothing to map
  const c = net.connect(a.port, "127.0.0.1");
  const [[s]] = await Promise.all([waitFor(server, "connection"), waitFor(c, "connect")]);
  const acc = s as Sock;
  assert.equal(
    [acc.remoteAddress, acc.remoteFamily, acc.localAddress, acc.localFamily],
    ["::ffff:127.0.0.1", "IPv6", "::ffff:127.0.0.1", "IPv6"],
  );
  assert.equal([c.remoteAddress, c.localAddress, c.remoteFamily], [
    "127.0.0.1",
    "127.0.0.1",
    "IPv4",
  ]);
  const m = net.connect(a.port, "::ffff:127.0.0.1");
  await waitFor(m, "connect");
  assert.equal([m.remoteAddress, m.remoteFamily], ["::ffff:127.0.0.1", "IPv6"]);
  c.destroy();
  m.destroy();
  acc.destroy();
  await closeAll(server);
});

det("listen(0, '0.0.0.0') reports 0.0.0.0 and IPv4", async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "0.0.0.0", () => r()));
  const a = s.address() as { address: string; family: string };
  assert.equal([a.address, a.family], ["0.0.0.0", "IPv4"]);
  await closeAll(s);
});

det(
  "Unix errors: listen in a missing directory EACCES, connect to a directory ECONNREFUSED",
  async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "missing", "s.sock");
      const server = net.createServer();
      server.listen(path);
      const [err] = await waitFor(server, "error") as [Err];
      assert.equal([err.code, err.syscall, err.address, err.port], ["EACCES", "listen", path, -1]);
      const c = net.connect(dir);
      const [[e2]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]) as [
        [Err],
        unknown[],
      ];
      assert.equal([e2.code, e2.syscall, e2.address], ["ECONNREFUSED", "connect", dir]);
    } finally {
      removeDir(dir);
    }
  },
);

det(
  "setTimeout(): the callback has the socket as this and no arguments; nothing fires after destroy()",
  async () => {
    // A socket's idle timer does not hold the process open (as in Node): this does.
    const hold = setInterval(() => {}, 1000);
    const s = new net.Socket();
    const [self, n] = await new Promise<[unknown, number]>((r) =>
      s.setTimeout(5, function (this: unknown, ...a: unknown[]) {
        r([this, a.length]);
      })
    );
    assert.is(self, s);
    assert.is(n, 0);
    let fired = 0;
    s.on("timeout", () => fired++);
    s.setTimeout(5);
    s.destroy();
    assert.is(s.setTimeout(5), s);
    await sleep(40);
    assert.is(fired, 0);
    const t = new net.Socket();
    let cleared = 0;
    t.on("timeout", () => cleared++);
    t.setTimeout(5);
    t.setTimeout(0);
    await sleep(40);
    assert.is(cleared, 0);
    t.destroy();
    clearInterval(hold);
  },
);

det("'timeout' fires while a connect is still waiting for its lookup", async () => {
  const hold = setInterval(() => {}, 1000);
  const c = new net.Socket();
  c.setTimeout(10);
  (c.connect as AnyFn)({ port: 80, host: "never.test", lookup: () => {} });
  await waitFor(c, "timeout");
  clearInterval(hold);
  assert.is(c.connecting, true);
  c.destroy();
});

det(
  "a server's own half-close without allowHalfOpen: 'end' (still writable), 'finish', 'close'",
  async () => {
    const order: string[] = [];
    const { server, port, accepted } = await tcpServer((s) => {
      s.on("end", () => order.push(`end:${s.writable}`));
      s.on("finish", () => order.push("finish"));
      s.on("close", () => order.push("close"));
      s.resume();
    });
    const c = net.connect(port, "127.0.0.1");
    c.resume();
    await waitFor(c, "connect");
    c.end();
    await waitFor(c, "close");
    while (order.length < 3) await sleep(5);
    assert.equal(order, ["end:true", "finish", "close"]);
    await closeAll(server, accepted);
  },
);

det("readyState through connect, end() with allowHalfOpen, destroy()", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  const states = [c.readyState];
  await waitFor(c, "connect");
  states.push(c.readyState);
  c.end();
  states.push(c.readyState);
  await waitFor(c, "finish");
  states.push(c.readyState);
  c.destroy();
  states.push(c.readyState);
  assert.equal(states, ["opening", "open", "readOnly", "readOnly", "closed"]);
  await waitFor(c, "close");
  await closeAll(server, accepted);
});

det(
  "close() twice without a callback emits 'close' twice; listen() right after close() works",
  async () => {
    const a = net.createServer();
    await listenOn(a);
    let closes = 0;
    a.on("close", () => closes++);
    a.close();
    assert.is(a.close(), a);
    await sleep(30);
    assert.is(closes, 2);
    const b = net.createServer();
    await listenOn(b);
    b.close();
    b.listen(0, "127.0.0.1");
    await waitFor(b, "listening");
    assert.is(b.listening, true);
    await closeAll(b);
  },
);

det(
  "close() twice while a connection is open: one 'close' once it ends, both callbacks",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const c = net.connect(port, "127.0.0.1");
    c.on("error", () => {});
    await waitFor(c, "connect");
    while (accepted.length === 0) await sleep(5);
    let closes = 0;
    server.on("close", () => closes++);
    const calls: unknown[] = [];
    server.close((err) => calls.push(["cb1", (err as Err | undefined)?.code]));
    server.close((err) => calls.push(["cb2", (err as Err | undefined)?.code]));
    await sleep(30);
    assert.is(closes, 0, "not before the connection ends");
    accepted[0].destroy();
    await waitFor(server, "close");
    await sleep(30);
    assert.is(closes, 1);
    // The second call found the server closed already: Node calls it back with that error.
    assert.equal(calls, [["cb1", undefined], ["cb2", "ERR_SERVER_NOT_RUNNING"]]);
    // A close() after that finds it drained: a 'close' of its own, as Node's.
    server.close();
    await sleep(30);
    assert.is(closes, 2);
  },
);

det(
  "a dial to 0.0.0.0 reaches this host: remoteAddress is 127.0.0.1, as the kernel names it",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const c = net.connect(port, "0.0.0.0");
    await waitFor(c, "connect");
    assert.equal([c.remoteAddress, c.remotePort, c.remoteFamily], ["127.0.0.1", port, "IPv4"]);
    assert.is(c.localAddress, "127.0.0.1");
    c.destroy();
    await waitFor(c, "close");
    await closeAll(server, accepted);
  },
);

det(
  "aborting a connected socket's signal: AbortError ABORT_ERR with the reason as cause",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const ac = new AbortController();
    const c = net.connect({ port, host: "127.0.0.1", signal: ac.signal });
    await waitFor(c, "connect");
    const both = Promise.all([waitFor(c, "error"), waitFor(c, "close")]);
    ac.abort("why");
    const [[err]] = await both as [[Err], unknown[]];
    assert.equal([err.name, err.code, err.cause], ["AbortError", "ABORT_ERR", "why"]);
    await closeAll(server, accepted);
  },
);

det(
  "write after resetAndDestroy(): false, callback ERR_STREAM_DESTROYED, close without error",
  async () => {
    const { server, port, accepted } = await tcpServer();
    const c = net.connect(port, "127.0.0.1");
    await waitFor(c, "connect");
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    if (await resetUnavailable(c, server, accepted)) return;
    const closed = waitFor(c, "close");
    c.resetAndDestroy();
    const cb = new Promise<Err>((r) => assert.is(c.write("x", (e) => r(e as Err)), false));
    assert.is((await cb).code, "ERR_STREAM_DESTROYED");
    const [hadError] = await closed;
    assert.is(hadError, false);
    assert.equal(errors, []);
    await closeAll(server, accepted);
  },
);

det("endpoint getters never read before destroy() are undefined after 'close'", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(c, "connect");
  c.destroy();
  await waitFor(c, "close");
  assert.equal([c.remoteAddress, c.localAddress, c.remotePort], [undefined, undefined, undefined]);
  assert.equal(c.address(), {});
  await closeAll(server, accepted);
});

det("corked writes count in bytesWritten and writableLength at once", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.resume());
  const c = net.connect(port, "127.0.0.1");
  c.cork();
  c.write("héllo"); // 6 bytes
  c.write(Buffer.from([1, 2, 3]));
  c.write("ab", "hex"); // 1 byte
  assert.equal([c.bytesWritten, c.writableLength], [10, 10]);
  c.uncork();
  c.end();
  await waitFor(c, "finish");
  assert.is(c.bytesWritten, 10);
  c.destroy();
  await closeAll(server, accepted);
});

det("getConnections() after close() still counts the open connection", async () => {
  const { server, port } = await tcpServer();
  const c = net.connect(port, "127.0.0.1");
  await waitFor(server, "connection");
  const closed = waitFor(server, "close");
  server.close();
  assert.equal(await new Promise<unknown[]>((r) => server.getConnections((...a) => r(a))), [
    null,
    1,
  ]);
  c.destroy();
  await closed;
  assert.equal(await new Promise<unknown[]>((r) => server.getConnections((...a) => r(a))), [
    null,
    0,
  ]);
});

det("write(data, encoding, cb), write(data, cb) and end(data, encoding, cb)", async () => {
  let got = "";
  let ended!: () => void;
  const done = new Promise<void>((r) => ended = r);
  const { server, port, accepted } = await tcpServer((s) => {
    s.setEncoding("latin1");
    s.on("data", (d: string) => got += d);
    s.on("end", ended);
  });
  const c = net.connect(port, "127.0.0.1");
  const order: string[] = [];
  c.write("6869", "hex", () => order.push("w1"));
  c.write("x", () => order.push("w2"));
  c.end("ff", "hex", () => order.push("end"));
  await done;
  assert.equal(order, ["w1", "w2", "end"]);
  assert.is(got, "hix\xff");
  c.destroy();
  await closeAll(server, accepted);
});

det("error shapes: a refused dial from a bound local port, EADDRINUSE without a host", async () => {
  if (localBindUnavailable()) return;
  const port = await freePort();
  // Two draws may give the same port: a dial from it to itself connects (TCP simultaneous open).
  let lp = await freePort();
  while (lp === port) lp = await freePort();
  const c = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.1", localPort: lp });
  const [[err]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]) as [
    [Err],
    unknown[],
  ];
  assert.equal(
    [err.code, err.errno, err.syscall, err.address, err.port, err.localAddress, err.localPort],
    ["ECONNREFUSED", -111, "connect", "127.0.0.1", port, "127.0.0.1", lp],
  );
  assert.is(err.message, `connect ECONNREFUSED 127.0.0.1:${port} - Local (127.0.0.1:${lp})`);
  const a = net.createServer();
  await new Promise<void>((r) => a.listen(0, () => r()));
  const taken = a.address() as { address: string; port: number };
  const b = net.createServer();
  b.listen(taken.port);
  const [e2] = await waitFor(b, "error") as [Err];
  assert.equal([e2.code, e2.errno, e2.syscall, e2.address, e2.port], [
    "EADDRINUSE",
    -98,
    "listen",
    taken.address,
    taken.port,
  ]);
  const shown = taken.address === "::" ? `:::${taken.port}` : `${taken.address}:${taken.port}`;
  assert.is(e2.message, `listen EADDRINUSE: address already in use ${shown}`);
  await closeAll(a);
});

det("a connect call that fails at once names the local end, as Node 22+ does", async () => {
  // Node appends getsockname()'s answer to errors its connect call returns itself: a pipe has
  // none to give, a bound socket gives its end (also for EAFNOSUPPORT: the socket exists).
  const path = "/tmp/" + "p".repeat(120);
  const u = net.connect(path);
  const [[eu]] = await Promise.all([waitFor(u, "error"), waitFor(u, "close")]) as [[Err], unknown];
  assert.equal([eu.code, eu.syscall, eu.address], ["EINVAL", "connect", path]);
  assert.is(eu.message, `connect EINVAL ${path} - Local (undefined:undefined)`);
  const listen = net.createServer();
  listen.listen(path);
  const [el] = await waitFor(listen, "error") as [Err];
  assert.is(el.message, `listen EINVAL: invalid argument ${path}`);
  if (getTransport().features.boundSocket !== true) return;
  const bound = new net.BoundSocket({ host: "127.0.0.1", port: 0 });
  const lp = bound.address().port;
  const s = new net.Socket({ handle: bound });
  s.connect({ host: "::1", port: 9 });
  const [[eb]] = await Promise.all([waitFor(s, "error"), waitFor(s, "close")]) as [[Err], unknown];
  assert.equal([eb.code, eb.syscall, eb.localAddress], ["EAFNOSUPPORT", "connect", undefined]);
  assert.is(eb.message, `connect EAFNOSUPPORT ::1:9 - Local (127.0.0.1:${lp})`);
});

det("a multi-address lookup: one 'lookup' per address, then the attempts in order", async () => {
  const { server, port, accepted } = await tcpServer();
  const c = new net.Socket();
  const seen: unknown[][] = [];
  c.on("lookup", (...a: unknown[]) => seen.push(["lookup", ...a]));
  c.on("connectionAttempt", (ip: string) => seen.push(["attempt", ip]));
  c.on(
    "connectionAttemptFailed",
    (ip: string, _p: number, _f: number, e: Err) => seen.push(["failed", ip, e.code]),
  );
  (c.connect as AnyFn)({
    port,
    host: "multi.test",
    lookup: (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
      cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]),
  });
  await waitFor(c, "connect");
  assert.equal(seen, [
    ["lookup", null, "::1", 6, "multi.test"],
    ["lookup", null, "127.0.0.1", 4, "multi.test"],
    ["attempt", "::1"],
    ["failed", "::1", "ECONNREFUSED"],
    ["attempt", "127.0.0.1"],
  ]);
  c.destroy();
  await closeAll(server, accepted);
});

det("localAddress of the other family: bind EINVAL naming the local address", async () => {
  if (localBindUnavailable()) return;
  const { server, port, accepted } = await tcpServer();
  const c = net.connect({ port, host: "127.0.0.1", localAddress: "::1" });
  const [[err]] = await Promise.all([waitFor(c, "error"), waitFor(c, "close")]) as [
    [Err],
    unknown[],
  ];
  assert.equal([err.code, err.syscall, err.address, err.port], [
    "EINVAL",
    "bind",
    "::1",
    undefined,
  ]);
  assert.is(err.message, "bind EINVAL ::1");
  await closeAll(server, accepted);
});

det("maxConnections on a Unix server: 'drop' carries no endpoint data", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "m.sock");
    const server = net.createServer();
    server.maxConnections = 0;
    const drops: unknown[][] = [];
    server.on("drop", (...a: unknown[]) => drops.push(a));
    await new Promise<void>((r) => server.listen(path, () => r()));
    const c = net.connect(path);
    c.on("error", () => {});
    c.resume();
    await waitFor(c, "close");
    while (drops.length === 0) await sleep(5);
    assert.is(drops.length, 1);
    assert.is(drops[0][0], undefined);
    await closeAll(server);
  } finally {
    removeDir(dir);
  }
});

det(
  "'connectionAttemptFailed' of a single dial: no longer connecting; of Happy Eyeballs: still",
  async () => {
    // Node's afterConnect clears `connecting` before it emits the failure of a single dial (TCP or
    // Unix), then destroys the socket; a Happy Eyeballs attempt leaves it connecting.
    const port = await freePort();
    const dir = tempDir();
    const state = (s: Sock) =>
      `connecting ${s.connecting} ${s.readyState} pending ${s.pending} destroyed ${s.destroyed}`;
    const trace = (s: Sock): Promise<string[]> => {
      const log: string[] = [];
      s.on("connectionAttemptFailed", (a: string) => log.push(`failed ${a}: ${state(s)}`));
      s.on("error", () => log.push(`error: ${state(s)}`));
      return new Promise((resolve) =>
        s.on("close", (hadError: boolean) => {
          log.push(`close ${hadError}`);
          resolve(log);
        })
      );
    };
    const open = "connecting false open pending false destroyed false";
    const opening = "connecting true opening pending true destroyed false";
    const gone = "connecting false closed pending true destroyed true";
    try {
      const cases: [string, Record<string, unknown>, string[]][] = [
        ["TCP", { port, host: "127.0.0.1" }, [`failed 127.0.0.1: ${open}`]],
        ["Unix", { path: join(dir, "missing") }, [`failed ${join(dir, "missing")}: ${open}`]],
        ["one address looked up", {
          port,
          host: "x.test",
          autoSelectFamily: true,
          lookup: lookupLater([{ address: "127.0.0.1", family: 4 }]),
        }, [`failed 127.0.0.1: ${open}`]],
        ["Happy Eyeballs", {
          port,
          host: "x.test",
          autoSelectFamily: true,
          lookup: lookupLater(LOOPBACKS),
        }, [`failed ::1: ${opening}`, `failed 127.0.0.1: ${opening}`]],
      ];
      if (!localBindUnavailable()) {
        cases.push(["bound", { port, host: "127.0.0.1", localAddress: "127.0.0.1" }, [
          `failed 127.0.0.1: ${open}`,
        ]]);
      }
      for (const [name, options, failures] of cases) {
        const log = await trace(net.connect(options as never));
        assert.equal(log, [...failures, `error: ${gone}`, "close true"], name);
      }
    } finally {
      removeDir(dir);
    }
  },
);

det(
  "sockets destroyed in one turn report 'close' the last destroyed first, as libuv's closing phase",
  async () => {
    // libuv runs a turn's closing handles last closed first; so does omninet where it reports the
    // close itself (Bun, the Deno.connect adapter). Deno's own handles report them in order.
    const { server, port } = await tcpServer((s) => s.resume());
    try {
      const socks = await Promise.all([0, 1, 2].map(() =>
        new Promise<Sock>((resolve) => {
          const c: Sock = net.connect(port, "127.0.0.1", () => resolve(c));
        })
      ));
      const order: number[] = [];
      const closed = Promise.all(
        socks.map((c, i) =>
          new Promise<void>((resolve) =>
            c.on("close", () => {
              order.push(i);
              resolve();
            })
          )
        ),
      );
      for (const c of socks) c.destroy();
      await closed;
      const denoHandles = currentRuntime() === "deno" && getTransport().name !== "deno";
      assert.equal(order, denoHandles ? [0, 1, 2] : [2, 1, 0], getTransport().name);
    } finally {
      await closeAll(server);
    }
  },
);

det.run();

// Differences found by running Node's own test-net-* files against omninet (an outside check).
const ext = suite("conformance: Node's test-net-* files");

ext(
  "a write and end() made while connecting go out after the earlier 'connect' listeners",
  async () => {
    const { server, port, accepted } = await tcpServer((s) => s.resume());
    const order: string[] = [];
    const c = new net.Socket();
    c.on("connect", () => order.push("listener"));
    c.connect(port, "127.0.0.1", () => order.push("connect cb"));
    c.write("abc", () => order.push(`write cb ${c.bytesWritten}`));
    c.on("ready", () => order.push("ready"));
    c.end("x", () => order.push("end cb"));
    await waitFor(c, "close");
    await closeAll(server, accepted);
    assert.equal(order, ["listener", "connect cb", "write cb 4", "ready", "end cb"]);
  },
);

ext(
  "onread: the callback gets the socket as `this`; pausing in it stops the callbacks",
  async () => {
    const message = Buffer.from("hello world, in small buffers");
    const { server, port, accepted } = await tcpServer((s) => s.end(message));
    const got: Buffer[] = [];
    let thisIsSocket = true;
    let calledWhilePaused = false;
    let paused = false;
    const c: Sock = net.connect({
      port,
      host: "127.0.0.1",
      onread: {
        buffer: Buffer.alloc(4),
        callback(this: unknown, n: number, buf: Uint8Array) {
          if (this !== c) thisIsSocket = false;
          if (paused) calledWhilePaused = true;
          got.push(Buffer.from(buf.subarray(0, n)));
          paused = true;
          c.pause();
          setTimeout(() => {
            paused = false;
            c.resume();
          }, 1);
          return true; // typed as @types/node's (only `false` stops the reads)
        },
      },
    });
    await waitFor(c, "end");
    c.destroy();
    await closeAll(server, accepted);
    assert.ok(thisIsSocket);
    assert.not.ok(calledWhilePaused);
    assert.equal(Buffer.concat(got), message);
  },
);

ext(
  "onread: bytesRead counts what the callback got; bytes kept when it returned false are read after resume(), as Node's",
  async () => {
    const { server, port, accepted } = await tcpServer((s) => s.write(Buffer.alloc(40, 97)));
    const counts: number[] = [];
    let calls = 0;
    const c: Sock = net.connect({
      port,
      host: "127.0.0.1",
      onread: {
        buffer: Buffer.alloc(16),
        callback: (n: number) => {
          counts.push(n, c.bytesRead);
          return ++calls !== 1;
        },
      },
    });
    await waitFor(c, "connect");
    await sleep(100);
    const before = c.bytesRead;
    c.resume();
    await sleep(50);
    const after = c.bytesRead;
    c.destroy();
    await closeAll(server, accepted);
    // Node reads no more from the kernel than the buffer takes, and stops at the `false`.
    assert.is(before, 16);
    assert.is(after, 40);
    assert.equal(counts, [16, 16, 16, 32, 8, 40]);
  },
);

ext("onread: a buffer function is called at construction and after every callback", async () => {
  const { server, port, accepted } = await tcpServer((s) => s.end(Buffer.alloc(11)));
  const order: string[] = [];
  let sizes = 0;
  const c = net.connect({
    port,
    host: "127.0.0.1",
    onread: {
      buffer: () => {
        order.push("buffer");
        return Buffer.alloc(2);
      },
      callback: (n: number) => {
        sizes += n;
        order.push("callback");
        return true;
      },
    },
  });
  const atConstruction = order.length;
  await waitFor(c, "end");
  c.destroy();
  await closeAll(server, accepted);
  assert.is(atConstruction, 1);
  assert.is(sizes, 11);
  assert.equal(order, ["buffer", ...Array(6).fill(["callback", "buffer"]).flat()]);
});

ext(
  "Node's --[no-]network-family-autoselection[-attempt-timeout] options set the defaults",
  async () => {
    if (currentRuntime() !== "node") return; // options of Node's command line and NODE_OPTIONS
    const flags = ["--no-network-family-autoselection"];
    const cli = await spawnScript("fixtures/autoselect_defaults", [], {}, {
      runtimeArgs: [...flags, "--network-family-autoselection-attempt-timeout", "123"],
    });
    assert.is(cli.stdout, "false 123 same\n", cli.stderr);
    // NODE_OPTIONS first, then the command line: the last one wins.
    const env = await spawnScript("fixtures/autoselect_defaults", [], {
      NODE_OPTIONS:
        "--network_family_autoselection_attempt_timeout=77 --no-network-family-autoselection",
    }, { runtimeArgs: ["--network-family-autoselection"] });
    assert.is(env.stdout, "true 77 same\n", env.stderr);
    // Without options: the runtime's initial value (Node 20 and 24: 250 ms; Node 26: 500).
    const plain = await spawnScript("fixtures/autoselect_defaults");
    const major = Number(process.versions.node.split(".")[0]);
    assert.is(plain.stdout, `true ${major <= 24 ? 250 : 500} same\n`, plain.stderr);
  },
);

ext(
  "resetAndDestroy() while connecting resets from a 'connect' listener added by the call",
  async () => {
    const { server, port, accepted } = await tcpServer((s) => {
      s.on("error", () => {});
      s.resume();
    });
    const log: string[] = [];
    const c = net.connect(port, "127.0.0.1");
    c.on("connect", () => log.push(`connect before, destroyed ${c.destroyed}`));
    c.resetAndDestroy();
    c.on("connect", () => log.push(`connect after, destroyed ${c.destroyed}`));
    c.on("ready", () => log.push(`ready, destroyed ${c.destroyed}`));
    const errors: unknown[] = [];
    c.on("error", (e: Err) => errors.push(e.code));
    await waitFor(c, "close");
    await closeAll(server, accepted);
    assert.equal(log, [
      "connect before, destroyed false",
      "connect after, destroyed true",
      "ready, destroyed true",
    ]);
    // The forced Deno.connect/listen adapter has no RST (see resetUnavailable).
    assert.equal(
      errors,
      getTransport().name === "deno" ? ["ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"] : [],
    );
  },
);

ext("a cluster worker listening on port 0 tells the primary its port ('listening')", async () => {
  const r = await spawnScript("fixtures/cluster_listening", ["port"]);
  const m = /^worker (\d+), primary 'listening' (\d+)\n$/.exec(r.stdout);
  assert.ok(m !== null, r.stdout + r.stderr);
  assert.is(m![2], m![1]);
  assert.is.not(m![1], "0");
});

ext("a cluster worker's disconnect() closes its servers, so the worker exits", async () => {
  const r = await spawnScript("fixtures/cluster_listening", ["disconnect"]);
  assert.is(r.stdout, "server closed\nexit 0 null\n", r.stderr);
});

ext("diagnostics channels: net.client.socket, net.server.socket, net.server.listen", async () => {
  const dc = await import("node:diagnostics_channel");
  const clients: unknown[] = [];
  const accepted: unknown[] = [];
  const trace: [string, unknown, unknown][] = [];
  const onClient = (m: unknown) => clients.push((m as { socket: unknown }).socket);
  const onServer = (m: unknown) => accepted.push((m as { socket: unknown }).socket);
  type Msg = { server: unknown; options?: { custom?: boolean }; error?: Err };
  const listen = {
    start: () => {},
    end: () => {},
    asyncStart: (m: unknown) =>
      trace.push(["start", (m as Msg).server, (m as Msg).options?.custom]),
    asyncEnd: (m: unknown) => trace.push(["end", (m as Msg).server, undefined]),
    error: (m: unknown) => trace.push(["error", (m as Msg).server, (m as Msg).error?.code]),
  };
  dc.subscribe("net.client.socket", onClient);
  dc.subscribe("net.server.socket", onServer);
  dc.tracingChannel("net.server.listen").subscribe(listen);
  const conns: Sock[] = [];
  const server = net.createServer((s) => conns.push(s));
  const taken = net.createServer();
  try {
    server.listen({ port: 0, host: "127.0.0.1", custom: true } as never);
    await waitFor(server, "listening");
    const port = (server.address() as { port: number }).port;
    const ours = [
      net.connect(port, "127.0.0.1"),
      net.createConnection(port, "127.0.0.1"),
      new net.Socket().connect(port, "127.0.0.1"),
    ];
    await Promise.all(ours.map((c) => waitFor(c, "connect")));
    while (conns.length < 3) await sleep(5);
    taken.on("error", () => {});
    taken.listen(port, "127.0.0.1");
    await waitFor(taken, "error");
    for (const c of ours) c.destroy();
    assert.equal(clients.filter((c) => ours.includes(c as Sock)).length, 3);
    assert.equal(accepted.filter((c) => conns.includes(c as Sock)).length, 3);
    assert.equal(trace.filter(([, s]) => s === server || s === taken), [
      ["start", server, true],
      ["end", server, undefined],
      ["start", taken, undefined],
      ["error", taken, "EADDRINUSE"],
    ]);
  } finally {
    dc.unsubscribe("net.client.socket", onClient);
    dc.unsubscribe("net.server.socket", onServer);
    dc.tracingChannel("net.server.listen").unsubscribe(listen);
    await closeAll(server, conns);
  }
});

ext(
  "net._normalizeArgs: the [options, callback] pair socket.connect() takes as it is",
  async () => {
    const cb = () => {};
    assert.equal([...net._normalizeArgs([])], [{}, null]);
    assert.equal([...net._normalizeArgs([{ port: 1234 }])], [{ port: 1234 }, null]);
    assert.equal([...net._normalizeArgs([{ port: 1234 }, cb])], [{ port: 1234 }, cb]);
    assert.equal([...net._normalizeArgs([80, "example.com"])], [
      { port: 80, host: "example.com" },
      null,
    ]);
    assert.equal([...net._normalizeArgs(["/tmp/app.sock", cb])], [{ path: "/tmp/app.sock" }, cb]);
    const { server, port } = await tcpServer((s) => s.end());
    const plain = new net.Socket();
    let code: unknown;
    try {
      plain.connect([{ port }, cb] as never);
    } catch (err) {
      code = (err as Err).code;
    }
    assert.is(code, "ERR_MISSING_ARGS");
    const c = new net.Socket();
    const connected = waitFor(c, "connect");
    c.connect(net._normalizeArgs([{ port, host: "127.0.0.1" }]) as never);
    await connected;
    c.destroy();
    await closeAll(server);
  },
);

ext.run();

// ---------------------------------------------------------------------------
// Node's socket fields that code outside node:net reads or sets (node:tls reads
// `_host`, node:http sets `_hadError`, request recorders read `_pendingData`),
// with the values Node 26 gives (Deno's and Bun's own node:net differ in some).
const internals = suite("conformance: Node's socket fields other code reads");

/** A lookup answering 127.0.0.1 for any name, a little later (as a resolver would). */
const anyName = slowLookup(5) as never;

/**
 * Runs `body` against a fresh server; whatever it asserted, every socket it
 * made (through `track`) and every accepted one is destroyed and the server
 * closed, so a failed check ends the test instead of keeping the process alive.
 */
async function withServer(
  onConn: (s: Sock) => void,
  body: (
    port: number,
    accepted: Sock[],
    server: Server,
    track: <T extends Sock>(s: T) => T,
  ) => Promise<void>,
  opts: Record<string, unknown> = {},
): Promise<void> {
  const { server, port, accepted } = await tcpServer(onConn, opts);
  const made: Sock[] = [];
  try {
    await body(port, accepted, server, (s) => (made.push(s), s));
  } finally {
    for (const s of [...made, ...accepted]) s.destroy();
    await closeAll(server);
  }
}

internals(
  "_host: the name connect() looked up, kept after close; none for literals and paths",
  () =>
    withServer((s) => s.end(), async (port, _accepted, _server, track) => {
      const a = track(new net.Socket());
      assert.is(a._host, null);
      assert.is(a._hadError, false);
      a.connect({ port, host: "omninet-host.test", lookup: anyName });
      assert.is(a._host, "omninet-host.test"); // set before the lookup answers
      await waitFor(a, "connect");
      a.destroy();
      await waitFor(a, "close");
      assert.is(a._host, "omninet-host.test");
      // An IP literal needs no lookup: the last name stays, as on Node.
      a.connect(port, "127.0.0.1");
      assert.is(a._host, "omninet-host.test");
      await waitFor(a, "connect");
      const literal = track(net.connect(port, "127.0.0.1"));
      assert.is(literal._host, null);
      const noHost = track(net.connect(port));
      assert.is(noHost._host, "localhost");
      await Promise.all([waitFor(literal, "connect"), waitFor(noHost, "connect")]);
      const dir = tempDir();
      const unix = net.createServer((s) => s.end());
      try {
        unix.listen(join(dir, "s.sock"));
        await waitFor(unix, "listening");
        const u = track(net.connect(join(dir, "s.sock")));
        assert.is(u._host, null);
        await waitFor(u, "connect");
        assert.equal(u._getpeername(), {});
        assert.equal(u._getsockname(), {});
        u.destroy();
      } finally {
        await closeAll(unix);
        removeDir(dir);
      }
    }),
);

internals(
  "_pendingData / _pendingEncoding: the write held while connecting",
  () =>
    withServer((s) => s.resume(), async (port, _accepted, _server, track) => {
      const a = track(new net.Socket());
      assert.is(a._pendingData, null);
      assert.is(a._pendingEncoding, "");
      a.connect({ port, host: "omninet-host.test", lookup: anyName });
      a.write(Buffer.from("xy"));
      assert.ok(Buffer.isBuffer(a._pendingData));
      assert.is(String(a._pendingData), "xy");
      assert.is(a._pendingEncoding, "buffer");
      await waitFor(a, "connect");
      assert.is(a._pendingData, null); // gone out at connect
      assert.is(a._pendingEncoding, "");
      await new Promise<void>((r) => a.write("abc", () => r()));
      assert.is(a._bytesDispatched, 5);
      // Several chunks at once: the list of { chunk, encoding }, encoding ''.
      const b = track(net.connect(port, "127.0.0.1"));
      b.cork();
      b.write("a");
      b.write("b", "latin1");
      b.uncork();
      const held = b._pendingData as unknown as { chunk: unknown; encoding: string }[];
      assert.ok(Array.isArray(held));
      assert.equal(held.map((e) => [String(e.chunk), e.encoding]), [["a", "utf8"], [
        "b",
        "latin1",
      ]]);
      assert.is(b._pendingEncoding, "");
      await waitFor(b, "connect");
      assert.is(b._pendingData, null);
      // Closed before connecting: the held write stays, as on Node.
      const c = track(net.connect({ port, host: "omninet-host.test", lookup: anyName }));
      c.on("error", () => {});
      c.write("zz", "latin1");
      c.destroy();
      await waitFor(c, "close");
      assert.is(c._pendingData, "zz");
      assert.is(c._pendingEncoding, "latin1");
      // Assigned, each is the socket's own value (as Node's plain properties are).
      c._pendingData = null;
      c._pendingEncoding = "";
      c._host = "other";
      c._hadError = true;
      assert.is(c._pendingData, null);
      assert.is(c._pendingEncoding, "");
      assert.is(c._host, "other");
      assert.is(c._hadError, true);
      assert.ok(Object.keys(c).includes("_pendingData"));
      assert.is(new net.Socket()._host, null); // not shared with other sockets
      assert.is(new net.Socket()._hadError, false);
    }),
);

internals(
  "_server, _getpeername(), _getsockname() and _bytesDispatched",
  () =>
    withServer((s) => s.resume(), async (port, accepted, server, track) => {
      const a = track(new net.Socket());
      assert.is(a._server, null);
      assert.equal(a._getpeername(), {});
      assert.equal(a._getsockname(), {});
      assert.is(a._bytesDispatched, 0);
      a.connect(port, "127.0.0.1");
      assert.equal(a._getpeername(), {}); // connecting
      await waitFor(a, "connect");
      while (accepted.length < 1) await waitFor(server, "connection");
      assert.is(accepted[0]._server, server);
      assert.is(accepted[0]._hadError, false);
      assert.is(accepted[0]._host, null);
      assert.equal(a._getpeername(), { address: "127.0.0.1", family: "IPv4", port });
      assert.equal(a._getsockname(), a.address());
      assert.is((a._getsockname() as { port: number }).port, accepted[0].remotePort);
      await new Promise<void>((r) => a.write("hello", () => r()));
      assert.is(a._bytesDispatched, 5);
      a.end();
      await waitFor(a, "close");
      // The peer asked for while connected is kept, as Node's cache is.
      assert.equal(a._getpeername(), { address: "127.0.0.1", family: "IPv4", port });
      accepted[0]._server = null;
      assert.is(accepted[0]._server, null);
      assert.is(accepted[0].server, server);
    }),
);

internals(
  "server._handle.onconnection: code that patches it sees each connection's handle first",
  () =>
    withServer(() => {}, async (port, got, server, track) => {
      // Node's server handle calls onconnection(err, clientHandle) per connection, and code
      // (Node's tests, APM agents) wraps it. Node's shape on Node and Bun; on Deno its own
      // handles call it with Deno's arguments, so there a pass-through wrapper is checked.
      const rt = currentRuntime();
      let handle: Record<string, unknown> | null;
      try {
        handle = (server as unknown as { _handle: Record<string, unknown> | null })._handle;
      } catch (e) {
        // The Deno.listen fallback holds no runtime handle (it says so loudly).
        assert.is((e as Err).code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
        assert.is(getTransport().name, "deno");
        return;
      }
      const orig = handle?.onconnection;
      if (rt !== "deno" || typeof orig === "function") {
        assert.type(orig, "function");
      }
      if (typeof orig !== "function") return;
      const log: string[] = [];
      handle!.onconnection = function (this: unknown, err: unknown, client: unknown) {
        log.push(`onconnection ${err ?? 0} this ${this === handle}`);
        if (rt !== "deno") {
          const h = client as { setNoDelay(on: boolean): unknown };
          const own = h.setNoDelay;
          assert.type(own, "function");
          // What Node does with the server's noDelay before the socket exists.
          h.setNoDelay = function (this: unknown, on: boolean) {
            log.push(`handle.setNoDelay(${on}) before the socket: ${got.length === 0}`);
            return own.call(this, on);
          };
        }
        return (orig as (...a: unknown[]) => unknown).call(this, err, client);
      };
      const made: Sock[] = [];
      for (let i = 0; i < 2; i++) {
        const c = track(net.connect(port, "127.0.0.1"));
        made.push(c);
        await waitFor(c, "connect");
        while (got.length < i + 1) await waitFor(server, "connection");
      }
      const once = rt === "deno"
        ? ["onconnection 0 this true"]
        : ["onconnection 0 this true", "handle.setNoDelay(true) before the socket: true"];
      if (rt === "deno") {
        log.splice(
          0,
          log.length,
          ...log.map((l) => l.replace(/^onconnection \S+/, "onconnection 0")),
        );
      }
      assert.equal(log.slice(0, once.length), once);
      assert.is(log.filter((l) => l.startsWith("onconnection")).length, 2);
      // The accepted sockets work as usual.
      got[1].write("x");
      made[1].resume();
      await waitFor(made[1], "data");
    }, { noDelay: true }),
);

internals(
  "a write after code closed socket._handle fails with write EBADF",
  () =>
    withServer((s) => s.resume(), async (port, _accepted, _server, track) => {
      const c = track(net.connect(port, "127.0.0.1"));
      await waitFor(c, "connect");
      const handle = (c as unknown as { _handle: { close(): unknown } | null })._handle;
      if (handle === null) {
        // Only the Deno.connect fallback holds no runtime handle to give out.
        assert.is(getTransport().name, "deno");
        return;
      }
      const errors: Err[] = [];
      c.on("error", (e: Err) => errors.push(e));
      handle.close();
      c.write("foo");
      // Node's own socket emits no 'close' then (its handle's close callback is spent): the error.
      await waitFor(c, "error");
      await sleep(20);
      assert.is(errors.length, 1);
      assert.is(errors[0].constructor, Error);
      assert.is(errors[0].message, "write EBADF");
      assert.is(errors[0].code, "EBADF");
      assert.is(errors[0].syscall, "write");
    }),
);

internals.run();
