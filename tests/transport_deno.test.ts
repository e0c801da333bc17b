// Transport contract cases aimed at the Deno adapter's own machinery (read
// regions shared between connections, a read loop that parks while stopped,
// batched writev, RST from a peer closing with unread data). They talk to
// getTransport() through the Transport interface only, so every adapter must
// pass them too.
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { SystemError } from "../core/errors.ts";
import { errnoOf, warnedCodes } from "../core/errors.ts";
import process from "node:process";
import { createDenoTransport } from "../runtimes/deno/mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import type {
  AddressInfo,
  HandleEvents,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  StreamHandle,
} from "../runtimes/types.ts";
import { currentRuntime } from "./_runtime.ts";
import { closeAll, closeOne, sleep, track, untrack, within } from "./_handles.ts";

const t = getTransport();

/** Records a handle's callbacks; `until()` waits for a condition on them. */
class Peer implements HandleEvents {
  chunks: Uint8Array[] = [];
  bytes = 0;
  ended = false;
  error: SystemError | null = null;
  /** Called for each chunk after it is recorded. */
  onChunk: ((chunk: Uint8Array) => void) | null = null;
  #waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  readonly h: StreamHandle;

  constructor(h: StreamHandle, start = true) {
    this.h = h;
    h.attach(this);
    if (start) h.readStart();
  }
  onData = (chunk: Uint8Array): void => {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.onChunk?.(chunk);
    this.#wake();
  };
  onEnd = (): void => {
    this.ended = true;
    this.#wake();
  };
  onError = (err: SystemError): void => {
    this.error = err;
    this.#wake();
  };
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.#waiters.push({ check, resolve })), what);
  }
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.h.write(bytes, (e) => (e ? reject(e) : resolve()))
    );
  }
  writev(chunks: Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.h.writev(chunks, (e) => (e ? reject(e) : resolve()))
    );
  }
  shutdown(): Promise<void> {
    return within(
      new Promise((resolve, reject) => this.h.shutdown((e) => (e ? reject(e) : resolve()))),
      "shutdown callback",
    );
  }
  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
  }
}

/** A listener with a queue of accepted handles. */
interface Accepting {
  listener: ListenerHandle;
  accept(): Promise<StreamHandle>;
}

/** Starts a listener through `start` and queues what it accepts. */
async function accepting(
  start: (events: ListenerEvents, cb: ListenCallback) => void,
): Promise<Accepting> {
  const queue: StreamHandle[] = [];
  const waiting: Array<(h: StreamHandle) => void> = [];
  const events: ListenerEvents = {
    onConnection(h) {
      track(h);
      const w = waiting.shift();
      if (w) w(h);
      else queue.push(h);
    },
    onError() {},
  };
  const listener = await within(
    new Promise<ListenerHandle>((resolve, reject) => {
      start(events, (err, l) => (err || !l ? reject(err) : resolve(track(l))));
    }),
    "listen callback",
  );
  return {
    listener,
    accept: () => {
      const h = queue.shift();
      if (h) return Promise.resolve(h);
      return within(new Promise<StreamHandle>((r) => waiting.push(r)), "an accepted connection");
    },
  };
}

/** A TCP listener on 127.0.0.1 with a queue of accepted handles. */
async function listen(): Promise<Accepting & { port: number }> {
  const l = await accepting((events, cb) =>
    t.listenTcp(
      { address: "127.0.0.1", port: 0, backlog: 511, ipv6Only: false, reusePort: false },
      events,
      cb,
    )
  );
  return { ...l, port: (l.listener.address() as AddressInfo).port };
}

/** A Unix listener at `path` with a queue of accepted handles. */
function listenUnix(path: string): Promise<Accepting> {
  return accepting((events, cb) => t.listenUnix({ path, backlog: 511 }, events, cb));
}

function dialUnix(path: string): Promise<StreamHandle> {
  return within(
    new Promise<StreamHandle>((resolve, reject) => {
      t.connectUnix(path, (err, h) => (err || !h ? reject(err) : resolve(track(h))));
    }),
    "connectUnix callback",
  );
}

async function tcpPair(): Promise<[StreamHandle, StreamHandle]> {
  const l = await listen();
  const c = await within(
    new Promise<StreamHandle>((resolve, reject) => {
      t.connectTcp({ address: "127.0.0.1", port: l.port, family: 4 }, (err, h) => {
        if (err || !h) return reject(err);
        resolve(track(h));
      });
    }),
    "connect callback",
  );
  return [c, await l.accept()];
}

/** `n` bytes of a pattern that differs per `seed`, so misplaced bytes show. */
function pattern(seed: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

// ---------------------------------------------------------------- reads

const reads = suite("StreamHandle reads");
reads.after.each(closeAll);

reads("chunks handed out earlier are never overwritten by later reads", async () => {
  // Several connections read at once, in sizes that vary, and every chunk is
  // kept until the end: an adapter that reuses a read buffer corrupts them.
  const pairs = await Promise.all([0, 1, 2, 3].map(() => tcpPair()));
  const size = 512 * 1024;
  const sent = pairs.map((_, i) => pattern(i + 1, size));
  const readers = pairs.map(([, s]) => new Peer(s));
  const writers = pairs.map(([c]) => new Peer(c, false));
  await Promise.all(writers.map(async (w, i) => {
    // Small and large writes mixed, so reads come back in many sizes.
    for (let off = 0, step = 1; off < size; step = (step * 7) % 70_001 + 1) {
      const end = Math.min(size, off + step);
      await w.write(sent[i].subarray(off, end));
      off = end;
    }
    await w.shutdown();
  }));
  await Promise.all(readers.map((r) => r.until(() => r.ended, "all bytes and EOF")));
  readers.forEach((r, i) => assert.ok(r.data().equals(sent[i]), `connection ${i} bytes differ`));
});

reads("connections that come and go around a long one keep every connection's bytes", async () => {
  // Short connections that read only EOF free their read regions out of
  // order; an adapter that hands such a region out again while it is still
  // in use, or hands out a region holding live bytes, corrupts some stream.
  const l = await listen();
  const dial = () =>
    within(
      new Promise<StreamHandle>((resolve, reject) => {
        t.connectTcp({ address: "127.0.0.1", port: l.port, family: 4 }, (err, h) => {
          if (err || !h) return reject(err);
          resolve(track(h));
        });
      }),
      "connect callback",
    );
  const pairOn = async (): Promise<[StreamHandle, StreamHandle]> => {
    const c = await dial();
    return [c, await l.accept()];
  };
  const [lc, ls] = await pairOn();
  const longReader = new Peer(ls);
  const longWriter = new Peer(lc, false);
  const longSent = pattern(5, 6 * 40_000);
  for (let round = 0; round < 6; round++) {
    const pairs: Array<[StreamHandle, StreamHandle]> = [];
    for (let i = 0; i < 5; i++) pairs.push(await pairOn());
    const quiet = pairs.map(([c, s]) => [new Peer(c), new Peer(s)]);
    // Odd rounds carry a payload on the short connections too.
    const payloads = pairs.map((_, i) => pattern(round * 10 + i, round % 2 ? 3_000 : 0));
    await longWriter.write(longSent.subarray(round * 40_000, (round + 1) * 40_000));
    await Promise.all(quiet.map(async ([c], i) => {
      if (payloads[i].length) await c.write(payloads[i]);
      await c.shutdown();
    }));
    await Promise.all(quiet.map(([, s]) => s.until(() => s.ended, "short connection EOF")));
    quiet.forEach(([, s], i) => assert.ok(s.data().equals(payloads[i]), `round ${round} #${i}`));
    await Promise.all(pairs.flat().map(closeOne));
  }
  await longWriter.shutdown();
  await longReader.until(() => longReader.ended, "long connection EOF");
  assert.ok(longReader.data().equals(longSent), "long connection bytes differ");
});

reads("a reader that stops after every chunk still gets every byte in order", async () => {
  const [c, s] = await tcpPair();
  const reader = new Peer(s);
  reader.onChunk = () => {
    s.readStop();
    setTimeout(() => s.readStart(), 0);
  };
  const sent = pattern(9, 300_000);
  const writer = new Peer(c, false);
  await writer.write(sent);
  await writer.shutdown();
  await reader.until(() => reader.ended, "EOF");
  assert.ok(reader.data().equals(sent));
});

reads("EOF that arrives while stopped waits for readStart()", async () => {
  const [c, s] = await tcpPair();
  const reader = new Peer(s);
  const writer = new Peer(c, false);
  await writer.write(Buffer.from("first"));
  await reader.until(() => reader.bytes === 5, "first chunk");
  s.readStop();
  await writer.write(Buffer.from("second"));
  await writer.shutdown();
  await sleep(100);
  assert.is(reader.bytes, 5, "data delivered while stopped");
  assert.not.ok(reader.ended, "onEnd while stopped");
  s.readStart();
  await reader.until(() => reader.ended, "EOF after readStart()");
  assert.is(reader.data().toString("latin1"), "firstsecond");
});

reads("close() while stopped calls back once and nothing else fires", async () => {
  const [c, s] = await tcpPair();
  const reader = new Peer(s);
  const writer = new Peer(c, false);
  await writer.write(Buffer.from("x"));
  await reader.until(() => reader.bytes === 1, "a chunk");
  s.readStop();
  await writer.write(Buffer.from("held"));
  await sleep(50);
  let calls = 0;
  untrack(s);
  await within(new Promise<void>((r) => s.close(() => (calls++, r()))), "close callback");
  s.readStart();
  await sleep(50);
  assert.is(calls, 1);
  assert.is(reader.bytes, 1, "data after close()");
  assert.not.ok(reader.ended || reader.error, "onEnd/onError after close()");
});

reads.run();

// ---------------------------------------------------------------- writes and errors

const writes = suite("StreamHandle writev() and peer errors");
writes.after.each(closeAll);

writes("writev() with many tiny chunks around large ones keeps every byte in order", async () => {
  const [c, s] = await tcpPair();
  const reader = new Peer(s);
  const writer = new Peer(c, false);
  const chunks: Buffer[] = [];
  for (let i = 0; i < 2000; i++) {
    chunks.push(i % 500 === 0 ? pattern(i, 100_000) : pattern(i, 1 + (i % 37)));
  }
  chunks.push(Buffer.alloc(0));
  const sent = Buffer.concat(chunks);
  await writer.writev(chunks);
  await writer.shutdown();
  await reader.until(() => reader.ended, "EOF");
  assert.ok(reader.data().equals(sent));
});

writes("a peer closing with unread data makes the reader see read ECONNRESET", async () => {
  // Linux answers a close() with unread bytes in the receive queue with a RST.
  // The server never reads, and 1 MiB is more than the one read an adapter may
  // buffer, so bytes are surely left in the kernel when it closes.
  const [c, s] = await tcpPair();
  const client = new Peer(c);
  await client.write(pattern(3, 1024 * 1024));
  await sleep(50);
  await closeOne(s);
  await client.until(() => client.error !== null || client.ended, "the reset");
  const err = client.error!;
  assert.ok(err, "the client saw EOF instead of a reset");
  assert.is(err.code, "ECONNRESET");
  assert.is(err.errno, errnoOf("ECONNRESET"));
  assert.is(err.syscall, "read");
  assert.is(err.message, "read ECONNRESET");
});

writes(
  "a peer's plain close() is EOF, and the connection can still be written to once",
  async () => {
    // Telling a reset from EOF must not turn an orderly close into an error.
    const [c, s] = await tcpPair();
    const client = new Peer(c);
    await closeOne(s);
    await client.until(() => client.ended || client.error !== null, "EOF");
    assert.ok(client.ended);
    assert.is(client.error, null);
    await client.write(Buffer.from("x"));
  },
);

writes("a Unix peer's close() is EOF, not an error", async () => {
  // Telling a TCP reset from EOF must leave Unix sockets alone: there a send
  // after the peer's close fails even when the close was orderly.
  const dir = mkdtempSync(join(tmpdir(), "omninet-deno-"));
  try {
    const path = join(dir, "eof.sock");
    const l = await listenUnix(path);
    const client = new Peer(await dialUnix(path));
    const server = new Peer(await l.accept());
    await client.write(Buffer.from("read by the server"));
    await server.until(() => server.bytes === 18, "the bytes");
    await closeOne(server.h);
    await client.until(() => client.ended || client.error !== null, "the peer's close");
    assert.ok(client.ended, "an error instead of EOF");
    assert.is(client.error, null);
    await closeOne(client.h);
    await closeOne(l.listener);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

writes.run();

// ---------------------------------------------------------------- listeners

const listeners = suite("ListenerHandle close()");
listeners.after.each(closeAll);

listeners("the port can be listened on again as soon as close() calls back", async () => {
  // The close must wait for the pending accept to be released, not just ask.
  const first = await listen();
  const again = await within(
    new Promise<ListenerHandle>((resolve, reject) => {
      first.listener.close(() => {
        untrack(first.listener);
        t.listenTcp(
          {
            address: "127.0.0.1",
            port: first.port,
            backlog: 511,
            ipv6Only: false,
            reusePort: false,
          },
          { onConnection: (h) => h.close(() => {}), onError() {} },
          (err, l) => (err || !l ? reject(err) : resolve(track(l))),
        );
      });
    }),
    "listen on the same port",
  );
  assert.is((again.address() as AddressInfo).port, first.port);
});

listeners.run();

// ---------------------------------------------------------------- factory

const factory = suite("createDenoTransport()");

factory("builds the Deno adapter on Deno and fails loudly elsewhere", () => {
  if (currentRuntime() === "deno") {
    const deno = createDenoTransport();
    assert.is(deno.name, "deno");
    assert.is(deno.features.localBind, false);
    assert.is(deno.features.keepAliveDelay, false);
    return;
  }
  try {
    createDenoTransport();
  } catch (err) {
    assert.is((err as { code?: string }).code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
    return;
  }
  assert.unreachable("createDenoTransport() worked without a Deno global");
});

factory.run();

// ---------------------------------------------------------------------------

const keepAlive = suite("StreamHandle setKeepAlive() delay");

keepAlive("a delay the transport cannot set is reported as a process warning", async () => {
  const code = "OMNINET_KEEPALIVE_DELAY_IGNORED";
  const seen: string[] = [];
  const onWarning = (w: Error & { code?: string }) => seen.push(String(w.code));
  process.on("warning", onWarning);
  try {
    const [a] = await tcpPair();
    a.setKeepAlive(true, 5000);
    await new Promise((r) => setTimeout(r, 10));
    if (getTransport().features.keepAliveDelay) assert.not.ok(warnedCodes().has(code));
    else {
      assert.ok(warnedCodes().has(code), "the warning was not emitted");
      assert.equal(seen, [code]);
    }
  } finally {
    process.off("warning", onWarning);
    await closeAll();
  }
});

keepAlive.run();
