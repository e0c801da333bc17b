// Transport contract cases that exercise the Bun adapter's own edge paths
// (lazy pause, a FIN Bun reports as a plain close, chunked writev under
// backpressure, Unix dials that fail inside Bun.connect, openFd on descriptors
// Bun cannot wrap). Written against the Transport interface only, so every
// adapter must pass them too.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { SystemError } from "../core/errors.ts";
import { getTransport } from "../runtimes/mod.ts";
import type { AddressInfo, ListenerHandle, StreamHandle } from "../runtimes/types.ts";
import { currentRuntime } from "./_runtime.ts";
import { Peer } from "./_peer.ts";
import { closeAll, GUARD_MS, sleep, track, within } from "./_handles.ts";

const t = getTransport();

function write(h: StreamHandle, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => h.write(data, (e) => (e ? reject(e) : resolve())));
}

function shutdown(h: StreamHandle): Promise<void> {
  return within(
    new Promise((resolve, reject) => h.shutdown((e) => (e ? reject(e) : resolve()))),
    "shutdown",
  );
}

/** A connected TCP pair on 127.0.0.1: [dialled, accepted]. */
async function tcpPair(): Promise<[StreamHandle, StreamHandle]> {
  let accepted: (h: StreamHandle) => void = () => {};
  const gotConn = new Promise<StreamHandle>((r) => (accepted = r));
  const listener = await within(
    new Promise<ListenerHandle>((resolve, reject) =>
      t.listenTcp(
        { address: "127.0.0.1", port: 0, backlog: 511, ipv6Only: false, reusePort: false },
        { onConnection: (h) => accepted(track(h)), onError: reject },
        (err, l) => (err || !l ? reject(err) : resolve(track(l))),
      )
    ),
    "listen",
  );
  const port = (listener.address() as AddressInfo).port;
  const dialled = await within(
    new Promise<StreamHandle>((resolve, reject) =>
      t.connectTcp(
        { address: "127.0.0.1", port, family: 4 },
        (err, h) => (err || !h ? reject(err) : resolve(track(h))),
      )
    ),
    "dial",
  );
  return [dialled, await within(gotConn, "accept")];
}

/** Byte `k` of the test stream: period 251 so shifted chunks show up. */
function pattern(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (offset + i) % 251;
  return b;
}

const flow = suite("StreamHandle flow control edges");
flow.after.each(closeAll);

flow(
  "readStop() inside _onHandleData holds later bytes and the FIN until readStart()",
  async () => {
    const [c, s] = await tcpPair();
    const server = new Peer(s);
    server.onChunk = () => {
      server.onChunk = null;
      s.readStop();
    };
    const first = pattern(0, 1000);
    await write(c, first);
    await server.until(() => server.bytes > 0, "first chunk");
    const rest = pattern(1000, 300_000);
    await write(c, rest);
    await shutdown(c);
    await sleep(100);
    const held = server.log;
    assert.is(held, "d".repeat(held.length));
    assert.ok(held.length <= 1, `_onHandleData ${held.length} times after readStop()`);
    s.readStart();
    await server.until(() => server.ended, "onEnd after readStart()");
    assert.ok(server.data().equals(Buffer.concat([first, rest])), "bytes out of order or lost");
    assert.ok(server.log.endsWith("e") && server.log.indexOf("e") === server.log.length - 1);
    assert.is(server.error, null);
  },
);

flow("a peer FIN after our own shutdown() reaches a stopped reader on readStart()", async () => {
  const [c, s] = await tcpPair();
  const client = new Peer(c, false);
  const server = new Peer(s);
  await shutdown(c);
  await server.until(() => server.ended, "server onEnd");
  await write(s, Buffer.from("late reply"));
  await shutdown(s);
  await sleep(100);
  assert.is(client.log, "", "callbacks before readStart()");
  c.readStart();
  await client.until(() => client.ended, "client onEnd");
  assert.is(client.data().toString(), "late reply");
  assert.is(client.error, null);
  assert.is(client.log.at(-1), "e");
});

flow("writev() of large chunks to a stalled reader completes in order", async () => {
  const [c, s] = await tcpPair();
  const server = new Peer(s, false);
  const parts: Buffer[] = [];
  let off = 0;
  for (const n of [3, 1 << 20, 70_000, 1, 10 << 20, 65_536, 17]) {
    parts.push(pattern(off, n));
    off += n;
  }
  let done = false;
  const wrote = new Promise<void>((resolve, reject) =>
    c.writev(parts, (e) => (e ? reject(e) : ((done = true), resolve())))
  );
  await sleep(200);
  // 11 MiB exceed what loopback socket buffers hold, so the writev waits for the reader.
  assert.not.ok(done, "writev completed with nobody reading");
  s.readStart();
  await within(wrote, "writev callback");
  await server.until(() => server.bytes === off, "all bytes");
  assert.ok(server.data().equals(Buffer.concat(parts)), "bytes out of order or lost");
});

// The Bun adapter corks a tick's writes while Nagle is on (Node's default):
// sent one by one, the second small send would wait for the peer's delayed
// ACK of the first, stalling request/response protocols such as node:http.
if (t.name === "bun") {
  flow("with Nagle on, small writes issued in one tick leave as one send", async () => {
    const [c, s] = await tcpPair();
    const server = new Peer(s);
    const client = new Peer(c);
    // Round trips first: past its first segments the kernel delays ACKs, and
    // only then does Nagle hold a second small send back.
    for (let i = 1; i <= 20; i++) {
      await write(c, Buffer.from("?"));
      await server.until(() => server.bytes === i, "request");
      await write(s, Buffer.from("!"));
      await client.until(() => client.bytes === i, "reply");
    }
    server.chunks = [];
    server.bytes = 0;
    server.log = "";
    await new Promise<void>((resolve, reject) =>
      c.write(Buffer.from("HTTP/1.1 200 OK\r\n\r\n"), (e) => {
        if (e) return reject(e);
        c.write(Buffer.from("body"), (e2) => (e2 ? reject(e2) : resolve()));
      })
    );
    await server.until(() => server.bytes === 23, "both writes");
    assert.is(server.log, "d", "the two writes arrived in separate reads");
    assert.is(server.data().toString(), "HTTP/1.1 200 OK\r\n\r\nbody");
  });
}

flow("small writes in separate ticks to a stalled reader arrive in order", async () => {
  const [c, s] = await tcpPair();
  const server = new Peer(s, false);
  const parts: Buffer[] = [];
  let off = 0;
  for (let i = 0; i < 600; i++) {
    const n = 7 + (i * 7919) % 12_000;
    parts.push(pattern(off, n));
    off += n;
  }
  // Each write waits for the previous callback and a macrotask, so writes
  // land while an earlier batch is still waiting for the stalled reader.
  const wrote = (async () => {
    for (const part of parts) {
      await write(c, part);
      await new Promise((r) => setImmediate(r));
    }
  })();
  await sleep(100);
  s.readStart();
  await within(wrote, "every write callback");
  await server.until(() => server.bytes === off, "all bytes");
  assert.ok(server.data().equals(Buffer.concat(parts)), "bytes out of order or lost");
});

flow("a buffer refilled as soon as its write callback runs is sent as it was", async () => {
  const [c, s] = await tcpPair();
  const server = new Peer(s);
  const buf = Buffer.alloc(100);
  const rounds = 200;
  await new Promise<void>((resolve, reject) => {
    let i = 0;
    const next = (e?: SystemError | null): void => {
      if (e) return reject(e);
      if (i === rounds) return resolve();
      buf.fill(i++ % 251);
      c.write(buf, next);
    };
    next();
  });
  await server.until(() => server.bytes === rounds * 100, "all bytes");
  const expected = Buffer.concat(
    Array.from({ length: rounds }, (_, i) => Buffer.alloc(100, i % 251)),
  );
  assert.ok(server.data().equals(expected), "a write was sent after its buffer was refilled");
});

// Several connections writing small chunks in turn, each from one buffer it
// refills as soon as a write's callback ran: on Bun their copies of one tick
// share a buffer (one region per connection, grown in place only while no
// other connection took space after it; past 64 KiB they get their own), so
// interleaving and overflow both take paths a single connection never does.
flow(
  "small writes of several connections in turn, from refilled buffers, arrive intact",
  async () => {
    const pairs = [await tcpPair(), await tcpPair(), await tcpPair()];
    const servers = pairs.map(([, s]) => new Peer(s));
    const sizes = [1, 700, 15_000, 64, 9_999, 12_345, 3, 16_000];
    const rounds = 24;
    const total = sizes.reduce((a, b) => a + b, 0) * rounds / sizes.length;
    const streams = pairs.map(([c], k) => ({
      c,
      buf: Buffer.alloc(16_000),
      off: 0,
      n: 0,
      idle: true,
      sent: [] as Buffer[],
      k,
    }));
    let failed: Error | null = null;
    const step = (): boolean => {
      let progressed = false;
      for (const st of streams) {
        if (!st.idle || st.n === rounds) continue;
        const size = sizes[(st.n + st.k) % sizes.length];
        const part = pattern(st.off + st.k * 7, size);
        part.copy(st.buf);
        st.sent.push(part);
        st.off += size;
        st.n++;
        st.idle = false;
        progressed = true;
        st.c.write(st.buf.subarray(0, size), (e) => {
          if (e) failed = e;
          st.buf.fill(0xee); // the owner reuses its buffer once the callback ran
          st.idle = true;
        });
      }
      return progressed;
    };
    while (streams.some((st) => st.n < rounds) && failed === null) {
      if (!step()) await sleep(1);
    }
    assert.is(failed, null);
    for (let k = 0; k < streams.length; k++) {
      const want = Buffer.concat(streams[k].sent);
      assert.is(want.length, total);
      await servers[k].until(() => servers[k].bytes === want.length, `bytes of connection ${k}`);
      assert.ok(
        servers[k].data().equals(want),
        `connection ${k}: bytes changed, lost or reordered`,
      );
    }
  },
);

flow("close() right after a small write still delivers the write, then the FIN", async () => {
  const [c, s] = await tcpPair();
  const server = new Peer(s);
  await new Promise<void>((resolve, reject) =>
    c.write(Buffer.from("last words"), (e) => (e ? reject(e) : (c.close(() => {}), resolve())))
  );
  await server.until(() => server.ended || server.error !== null, "onEnd");
  assert.is(server.data().toString(), "last words");
  assert.is(server.error, null);
});

flow("shutdown() right after small writes sends them before the FIN", async () => {
  const [c, s] = await tcpPair();
  const server = new Peer(s);
  await write(c, Buffer.from("a"));
  c.write(Buffer.from("b"), () => {});
  await shutdown(c);
  await server.until(() => server.ended, "onEnd");
  assert.is(server.data().toString(), "ab");
});

flow.run();

const dials = suite("connectUnix() failures");
let tmp = "";
dials.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

dials("cancel() right after a dial to a missing path: no callback", async () => {
  tmp ||= mkdtempSync(join(tmpdir(), "omninet-bun-"));
  let called = false;
  const d = t.connectUnix(join(tmp, "absent.sock"), (_err, h) => {
    called = true;
    h?.close(() => {});
  });
  d.cancel();
  await sleep(50);
  assert.not.ok(called, "callback after cancel()");
});

dials("two failing dials each get their own ENOENT, asynchronously", async () => {
  tmp ||= mkdtempSync(join(tmpdir(), "omninet-bun-"));
  const paths = [join(tmp, "a.sock"), join(tmp, "b.sock")];
  let returned = false;
  const pending = Promise.all(
    paths.map((p) =>
      new Promise<SystemError & { sync: boolean }>((resolve) =>
        t.connectUnix(p, (err) => resolve(Object.assign(err!, { sync: !returned })))
      )
    ),
  );
  returned = true;
  const errs = await within(pending, "dial errors");
  for (let i = 0; i < 2; i++) {
    assert.not.ok(errs[i].sync, "callback ran inside connectUnix()");
    assert.is(errs[i].code, "ENOENT");
    assert.is(errs[i].address, paths[i]);
  }
});

dials.run();

const fds = suite("openFd() on descriptors that are not sockets");
let fdTmp = "";
fds.after(() => {
  if (fdTmp) rmSync(fdTmp, { recursive: true, force: true });
});

fds("a regular file is refused with ERR_INVALID_FD_TYPE, as Node does", () => {
  if (!t.openFd) {
    return assert.not.ok(currentRuntime() === "node" && t.name === "node", "Node wraps fds");
  }
  fdTmp ||= mkdtempSync(join(tmpdir(), "omninet-bun-fd-"));
  const file = join(fdTmp, "plain");
  writeFileSync(file, "not a socket");
  const fd = openSync(file, "r");
  try {
    assert.throws(
      () => t.openFd!(fd),
      (e: { code?: string }) => e instanceof TypeError && e.code === "ERR_INVALID_FD_TYPE",
    );
  } finally {
    closeSync(fd);
  }
});

/** Runs the fd-echo fixture with real pipes (not socket pairs) as stdin and stdout. */
function echoThroughPipes(input: string): Promise<{ stdout: string; stderr: string }> {
  const here = (import.meta as { url: string }).url;
  const ext = here.endsWith(".js") ? ".js" : ".ts";
  const fixture = fileURLToPath(new URL(`./fixtures/transport_ref${ext}`, here));
  const rt = currentRuntime();
  const pre = rt === "deno" ? ["run", "-A", "--quiet"] : rt === "node" ? process.execArgv : [];
  // Runtimes hand children socket pairs for "pipe"; `cat` in between makes real pipes.
  const script = 'cat | "$@" | cat';
  const argv = ["-c", script, "sh", process.execPath, ...pre, fixture, "fd-echo"];
  const child = spawn("sh", argv, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.on("error", () => {/* the child may exit before reading */});
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), GUARD_MS);
  return new Promise((resolve) =>
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    })
  );
}

fds("real pipes are echoed, or refused loudly where the runtime cannot wrap them", async () => {
  const input = "pipe bytes ".repeat(20_000);
  const r = await echoThroughPipes(input);
  if (r.stdout === "no-openFd\n") return assert.is(t.openFd, undefined);
  if (r.stdout === input) return;
  assert.is(r.stdout, "", "partial output");
  assert.ok(r.stderr.includes("ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"), r.stderr);
  assert.not.ok(currentRuntime() === "node" && t.name === "node", "node:net on Node wraps pipes");
  assert.not.ok(t.name === "bun", "the Bun adapter wraps pipes (Bun.file)");
});

fds.run();

const addrs = suite("StreamHandle addresses after the runtime let go of the socket");
addrs.after.each(closeAll);

/**
 * `first` shuts down, then `second` echoes its end and shuts down too: both
 * FINs are exchanged, so the runtime may release `first`'s socket (Bun does).
 * Only `second`'s addresses are read beforehand.
 */
async function finExchange(first: StreamHandle, second: StreamHandle) {
  const a = new Peer(first);
  const b = new Peer(second);
  const want = { local: second.remoteAddress(), remote: second.localAddress() };
  await shutdown(first);
  await b.until(() => b.ended, "onEnd on the second end");
  await write(second, Buffer.from("bye"));
  await shutdown(second);
  await a.until(() => a.ended, "onEnd on the first end");
  const atEnd = { local: first.localAddress(), remote: first.remoteAddress() };
  await sleep(50);
  return { want, atEnd, later: { local: first.localAddress(), remote: first.remoteAddress() } };
}

addrs("a dialled handle still reports both ends after a FIN exchange it started", async () => {
  const [c, s] = await tcpPair();
  const { want, atEnd, later } = await finExchange(c, s);
  assert.equal((want.remote as AddressInfo).address, "127.0.0.1");
  assert.equal(atEnd, want);
  assert.equal(later, want);
});

addrs(
  "an accepted handle still reports its local end after a FIN exchange it started",
  async () => {
    const [c, s] = await tcpPair();
    const { want, atEnd, later } = await finExchange(s, c);
    assert.equal((want.local as AddressInfo).address, "127.0.0.1");
    assert.equal(atEnd.local, want.local);
    assert.equal(later.local, want.local);
    // The peer of an accepted socket not asked for before: the kernel names it no
    // more once both FINs are out, and Node's own sockets answer `undefined`. The
    // libuv adapter (Node's handles, or Deno's tcp_wrap) asks the kernel as Node
    // does, and the Bun adapter answers as Node, with no system call unless
    // asked; the other adapters hold an end the runtime reported.
    const lazy = t.name === "libuv" || t.name === "bun";
    assert.equal(atEnd.remote, lazy ? null : want.remote);
    assert.equal(later.remote, lazy ? null : want.remote);
  },
);

addrs("an accepted handle asked for its peer before a FIN exchange keeps it", async () => {
  const [c, s] = await tcpPair();
  const peer = s.remoteAddress();
  assert.equal(peer, c.localAddress());
  const { atEnd, later } = await finExchange(s, c);
  assert.equal(atEnd.remote, peer);
  assert.equal(later.remote, peer);
});

addrs("a dialled handle still reports its peer after a FIN exchange the peer started", async () => {
  const [c, s] = await tcpPair();
  const want = {
    address: "127.0.0.1",
    family: "IPv4",
    port: (s.localAddress() as AddressInfo).port,
  };
  const local = s.remoteAddress();
  const a = new Peer(c);
  const b = new Peer(s);
  await shutdown(s);
  await a.until(() => a.ended, "onEnd on the dialled end");
  // The FIN that ends the exchange: its handle stays open (nobody closes it).
  await shutdown(c);
  await b.until(() => b.ended, "onEnd on the accepted end");
  assert.equal(c.remoteAddress(), want);
  assert.equal(c.localAddress(), local);
  await sleep(50);
  assert.equal(c.remoteAddress(), want);
  assert.equal(c.localAddress(), local);
});

addrs("a handle closed as its shutdown completes after the peer's FIN ends cleanly", async () => {
  // Node's sockets destroy themselves once both sides ended: the close follows
  // the shutdown's callback at once. The peer must read a FIN, not a reset.
  const [c, s] = await tcpPair();
  const a = new Peer(c);
  const b = new Peer(s);
  await shutdown(s);
  await a.until(() => a.ended, "onEnd on the dialled end");
  await within(
    new Promise<void>((resolve, reject) =>
      c.shutdown((e) => (e ? reject(e) : c.close(() => resolve())))
    ),
    "shutdown then close",
  );
  await b.until(() => b.ended || b.error !== null, "the accepted end hears of it");
  assert.is(b.ended, true);
  await sleep(50);
  assert.is(b.error, null);
});

// The Bun adapter defers the FIN that follows the peer's to the end of the
// shutdown callback's ticks (see Conn.shutdown); a callback that throws there
// must not keep it. Other adapters send it before calling back.
if (t.name === "bun") {
  addrs(
    "a FIN owed after the peer's still goes out when the shutdown callback throws",
    async () => {
      const [c, s] = await tcpPair();
      const a = new Peer(c);
      const b = new Peer(s);
      await shutdown(s);
      await a.until(() => a.ended, "onEnd on the dialled end");
      const boom = new Error("thrown by the shutdown callback");
      const caught: unknown[] = [];
      const onUncaught = (e: unknown) => caught.push(e);
      process.on("uncaughtException", onUncaught);
      try {
        c.shutdown(() => {
          throw boom;
        });
        await b.until(() => b.ended, "onEnd on the accepted end");
      } finally {
        process.off("uncaughtException", onUncaught);
      }
      assert.equal(caught, [boom]);
    },
  );
}

addrs.run();
