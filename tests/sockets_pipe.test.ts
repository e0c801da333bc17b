// readable.pipeTo(writable) between two omninet sockets: the direct
// handle-to-handle route, checked against what the Streams standard says
// pipeTo does (locks, options, error propagation both ways, backpressure).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { setImmediate } from "node:timers";
import {
  connect,
  listen,
  type Listener,
  type Socket,
  SocketError,
  toNetSocket,
} from "../sockets.ts";
import { pipeStats } from "../sockets/pipe_stats.ts";
import { internalsOf, makeSocket } from "../sockets/socket.ts";
import type { HandleEvents, StreamHandle } from "../runtimes/types.ts";

const MiB = 1024 * 1024;

/** Byte `offset` of the test pattern. */
function pattern(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}

/** Reads `n` bytes from `reader`; `null` when the stream ends first. */
async function readBytes(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  n: number,
): Promise<Uint8Array | null> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) return null;
    out.set(value.subarray(0, n - got), got);
    got += value.byteLength;
  }
  return out;
}

const text = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** A listener and `count` client/server pairs connected through it. */
async function pairs(
  count: number,
  allowHalfOpen = false,
  listener?: Listener,
): Promise<{ pairs: Array<[Socket, Socket]>; server: Listener }> {
  const server = listener ?? await listen({ hostname: "127.0.0.1", port: 0 }, { allowHalfOpen });
  const port = (server.addr as { port: number }).port;
  const out: Array<[Socket, Socket]> = [];
  for (let i = 0; i < count; i++) {
    const client = connect({ hostname: "127.0.0.1", port }, { allowHalfOpen });
    const accepted = (await server.accept())!;
    await client.opened;
    await accepted.opened;
    out.push([client, accepted]);
  }
  return { pairs: out, server };
}

async function closeAll(server: Listener | null, sockets: Socket[]): Promise<void> {
  // One at a time, each close started from the previous one's `closed`: on Deno
  // this is what once hung (a close callback held back until the event loop woke).
  for (const s of sockets.reverse()) await s.close();
  await server?.close();
}

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => {
    throw new Error("expected a rejection");
  }, (err) => err);
}

/** A StreamHandle double: records writes; `events` lets a test deliver reads. */
class FakeHandle implements StreamHandle {
  events: HandleEvents | null = null;
  reading = false;
  writes: Uint8Array[][] = [];
  closed = false;
  attach(events: HandleEvents): void {
    this.events = events;
  }
  readStart(): void {
    this.reading = true;
  }
  readStop(): void {
    this.reading = false;
  }
  write(chunk: Uint8Array, cb: (err?: null) => void): void {
    this.writev([chunk], cb);
  }
  writev(chunks: Uint8Array[], cb: (err?: null) => void): void {
    this.writes.push(chunks.map((c) => new Uint8Array(c)));
    cb(null);
  }
  shutdown(cb: (err?: null) => void): void {
    queueMicrotask(() => cb(null));
  }
  close(cb: () => void): void {
    this.closed = true;
    queueMicrotask(cb);
  }
  setNoDelay(): void {}
  setKeepAlive(): void {}
  ref(): void {}
  unref(): void {}
  localAddress(): null {
    return null;
  }
  remoteAddress(): null {
    return null;
  }
}

/** Whether this runtime's ReadableStream has byte streams. */
function byteStreams(): boolean {
  try {
    new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

/** A socket open on a FakeHandle. */
function fakeSocket(): { socket: Socket; handle: FakeHandle } {
  const socket = makeSocket({ secureTransport: "off", allowHalfOpen: true });
  const handle = new FakeHandle();
  internalsOf(socket).open(handle);
  return { socket, handle };
}

/** `parts` contiguous parts of one 4 KiB read buffer holding pattern(0, 4096). */
function partsOfOneRead(parts: number): Uint8Array[] {
  const whole = pattern(0, 4096);
  const size = 4096 / parts;
  return Array.from({ length: parts }, (_, i) => whole.subarray(i * size, (i + 1) * size));
}

const pipe = suite("sockets pipeTo between sockets");

pipe("echo of 32 MiB through the direct route, every byte checked", async () => {
  const { pairs: [[client, s]], server } = await pairs(1);
  try {
    const before = pipeStats.direct;
    const piped = s.readable.pipeTo(s.writable);
    assert.is(pipeStats.direct, before + 1);
    const total = 32 * MiB;
    const chunk = 64 * 1024;
    const writing = (async () => {
      const writer = client.writable.getWriter();
      for (let off = 0; off < total; off += chunk) await writer.write(pattern(off, chunk));
      await writer.close();
    })();
    let received = 0;
    let mismatch = -1;
    for await (const part of client.readable) {
      for (let i = 0; i < part.length && mismatch < 0; i++) {
        if (part[i] !== (received + i) % 251) mismatch = received + i;
      }
      received += part.length;
    }
    await writing;
    assert.is(mismatch, -1);
    assert.is(received, total);
    assert.is(await piped, undefined);
    await client.closed;
    await s.closed;
  } finally {
    await closeAll(server, [client, s]);
  }
});

pipe("a proxy (two sockets piped both ways) carries the bytes each way", async () => {
  // Half-open, as a proxy must be: without it sa's writable closes on a's FIN
  // (the draft's rule), racing b's own close() below.
  const { pairs: [[a, sa], [b, sb]], server } = await pairs(2, true);
  try {
    const before = pipeStats.direct;
    const p1 = sa.readable.pipeTo(sb.writable);
    const p2 = sb.readable.pipeTo(sa.writable);
    assert.is(pipeStats.direct, before + 2);
    const aw = a.writable.getWriter();
    const bw = b.writable.getWriter();
    const ar = a.readable.getReader();
    const br = b.readable.getReader();
    await aw.write(pattern(0, 300_000));
    assert.equal(await readBytes(br, 300_000), pattern(0, 300_000));
    await bw.write(bytes("pong"));
    assert.is(text(await readBytes(ar, 4)), "pong");
    // a's FIN ends sa's readable: the pipe closes sb's writable, so b reads the end.
    await aw.close();
    assert.is(await p1, undefined);
    assert.is((await br.read()).done, true);
    await bw.close();
    assert.is(await p2, undefined);
    assert.is((await ar.read()).done, true);
  } finally {
    await closeAll(server, [a, sa, b, sb]);
  }
});

pipe("both streams are locked while piping and released after", async () => {
  const { pairs: [[client, s]], server } = await pairs(1);
  try {
    const piped = s.readable.pipeTo(s.writable, { preventClose: true });
    assert.is(s.readable.locked, true);
    assert.is(s.writable.locked, true);
    assert.throws(() => s.readable.getReader(), (e: unknown) => e instanceof TypeError);
    assert.throws(() => s.writable.getWriter(), (e: unknown) => e instanceof TypeError);
    const err = await rejection(s.readable.pipeTo(s.writable));
    assert.instance(err, TypeError);
    await client.writable.getWriter().close();
    await piped;
    assert.is(s.readable.locked, false);
    assert.is(s.writable.locked, false);
  } finally {
    await closeAll(server, [client, s]);
  }
});

pipe("chunks already queued in the readable are delivered first, in order", async () => {
  const { pairs: [[client, s]], server } = await pairs(1);
  try {
    const cw = client.writable.getWriter();
    const cr = client.readable.getReader();
    const sr = s.readable.getReader();
    await cw.write(bytes("one"));
    assert.is(text(await readBytes(sr, 3)), "one"); // the readable is pulling now
    await cw.write(bytes("two"));
    await cw.write(bytes("three"));
    sr.releaseLock();
    const piped = s.readable.pipeTo(s.writable);
    await cw.write(bytes("four"));
    assert.is(text(await readBytes(cr, 12)), "twothreefour");
    await cw.close();
    await piped;
    assert.is((await cr.read()).done, true);
  } finally {
    await closeAll(server, [client, s]);
  }
});

pipe("writes already queued in the writable go out before the piped bytes", async () => {
  const { pairs: [[client, s]], server } = await pairs(1);
  try {
    const sw = s.writable.getWriter();
    const queued = [sw.write(bytes("A")), sw.write(bytes("B"))];
    sw.releaseLock();
    const piped = s.readable.pipeTo(s.writable);
    const cw = client.writable.getWriter();
    await cw.write(bytes("C"));
    const cr = client.readable.getReader();
    assert.is(text(await readBytes(cr, 3)), "ABC");
    await Promise.all(queued);
    await cw.close();
    await piped;
  } finally {
    await closeAll(server, [client, s]);
  }
});

pipe("the source's end closes the destination; preventClose leaves it writable", async () => {
  const { pairs: [[a, sa], [b, sb]], server } = await pairs(2, true);
  try {
    const p1 = sa.readable.pipeTo(sb.writable, { preventClose: true });
    const aw = a.writable.getWriter();
    await aw.write(bytes("data"));
    await aw.close();
    assert.is(await p1, undefined);
    // sb's writable is still open: write more, then close it ourselves.
    const sw = sb.writable.getWriter();
    await sw.write(bytes("+more"));
    const br = b.readable.getReader();
    assert.is(text(await readBytes(br, 9)), "data+more");
    await sw.close();
    assert.is((await br.read()).done, true);
    // Without preventClose, the end of the source sends FIN on the destination.
    const p2 = sb.readable.pipeTo(sa.writable);
    await b.writable.getWriter().close();
    assert.is(await p2, undefined);
    assert.is((await a.readable.getReader().read()).done, true);
  } finally {
    await closeAll(server, [a, sa, b, sb]);
  }
});

pipe("a source error aborts the destination (preventAbort keeps it)", async () => {
  // Half-open, so that b answers the end it reads with no FIN of its own: sb's readable must
  // not end before sb.close(reason) below, however long the first close takes.
  const { pairs: [[a, sa], [b, sb], [c, sc]], server } = await pairs(3, true);
  try {
    const reason = new Error("source failed");
    const p1 = sa.readable.pipeTo(sb.writable);
    await sa.close(reason);
    assert.is(await rejection(p1), reason);
    assert.is(await rejection(sb.writable.getWriter().closed), reason);
    // The abort half-closes sb: b reads the end of the stream.
    assert.is((await b.readable.getReader().read()).done, true);

    const p3 = sb.readable.pipeTo(sc.writable, { preventAbort: true });
    await sb.close(reason);
    assert.is(await rejection(p3), reason);
    assert.is(sc.writable.locked, false);
    const w = sc.writable.getWriter();
    await w.write(bytes("still open"));
    assert.is(text(await readBytes(c.readable.getReader(), 10)), "still open");
    w.releaseLock();
    void a;
  } finally {
    await closeAll(server, [a, sa, b, sb, c, sc]);
  }
});

pipe("a destination error cancels the source (preventCancel keeps it)", async () => {
  const { pairs: [[a, sa], [b, sb], [c, sc]], server } = await pairs(3);
  try {
    const reason = new Error("destination failed");
    const p1 = sa.readable.pipeTo(sb.writable);
    await sb.close(reason);
    assert.is(await rejection(p1), reason);
    // sa's readable was cancelled: it reads as ended.
    assert.is((await sa.readable.getReader().read()).done, true);

    const p2 = sc.readable.pipeTo(sb.writable, { preventCancel: true });
    assert.is(pipeStats.standard > 0, true);
    assert.is(await rejection(p2), reason); // sb is closed: the standard route says so too
    const p3 = sc.readable.pipeTo(sa.writable, { preventCancel: true });
    await sa.close(reason);
    assert.is(await rejection(p3), reason);
    assert.is(sc.readable.locked, false);
    await c.writable.getWriter().write(bytes("later"));
    assert.is(text(await readBytes(sc.readable.getReader(), 5)), "later");
    void a;
    void b;
  } finally {
    await closeAll(server, [a, sa, b, sb, c, sc]);
  }
});

pipe("an abort signal ends the pipe with its reason, honouring preventAbort/Cancel", async () => {
  const { pairs: [[a, sa], [b, sb]], server } = await pairs(2);
  try {
    const reason = new Error("stop");
    const ctl = new AbortController();
    const p1 = sa.readable.pipeTo(sb.writable, {
      signal: ctl.signal,
      preventAbort: true,
      preventCancel: true,
    });
    const aw = a.writable.getWriter();
    await aw.write(bytes("before"));
    const br = b.readable.getReader();
    assert.is(text(await readBytes(br, 6)), "before");
    ctl.abort(reason);
    assert.is(await rejection(p1), reason);
    // Both streams unlocked and still usable.
    await aw.write(bytes("after"));
    assert.is(text(await readBytes(sa.readable.getReader(), 5)), "after");
    const sw = sb.writable.getWriter();
    await sw.write(bytes("x"));
    assert.is(text(await readBytes(br, 1)), "x");
    sw.releaseLock();

    // Without the prevent options the destination is aborted and the source cancelled.
    const { pairs: [[c, sc]], server: server2 } = await pairs(1);
    try {
      const ctl2 = new AbortController();
      const p2 = sc.readable.pipeTo(sb.writable, { signal: ctl2.signal });
      ctl2.abort(reason);
      assert.is(await rejection(p2), reason);
      assert.is(await rejection(sb.writable.getWriter().closed), reason);
      const scr = sc.readable.getReader();
      assert.is((await scr.read()).done, true);
      scr.releaseLock();
      assert.is((await br.read()).done, true);
      // An already aborted signal: the standard route, the same outcome.
      const standard = pipeStats.standard;
      assert.is(await rejection(sc.readable.pipeTo(sa.writable, { signal: ctl2.signal })), reason);
      assert.is(pipeStats.standard, standard + 1);
    } finally {
      await closeAll(server2, [c, sc]);
    }
  } finally {
    await closeAll(server, [a, sa, b, sb]);
  }
});

pipe("a far end that does not read stops the source's reads (bounded queue)", async () => {
  const { pairs: [[a, sa], [b, sb]], server } = await pairs(2);
  try {
    const pauses = pipeStats.pauses;
    pipeStats.maxQueued = 0;
    const piped = sa.readable.pipeTo(sb.writable);
    const total = 16 * MiB;
    const chunk = 64 * 1024;
    const writing = (async () => {
      const w = a.writable.getWriter();
      for (let off = 0; off < total; off += chunk) await w.write(pattern(off, chunk));
      await w.close();
    })();
    // b reads slowly: a macrotask between reads.
    const br = b.readable.getReader();
    let got = 0;
    let mismatch = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1));
      const { value, done } = await br.read();
      if (done) break;
      for (let i = 0; i < value.length && mismatch < 0; i++) {
        if (value[i] !== (got + i) % 251) mismatch = got + i;
      }
      got += value.length;
    }
    await writing;
    await piped;
    assert.is(mismatch, -1);
    assert.is(got, total);
    assert.ok(pipeStats.pauses > pauses, "the pipe stopped its source's reads");
    assert.ok(pipeStats.maxQueued <= 1024 * 1024, `queue reached ${pipeStats.maxQueued}`);
  } finally {
    await closeAll(server, [a, sa, b, sb]);
  }
});

pipe("other destinations take the standard pipeTo", async () => {
  const { pairs: [[client, s]], server } = await pairs(1);
  try {
    const standard = pipeStats.standard;
    const parts: Uint8Array[] = [];
    const piped = s.readable.pipeTo(new WritableStream({ write: (c) => void parts.push(c) }));
    assert.is(pipeStats.standard, standard + 1);
    const w = client.writable.getWriter();
    await w.write(bytes("hello"));
    await w.close();
    await piped;
    assert.is(text(new Uint8Array(parts.flatMap((p) => [...p]))), "hello");
  } finally {
    await closeAll(server, [client, s]);
  }
});

/** What a pipe promise did: "resolved", or the rejection's class, code and identity. */
async function outcome(p: Promise<void>, reason: unknown): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    if (e === reason) return "rejected with the reason";
    const err = e as { name?: string; code?: string };
    return `rejected: ${err.name} ${err.code ?? ""}`;
  }
}

pipe("echo endings match the standard pipeTo (close(), close(reason), FIN)", async () => {
  const standardPipe = ReadableStream.prototype.pipeTo;
  const endings: Array<[string, (client: Socket, s: Socket, reason: Error) => Promise<unknown>]> = [
    ["close()", (_c, s) => s.close()],
    ["close(reason)", (_c, s, reason) => s.close(reason)],
    ["peer FIN", (c) => c.writable.getWriter().close()],
    ["peer close()", (c) => c.close()],
  ];
  for (const [name, end] of endings) {
    const results: string[] = [];
    for (const direct of [true, false]) {
      const { pairs: [[client, s]], server } = await pairs(1);
      try {
        const reason = new Error(name);
        const piped = direct
          ? s.readable.pipeTo(s.writable)
          : standardPipe.call(s.readable, s.writable) as Promise<void>;
        const w = client.writable.getWriter();
        await w.write(bytes("ping"));
        const r = client.readable.getReader();
        assert.is(text(await readBytes(r, 4)), "ping");
        w.releaseLock();
        r.releaseLock();
        const settled = outcome(piped, reason);
        await end(client, s, reason);
        results.push(await settled);
        await s.closed.catch(() => {});
        assert.is(s.readable.locked, false);
        assert.is(s.writable.locked, false);
      } finally {
        await closeAll(server, [client, s]);
      }
    }
    assert.is(results[0], results[1], name);
  }
});

pipe("toNetSocket() on either end of a pipe: same outcome as the standard pipe", async () => {
  const standardPipe = ReadableStream.prototype.pipeTo;
  const listener = await listen({ hostname: "127.0.0.1", port: 0 });
  try {
    for (const moved of ["source", "destination"]) {
      const results: string[] = [];
      for (const direct of [true, false]) {
        const { pairs: [[a, sa], [b, sb]] } = await pairs(2, false, listener);
        try {
          const piped = direct
            ? sa.readable.pipeTo(sb.writable)
            : standardPipe.call(sa.readable, sb.writable) as Promise<void>;
          const settled = outcome(piped, null);
          const aw = a.writable.getWriter();
          await aw.write(bytes("abc"));
          const br = b.readable.getReader();
          assert.is(text(await readBytes(br, 3)), "abc");
          // The moved socket's connection goes on in a net.Socket.
          const net = await toNetSocket(moved === "source" ? sa : sb);
          results.push(await settled);
          if (moved === "destination") {
            await new Promise<void>((r) => net.write("from net", () => r()));
            assert.is(text(await readBytes(br, 8)), "from net");
          } else {
            const got = new Promise<string>((r) => net.once("data", (d) => r(String(d))));
            net.resume();
            await aw.write(bytes("to net"));
            assert.is(await got, "to net");
          }
          net.destroy();
        } finally {
          await closeAll(null, [a, sa, b, sb]);
        }
      }
      assert.is(results[0], results[1], moved);
    }
  } finally {
    await listener.close();
  }
});

/** Checks `value` against the pattern from `offset`; the first wrong offset, or -1. */
function mismatchAt(value: Uint8Array, offset: number): number {
  for (let i = 0; i < value.length; i++) if (value[i] !== (offset + i) % 251) return offset + i;
  return -1;
}

pipe(
  "a pipe stopped mid-transfer hands the source on with no byte lost, doubled or misplaced",
  async () => {
    const total = 24 * MiB;
    const chunk = 64 * 1024;
    for (const next of ["reader", "toNetSocket"]) {
      const { pairs: [[a, sa], [b, sb]], server } = await pairs(2, true);
      try {
        const ctl = new AbortController();
        const reason = new Error("stop");
        const piped = sa.readable.pipeTo(sb.writable, {
          signal: ctl.signal,
          preventAbort: true,
          preventCancel: true,
        });
        const writing = (async () => {
          const w = a.writable.getWriter();
          for (let off = 0; off < total; off += chunk) await w.write(pattern(off, chunk));
          await w.close();
        })();
        // b, the old owner's far end, reads all along (a pipe that stops waits for its write in
        // flight); it stops the pipe while bytes are still streaming in.
        const br = b.readable.getReader();
        let viaPipe = 0;
        let bad = -1;
        const readingB = (async () => {
          for (;;) {
            const { value, done } = await br.read();
            if (done) break;
            if (bad < 0) bad = mismatchAt(value, viaPipe);
            viaPipe += value.length;
            if (viaPipe >= 2 * MiB && !ctl.signal.aborted) ctl.abort(reason);
          }
        })();
        assert.is(await rejection(piped), reason);
        // Everything the pipe read was written before it settled: b's end gets its FIN now.
        await sb.writable.close();
        await readingB;
        assert.is(bad, -1, "bytes through the pipe");
        assert.ok(viaPipe < total, `the pipe stopped early (${viaPipe} of ${total})`);
        // The rest comes from sa's readable (what it queued), then from its next owner.
        let rest = viaPipe;
        const take = (value: Uint8Array) => {
          if (bad < 0) bad = mismatchAt(value, rest);
          rest += value.length;
        };
        if (next === "reader") {
          const r = sa.readable.getReader();
          for (;;) {
            const { value, done } = await r.read();
            if (done) break;
            take(value);
          }
        } else {
          const netSocket = toNetSocket(sa);
          // Bytes the readable queued before the hand-over are still its own to read.
          const r = sa.readable.getReader();
          for (;;) {
            const { value, done } = await r.read();
            if (done) break;
            take(value);
          }
          const net = await netSocket;
          await new Promise<void>((resolve, reject) => {
            net.on("data", (d: Uint8Array) => take(d));
            net.once("end", () => resolve());
            net.once("error", reject);
            net.resume();
          });
          net.destroy();
        }
        await writing;
        assert.is(bad, -1, `bytes after the hand-over (${next})`);
        assert.is(rest, total, next);
      } finally {
        await closeAll(server, [a, sa, b, sb]);
      }
    }
  },
);

pipe("writes the handle takes at once let the event loop come round every 256 KiB", async () => {
  const { socket, handle } = fakeSocket();
  const w = socket.writable.getWriter();
  const chunk = 64 * 1024;
  let written = 0;
  const turns: number[] = [];
  const watch = () => {
    turns.push(written);
    if (written < 4 * MiB) setImmediate(watch);
  };
  setImmediate(watch);
  for (; written < 4 * MiB; written += chunk) await w.write(pattern(written, chunk));
  // Every write went to the handle whole and in order.
  assert.is(handle.writes.length, 64);
  for (let i = 0; i < 64; i++) assert.equal(handle.writes[i][0], pattern(i * chunk, chunk));
  // The event loop came round while the writer was going (each write was taken at once,
  // so without these turns the writer would have run to the end in microtasks).
  assert.ok(turns.length >= 8, `turns: ${turns.join(",")}`);
  for (let i = 1; i < turns.length; i++) {
    assert.ok(turns[i] - turns[i - 1] <= 256 * 1024, `turns: ${turns.join(",")}`);
  }
  w.releaseLock();
  await socket.close();
});

pipe("a write the handle fails at once rejects with a SocketError", async () => {
  const { socket, handle } = fakeSocket();
  const failure = Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 });
  handle.writev = (_chunks, cb) => (cb as (err: unknown) => void)(failure);
  const w = socket.writable.getWriter();
  const err = await rejection(w.write(bytes("x")));
  assert.instance(err, SocketError);
  assert.instance(await rejection(w.closed), SocketError);
  w.releaseLock();
  await socket.close();
});

pipe("a direct pipe writes a read's own buffer at once, in order with queued parts", async () => {
  const src = fakeSocket();
  const dest = fakeSocket();
  const piped = src.socket.readable.pipeTo(dest.socket.writable);
  // A read that owns its whole buffer goes out before any microtask runs.
  src.handle.events!._onHandleData(pattern(0, 1024));
  assert.is(dest.handle.writes.length, 1);
  assert.equal(dest.handle.writes[0][0], pattern(0, 1024));
  // Parts of a bigger buffer wait for the microtask after them, and a whole read after
  // them waits its turn behind them.
  const whole = pattern(1024, 3072);
  src.handle.events!._onHandleData(whole.subarray(0, 1024));
  src.handle.events!._onHandleData(whole.subarray(1024, 2048));
  src.handle.events!._onHandleData(pattern(3072, 1024));
  assert.is(dest.handle.writes.length, 1);
  await Promise.resolve();
  await Promise.resolve();
  const sent = dest.handle.writes.slice(1).flat();
  const joined = new Uint8Array(sent.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of sent) {
    joined.set(c, at);
    at += c.length;
  }
  assert.equal(joined, pattern(1024, 3072));
  src.handle.events!._onHandleEnd();
  await piped;
  await src.socket.close();
  await dest.socket.close();
});

pipe("parts of one read buffer reach a reader whole, in order, before the end", async () => {
  const { socket, handle } = fakeSocket();
  const reader = socket.readable.getReader();
  const first = reader.read();
  await Promise.resolve();
  for (const part of partsOfOneRead(4)) handle.events!._onHandleData(part);
  handle.events!._onHandleData(bytes("next read")); // a buffer of its own
  handle.events!._onHandleEnd();
  const got: Uint8Array[] = [(await first).value!];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    got.push(value);
  }
  const all = new Uint8Array(got.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of got) {
    all.set(c, off);
    off += c.byteLength;
  }
  assert.equal(all.subarray(0, 4096), pattern(0, 4096));
  assert.is(text(all.subarray(4096)), "next read");
  // A byte stream takes the parts as the one buffer they are parts of (no copy per part).
  if (byteStreams()) assert.is(got[0].byteLength, 4096);
  await socket.close();
});

pipe("a BYOB read takes parts of one read buffer in order", async () => {
  const { socket, handle } = fakeSocket();
  if (!byteStreams()) {
    await socket.close(); // no BYOB readers on this runtime: nothing to check
    return;
  }
  const reader = socket.readable.getReader({ mode: "byob" });
  const out = new Uint8Array(4096);
  let got = 0;
  const parts = partsOfOneRead(8);
  const pending = reader.read(new Uint8Array(1000));
  await Promise.resolve();
  for (const part of parts) handle.events!._onHandleData(part);
  let r = await pending;
  while (true) {
    out.set(r.value!, got);
    got += r.value!.byteLength;
    if (got === 4096) break;
    r = await reader.read(new Uint8Array(4096 - got));
  }
  assert.equal(out, pattern(0, 4096));
  await socket.close();
});

pipe("a direct pipe sends the parts of one read buffer in one write", async () => {
  const src = fakeSocket();
  const dest = fakeSocket();
  const before = pipeStats.direct;
  const piped = src.socket.readable.pipeTo(dest.socket.writable);
  assert.is(pipeStats.direct, before + 1);
  assert.is(src.handle.reading, true);
  for (const part of partsOfOneRead(8)) src.handle.events!._onHandleData(part);
  await Promise.resolve();
  await Promise.resolve();
  assert.is(dest.handle.writes.length, 1);
  assert.equal(dest.handle.writes[0][0], pattern(0, 4096));
  src.handle.events!._onHandleEnd();
  await piped;
  await src.socket.close();
  await dest.socket.close();
});

pipe.run();
