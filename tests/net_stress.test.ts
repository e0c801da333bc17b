import { Buffer } from "node:buffer";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "../core/server.ts";
import { connect, type Socket } from "../core/socket.ts";
import { closeServer, echoServer, listen, removeDir, sleep, tempDir, waitFor } from "./_net.ts";

const MiB = 1024 * 1024;

function patternByte(i: number): number {
  return (i * 7 + (i >>> 11)) & 0xff;
}

function patternChunk(offset: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = patternByte(offset + i);
  return b;
}

/** Writes `total` pattern bytes with backpressure, then ends. */
async function pump(s: Socket, total: number): Promise<void> {
  const CH = 64 * 1024;
  for (let off = 0; off < total; off += CH) {
    if (!s.write(patternChunk(off, Math.min(CH, total - off)))) await waitFor(s, "drain", 60_000);
  }
  s.end();
}

/** Reads until 'end', checking every byte against the pattern; resolves with the count. */
function verify(s: Socket): Promise<number> {
  let seen = 0;
  let bad = -1;
  s.on("data", (d: Buffer) => {
    if (bad < 0) {
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== patternByte(seen + i)) {
          bad = seen + i;
          break;
        }
      }
    }
    seen += d.length;
  });
  return waitFor(s, "end", 120_000).then(() => {
    if (bad >= 0) throw new Error(`byte ${bad} differs`);
    return seen;
  });
}

async function echoOver(connectArgs: unknown[], total: number): Promise<number> {
  const s = (connect as (...a: unknown[]) => Socket)(...connectArgs);
  const got = verify(s);
  await waitFor(s, "connect");
  await pump(s, total);
  const n = await got;
  await waitFor(s, "close", 30_000).catch(() => {});
  return n;
}

const bulk = suite("Socket bulk transfer");

bulk("64 MiB echoed over TCP with every byte checked", async () => {
  const { server, port } = await echoServer({ allowHalfOpen: true });
  const n = await echoOver([port, "127.0.0.1"], 64 * MiB);
  assert.is(n, 64 * MiB);
  await closeServer(server);
});

bulk("4 MiB echoed over IPv6 (::1)", async () => {
  const server = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  const port = await listen(server, "::1");
  assert.is(await echoOver([port, "::1"], 4 * MiB), 4 * MiB);
  await closeServer(server);
});

bulk("4 MiB echoed over a Unix socket", async () => {
  const dir = tempDir();
  const path = join(dir, "bulk.sock");
  const server = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  server.listen(path);
  await waitFor(server, "listening");
  assert.is(await echoOver([path], 4 * MiB), 4 * MiB);
  await closeServer(server);
  removeDir(dir);
});

bulk("a paused reader stops reading: memory stays bounded while the peer blocks", async () => {
  let writer: Socket | undefined;
  let written = 0;
  let blocked = false;
  const TOTAL = 32 * MiB;
  const server = createServer((s) => {
    writer = s;
    s.on("error", () => {});
    const CH = 64 * 1024;
    const step = () => {
      while (written < TOTAL) {
        const ok = s.write(patternChunk(written, CH));
        written += CH;
        if (!ok) {
          blocked = true;
          s.once("drain", step);
          return;
        }
      }
      s.end();
    };
    step();
  });
  const port = await listen(server);
  const c = connect(port, "127.0.0.1");
  c.pause();
  await waitFor(c, "connect");
  await sleep(400);
  // Reading stopped at the highWaterMark: only the kernel buffers hold the rest.
  assert.ok(blocked);
  assert.ok(written < TOTAL, `writer was never blocked (${written} bytes accepted)`);
  assert.ok(
    c.readableLength <= c.readableHighWaterMark + 2 * MiB,
    `reader buffered ${c.readableLength} bytes`,
  );
  const got = verify(c);
  c.resume();
  assert.is(await got, TOTAL);
  await waitFor(c, "close", 30_000).catch(() => {});
  assert.ok(writer);
  await closeServer(server);
});

bulk.run();

const many = suite("Socket concurrency");

many("500 concurrent connections each exchange data", async () => {
  const { server, port } = await echoServer();
  const N = 500;
  const results = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(port, "127.0.0.1");
        let text = "";
        s.setEncoding("utf8");
        s.on("data", (d: string) => (text += d));
        s.on("error", reject);
        s.on("close", () => resolve(text));
        s.end(`client-${i}-`.repeat(50));
      })),
  );
  for (let i = 0; i < N; i++) assert.is(results[i], `client-${i}-`.repeat(50));
  const [, n] = await new Promise<unknown[]>((r) => server.getConnections((...a) => r(a)));
  assert.is(n, 0);
  await closeServer(server);
});

many.run();
