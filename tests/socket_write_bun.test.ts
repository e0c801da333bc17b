// A buffer the program changes right after socket.write() returned, on a
// connected socket with nothing queued: Node's socket hands such a write to the
// kernel inside write(), so the peer gets the bytes as they were at the call.
// On Bun, omninet holds small writes for the rest of the tick (so that several
// leave as one send with Nagle on): it must hold copies, never the caller's
// buffer. Runs on every configuration. Also: corked writes, which reach the adapter as one
// writev, arrive whole; on Bun (no writev) in sends of up to 64 KiB, not one per chunk.
import { Buffer } from "node:buffer";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "../core/server.ts";
import { connect, type Socket } from "../core/socket.ts";
import { getTransport } from "../runtimes/mod.ts";
import { closeServer, collect, listen, waitFor } from "./_net.ts";

const reuse = suite("socket.write() of a buffer changed right after the call");

/** Connects to a server that collects everything until the FIN; runs `write` once connected. */
async function sendAndCollect(write: (c: Socket) => void): Promise<Buffer> {
  // The collection is wrapped: a promise resolved with a promise would wait for it.
  let accepted: (got: { bytes: Promise<Buffer> }) => void = () => {};
  const received = new Promise<{ bytes: Promise<Buffer> }>((r) => (accepted = r));
  const server = createServer((s) => accepted({ bytes: collect(s) }));
  const port = await listen(server);
  const c = connect(port, "127.0.0.1");
  try {
    await waitFor(c, "connect");
    const { bytes } = await received;
    write(c);
    c.end();
    return await bytes;
  } finally {
    c.destroy();
    await closeServer(server);
  }
}

reuse("one small write: the peer gets the bytes of the call", async () => {
  const got = await sendAndCollect((c) => {
    const buf = Buffer.from("hello");
    c.write(buf);
    buf.fill(0x2d);
  });
  assert.is(got.toString(), "hello");
});

reuse("small writes in one tick from one refilled buffer: each as it was", async () => {
  const got = await sendAndCollect((c) => {
    const buf = Buffer.alloc(3);
    for (const word of ["abc", "def", "ghi", "jkl"]) {
      buf.write(word);
      c.write(buf);
    }
    buf.fill(0x2d);
  });
  assert.is(got.toString(), "abcdefghijkl");
});

reuse("small writes of two sockets in one tick, interleaved: each as it was", async () => {
  const server = createServer((s) => s.pipe(s));
  const port = await listen(server);
  const a = connect(port, "127.0.0.1");
  const b = connect(port, "127.0.0.1");
  try {
    await Promise.all([waitFor(a, "connect"), waitFor(b, "connect")]);
    const echoes = [collect(a), collect(b)];
    const buf = Buffer.alloc(4);
    for (let i = 0; i < 6; i++) {
      buf.write(`a${i}a${i}`);
      a.write(buf);
      buf.write(`b${i}b${i}`);
      b.write(buf);
    }
    buf.fill(0x2d);
    a.end();
    b.end();
    const [fromA, fromB] = await Promise.all(echoes);
    assert.is(fromA.toString(), "a0a0a1a1a2a2a3a3a4a4a5a5");
    assert.is(fromB.toString(), "b0b0b1b1b2b2b3b3b4b4b5b5");
  } finally {
    a.destroy();
    b.destroy();
    await closeServer(server);
  }
});

reuse(
  "one 32 KiB write (sent at once, not held): the peer gets the bytes of the call",
  async () => {
    const got = await sendAndCollect((c) => {
      const buf = Buffer.alloc(32 * 1024, 0x61);
      c.write(buf);
      buf.fill(0x2d);
    });
    assert.is(got.length, 32 * 1024);
    assert.ok(got.every((x) => x === 0x61), "the peer got bytes written after the call");
  },
);

reuse("corked writes of mixed sizes arrive whole and in order; on Bun in few sends", async () => {
  const pieces: Buffer[] = [];
  for (let i = 0; i < 3000; i++) pieces.push(Buffer.alloc(1 + (i * 37) % 200, i & 0xff));
  pieces.splice(1000, 0, Buffer.alloc(100 * 1024, 0xaa));
  pieces.splice(2000, 0, Buffer.alloc(100 * 1024, 0xbb));
  let sends = 0;
  const bunAdapter = getTransport().name === "bun";
  const got = await sendAndCollect((c) => {
    // With the Bun adapter the handle shown is Bun's socket, whose write() is one send().
    const h = bunAdapter
      ? (c as unknown as { _handle: { write: (...a: unknown[]) => number } })._handle
      : null;
    if (h !== null) {
      const write = h.write;
      h.write = function (this: unknown, ...a: unknown[]) {
        sends++;
        return write.apply(this, a);
      };
    }
    c.cork();
    for (const p of pieces) c.write(p);
    c.uncork();
  });
  assert.ok(got.equals(Buffer.concat(pieces)), "bytes and order");
  // Bun has no writev: the chunks go in batches of up to 64 KiB (about 9 here), not one each.
  if (bunAdapter) assert.ok(sends > 0 && sends < 40, `${sends} sends`);
});

reuse.run();
