import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import * as nodeNet from "node:net";
import { join } from "node:path";
import * as tls from "node:tls";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BlockList } from "../core/block_list.ts";
import { createServer, type Server } from "../core/server.ts";
import { connect as netConnect, type Socket as NetSocket } from "../core/socket.ts";
import {
  connect,
  fromNetSocket,
  listen,
  type Listener,
  Socket,
  SocketError,
  toNetSocket,
} from "../sockets.ts";
import {
  closeServer,
  listen as netListen,
  quietPort,
  removeDir,
  tempDir,
  waitFor,
  withStalledDials,
} from "./_net.ts";

// Suites run from tests/ (Deno, Bun) or dist/tests/ (Node); the PEM pair stays in tests/fixtures/.
const fixtures = new URL(
  import.meta.url.endsWith(".js") ? "../../tests/fixtures/" : "./fixtures/",
  import.meta.url,
);
// A CA and a leaf it signed, as real servers have: rustls (Deno.startTls) refuses a
// self-signed CA certificate used as the server's own.
const KEY = readFileSync(new URL("tls_leaf_key.pem", fixtures));
const CERT = readFileSync(new URL("tls_leaf_cert.pem", fixtures));
const CA = readFileSync(new URL("tls_ca_cert.pem", fixtures));

const MiB = 1024 * 1024;

/** Byte `offset` of the test pattern. */
function pattern(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readable) parts.push(chunk);
  return Buffer.concat(parts);
}

async function echoListener(): Promise<{ server: Listener; port: number; done: Promise<void> }> {
  const server = await listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    for await (const socket of server) {
      socket.readable.pipeTo(socket.writable).catch(() => {});
    }
  })();
  const addr = server.addr as { port: number };
  return { server, port: addr.port, done };
}

/** `Promise.withResolvers()`, which Node 20 lacks. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => {
    throw new Error("expected a rejection");
  }, (err) => err);
}

// ---------------------------------------------------------------------------
const addresses = suite("sockets connect() addresses");

addresses("malformed addresses throw SocketError at once", () => {
  for (const bad of ["nope", "host:", ":80", "host:99999", "1::2:80", "[::1]", "[::1]:x"]) {
    let err: unknown;
    try {
      connect(bad);
    } catch (e) {
      err = e;
    }
    assert.instance(err, SocketError, bad);
    assert.instance(err, TypeError, bad);
    assert.ok((err as Error).message.startsWith("SocketError: "), bad);
  }
  assert.throws(
    () => connect({ hostname: "127.0.0.1", port: 0 }),
    (e: unknown) => e instanceof SocketError,
  );
});

addresses("Socket has no public constructor", () => {
  const Ctor = Socket as unknown as new (init: unknown) => unknown;
  assert.throws(() => new Ctor({ secureTransport: "off", allowHalfOpen: false }), TypeError);
});

addresses("bad options are TypeErrors", () => {
  assert.throws(() => connect("127.0.0.1:80", { secureTransport: "tls" as "on" }), TypeError);
  assert.throws(() => connect("127.0.0.1:80", { alpn: "h2" as unknown as string[] }), TypeError);
  assert.throws(
    () => connect("127.0.0.1:80", { omninet: { blockList: {} as BlockList } }),
    TypeError,
  );
});

addresses(
  "host:port, [v6]:port and { hostname, port } all connect; opened reports both ends",
  async () => {
    const { server, port, done } = await echoListener();
    const v6 = await listen({ hostname: "::1", port: 0 });
    const v6port = (v6.addr as { port: number }).port;
    const v6done = (async () => {
      for await (const s of v6) s.close();
    })();
    try {
      for (const address of [`127.0.0.1:${port}`, { hostname: "127.0.0.1", port }]) {
        const socket = connect(address);
        assert.ok(socket instanceof Socket);
        const info = await socket.opened;
        assert.is(info.remoteAddress, `127.0.0.1:${port}`);
        assert.match(info.localAddress ?? "", /^127\.0\.0\.1:\d+$/);
        assert.is(info.alpn, null);
        assert.is(socket.secureTransport, "off");
        assert.is(socket.upgraded, false);
        await socket.close();
      }
      const six = connect(`[::1]:${v6port}`);
      assert.is((await six.opened).remoteAddress, `[::1]:${v6port}`);
      await six.close();
    } finally {
      await server.close();
      await v6.close();
      await done;
      await v6done;
    }
  },
);

addresses.run();

// ---------------------------------------------------------------------------
const data = suite("sockets data");

data("64 MiB echo through readable.pipeTo(writable), every byte checked", async () => {
  const { server, port, done } = await echoListener();
  try {
    const socket = connect(`127.0.0.1:${port}`);
    const total = 64 * MiB;
    const chunk = 256 * 1024;
    const writing = (async () => {
      const writer = socket.writable.getWriter();
      for (let off = 0; off < total; off += chunk) await writer.write(pattern(off, chunk));
      await writer.close();
    })();
    let received = 0;
    let mismatch = -1;
    for await (const part of socket.readable) {
      for (let i = 0; i < part.length; i++) {
        if (part[i] !== (received + i) % 251) {
          mismatch = received + i;
          break;
        }
      }
      if (mismatch >= 0) break;
      received += part.length;
    }
    await writing;
    assert.is(mismatch, -1);
    assert.is(received, total);
    await socket.closed;
  } finally {
    await server.close();
    await done;
  }
});

data("writes made before the connection opens are sent; strings are UTF-8", async () => {
  const { server, port, done } = await echoListener();
  try {
    const socket = connect({ hostname: "127.0.0.1", port });
    const writer = socket.writable.getWriter();
    const w = writer.write("héllo ");
    await writer.write(new TextEncoder().encode("world").buffer);
    await w;
    await writer.close();
    assert.is((await readAll(socket.readable)).toString(), "héllo world");
    await socket.closed;
  } finally {
    await server.close();
    await done;
  }
});

data("BYOB reads fill the caller's buffer where the runtime has byte streams", async () => {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" });
    byob.releaseLock();
  } catch {
    // This runtime's streams have no byte streams: the socket's readable is a default stream.
    const s = connect("127.0.0.1:1");
    assert.throws(() => s.readable.getReader({ mode: "byob" }));
    await s.closed.catch(() => {});
    return;
  }
  const { server, port, done } = await echoListener();
  try {
    const socket = connect(`127.0.0.1:${port}`);
    const writer = socket.writable.getWriter();
    await writer.write(pattern(0, 1000));
    const reader = socket.readable.getReader({ mode: "byob" });
    let got = 0;
    while (got < 1000) {
      const { value, done: end } = await reader.read(new Uint8Array(300));
      assert.not.ok(end);
      assert.ok(value!.byteLength <= 300);
      assert.equal(Array.from(value!), Array.from(pattern(got, value!.byteLength)));
      got += value!.byteLength;
    }
    await writer.close();
    const last = await reader.read(new Uint8Array(10));
    assert.ok(last.done);
    await socket.closed;
  } finally {
    await server.close();
    await done;
  }
});

data(
  "a reader that stops reading stops the sender (bounded memory); reading again resumes it",
  async () => {
    const total = 256 * MiB;
    const chunk = Buffer.alloc(MiB, 7);
    let written = 0;
    let serverSocket: NetSocket | undefined;
    let stalled!: (at: number) => void;
    const stall = new Promise<number>((resolve) => (stalled = resolve));
    const server: Server = createServer((s) => {
      serverSocket = s;
      s.on("error", () => {});
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!s.write(chunk)) {
            // No drain for a while: the peer's window and every buffer on the way are full.
            const timer = setTimeout(() => stalled(written), 500);
            s.once("drain", () => {
              clearTimeout(timer);
              pump();
            });
            return;
          }
        }
        stalled(written); // everything went out: nothing held the sender back
      };
      pump();
    });
    const port = await netListen(server);
    const socket = connect(`127.0.0.1:${port}`);
    try {
      await socket.opened;
      const stalledAt = await stall;
      // Kernel buffers on both ends plus one queue of the readable: far below the 256 MiB offered.
      assert.ok(
        stalledAt < 48 * MiB,
        `sender got ${stalledAt / MiB} MiB out to a reader that never read`,
      );
      // Bytes past the stall point exist only once the sender has been let go again.
      const reader = socket.readable.getReader();
      let got = 0;
      while (got < stalledAt + 8 * MiB) {
        const { value, done } = await reader.read();
        assert.not.ok(done);
        got += value!.byteLength;
      }
      assert.ok(written > stalledAt);
      reader.releaseLock();
    } finally {
      serverSocket?.destroy();
      await socket.close();
      await closeServer(server);
    }
  },
);

data("a peer that does not read holds writes back: write() stops resolving", async () => {
  const server: Server = createServer({ pauseOnConnect: true }, (s) => {
    s.on("error", () => {});
    peers.push(s);
  });
  const peers: NetSocket[] = [];
  const port = await netListen(server);
  const socket = connect(`127.0.0.1:${port}`);
  try {
    const writer = socket.writable.getWriter();
    const chunk = new Uint8Array(MiB);
    let accepted = 0;
    let stalledAt = -1;
    while (accepted < 256 * MiB) {
      const write = writer.write(chunk).then(() => true);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 500)));
      const done = await Promise.race([write, late]);
      clearTimeout(timer);
      if (!done) {
        stalledAt = accepted;
        write.catch(() => {});
        break;
      }
      accepted += MiB;
    }
    assert.ok(stalledAt >= 0, "every write resolved although the peer read nothing");
    assert.ok(stalledAt < 48 * MiB, `${stalledAt / MiB} MiB accepted by a peer that read nothing`);
  } finally {
    for (const p of peers) p.destroy();
    await socket.close();
    await closeServer(server);
  }
});

data.run();

// ---------------------------------------------------------------------------
const halfOpen = suite("sockets half-open");

async function netServer(
  onConnection: (s: NetSocket) => void,
  opts: Record<string, unknown> = {},
): Promise<{ server: Server; port: number }> {
  const server = createServer(opts, (s) => {
    s.on("error", () => {});
    onConnection(s);
  });
  return { server, port: await netListen(server) };
}

halfOpen("allowHalfOpen: the client writes on after the server's FIN", async () => {
  const received = deferred<string>();
  const { server, port } = await netServer((s) => {
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d) => (text += d));
    s.on("end", () => received.resolve(text));
    s.end("bye");
  }, { allowHalfOpen: true });
  try {
    const socket = connect(`127.0.0.1:${port}`, { allowHalfOpen: true });
    assert.is((await readAll(socket.readable)).toString(), "bye");
    const writer = socket.writable.getWriter();
    await writer.write("still here");
    await writer.close();
    assert.is(await received.promise, "still here");
    await socket.closed;
  } finally {
    await closeServer(server);
  }
});

halfOpen("the client's FIN (writable.close) lets the server answer after it", async () => {
  const { server, port } = await netServer((s) => {
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d) => (text += d));
    s.on("end", () => s.end(text.toUpperCase()));
  }, { allowHalfOpen: true });
  try {
    const socket = connect(`127.0.0.1:${port}`);
    const writer = socket.writable.getWriter();
    await writer.write("question");
    await writer.close();
    assert.is((await readAll(socket.readable)).toString(), "QUESTION");
    await socket.closed;
  } finally {
    await closeServer(server);
  }
});

halfOpen("without allowHalfOpen the peer's FIN closes the writable and the socket", async () => {
  const sawEnd = deferred<void>();
  const { server, port } = await netServer((s) => {
    s.on("end", () => sawEnd.resolve());
    s.resume();
    s.end("done");
  }, { allowHalfOpen: true });
  try {
    const socket = connect(`127.0.0.1:${port}`);
    const writer = socket.writable.getWriter();
    assert.is((await readAll(socket.readable)).toString(), "done");
    await socket.closed;
    await sawEnd.promise; // our side was closed too
    const err = await rejection(writer.write("late"));
    assert.instance(err, SocketError);
  } finally {
    await closeServer(server);
  }
});

halfOpen.run();

// ---------------------------------------------------------------------------
const failures = suite("sockets failures and close()");

failures(
  "a refused connection rejects opened and closed with SocketError ECONNREFUSED",
  async () => {
    const port = await quietPort();
    const socket = connect(`127.0.0.1:${port}`);
    const err = await rejection(socket.opened);
    assert.instance(err, SocketError);
    assert.ok((err as Error).message.startsWith("SocketError: "));
    assert.is((err as SocketError).code, "ECONNREFUSED");
    assert.is(await rejection(socket.closed), err);
    assert.is(await rejection(socket.readable.getReader().read()), err);
  },
);

failures("a blocked address rejects with SocketError ERR_IP_BLOCKED and never dials", async () => {
  const blockList = new BlockList();
  blockList.addSubnet("127.0.0.0", 8);
  await withStalledDials(async (state) => {
    const socket = connect("127.0.0.1:9", { omninet: { blockList } });
    const err = await rejection(socket.opened);
    assert.instance(err, SocketError);
    assert.is((err as SocketError).code, "ERR_IP_BLOCKED");
    assert.is(state.dials, 0);
  });
});

failures("Unix paths follow net's rules: too long is EINVAL, missing is ENOENT", async () => {
  const long = connect({ path: `/tmp/${"x".repeat(200)}.sock` });
  const e1 = await rejection(long.opened);
  assert.instance(e1, SocketError);
  assert.is((e1 as SocketError).code, "EINVAL");
  const dir = tempDir();
  try {
    const missing = connect({ path: join(dir, "none.sock") });
    const e2 = await rejection(missing.opened);
    assert.instance(e2, SocketError);
    assert.is((e2 as SocketError).code, "ENOENT");
  } finally {
    removeDir(dir);
  }
});

failures("opened and closed rejections are never unhandled", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const g = globalThis as {
    process?: {
      on(e: string, f: (r: unknown) => void): void;
      off(e: string, f: (r: unknown) => void): void;
    };
  };
  g.process!.on("unhandledRejection", onUnhandled);
  try {
    const port = await quietPort();
    const socket = connect(`127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
    await socket.closed.catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(unhandled, []);
  } finally {
    g.process!.off("unhandledRejection", onUnhandled);
  }
});

failures("close() while connecting cancels the dial and rejects opened", async () => {
  await withStalledDials(async (state) => {
    const socket = connect("127.0.0.1:9");
    await new Promise((r) => setTimeout(r, 10));
    assert.is(state.dials, 1);
    const closed = socket.close();
    assert.instance(await rejection(socket.opened), SocketError);
    await closed;
    assert.is(state.cancelled, 1);
    const unix = connect({ path: "/nonexistent/omninet.sock" });
    const reason = new Error("stop");
    await unix.close(reason);
    assert.is(await rejection(unix.opened), reason);
    assert.is(state.cancelled, 2);
  });
});

failures("close(reason) errors both streams with the reason and resolves closed", async () => {
  const { server, port, done } = await echoListener();
  try {
    const socket = connect(`127.0.0.1:${port}`);
    await socket.opened;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    const pending = rejection(reader.read());
    const reason = new Error("going away");
    const closed = socket.close(reason);
    assert.is(closed, socket.closed);
    await closed;
    assert.is(await pending, reason);
    assert.is(await rejection(writer.write("x")), reason);
    // close() without a reason ends the readable instead.
    const other = connect(`127.0.0.1:${port}`);
    await other.opened;
    const r2 = other.readable.getReader();
    const read = r2.read();
    await other.close();
    assert.ok((await read).done);
  } finally {
    await server.close();
    await done;
  }
});

failures("startTls() on a socket not made with starttls throws SocketError", async () => {
  const socket = connect("127.0.0.1:1");
  assert.throws(() => socket.startTls(), (e: unknown) => e instanceof SocketError);
  await socket.close();
});

failures.run();

// ---------------------------------------------------------------------------
const servers = suite("sockets listen()");

servers("listen + connect over TCP: iterator, addr, close ends the iteration", async () => {
  const server = await listen({ hostname: "127.0.0.1", port: 0 });
  assert.is(server.addr.transport, "tcp");
  const port = (server.addr as { port: number }).port;
  assert.ok(port > 0);
  const accepted: Socket[] = [];
  const loop = (async () => {
    for await (const s of server) {
      accepted.push(s);
      const info = await s.opened;
      const w = s.writable.getWriter();
      await w.write(`you are ${info.remoteAddress}`);
      await w.close();
    }
  })();
  const client = connect(`127.0.0.1:${port}`);
  const local = (await client.opened).localAddress;
  assert.is((await readAll(client.readable)).toString(), `you are ${local}`);
  await client.close();
  await server.close();
  await loop;
  assert.is(accepted.length, 1);
  await accepted[0].close();
});

servers(
  "closes chained on closed (sockets, then the listener) all complete by themselves",
  async () => {
    // On Deno a handle closed from the microtasks after another handle's close
    // callback got its own callback only once something else woke the event
    // loop. The watchdog is that something: if it has to fire, the closes hung.
    let watchdogFired = false;
    const watchdog = setTimeout(() => watchdogFired = true, 10_000);
    const server = await listen({ hostname: "127.0.0.1", port: 0 });
    const port = (server.addr as { port: number }).port;
    const pair = async () => {
      const client = connect({ hostname: "127.0.0.1", port });
      const accepted = (await server.accept())!;
      await Promise.all([client.opened, accepted.opened]);
      return [client, accepted];
    };
    const [a, sa] = await pair();
    const [b, sb] = await pair();
    const first = sb.close();
    await b.close();
    await sa.close();
    await a.close();
    await server.close();
    await first;
    clearTimeout(watchdog);
    assert.is(watchdogFired, false);
  },
);

servers("listen + connect over a Unix socket, with await using", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "s.sock");
    {
      await using server = await listen({ path });
      assert.equal(server.addr, { transport: "unix", path });
      const serve = (async () => {
        const s = await server.accept();
        await s!.readable.pipeTo(s!.writable);
      })();
      const client = connect({ path });
      const info = await client.opened;
      assert.is(info.remoteAddress, path);
      const w = client.writable.getWriter();
      await w.write("over unix");
      await w.close();
      assert.is((await readAll(client.readable)).toString(), "over unix");
      await serve;
      await client.closed;
    }
  } finally {
    removeDir(dir);
  }
});

servers(
  "accept() returns queued sockets, then null once closed; close() drops the unaccepted",
  async () => {
    const server = await listen("127.0.0.1:0");
    const port = (server.addr as { port: number }).port;
    const a = connect(`127.0.0.1:${port}`);
    const b = connect(`127.0.0.1:${port}`);
    await a.opened;
    await b.opened;
    const first = await server.accept();
    assert.ok(first instanceof Socket);
    const w = first!.writable.getWriter();
    await w.write("first");
    await w.close();
    // One of the two clients got "first"; the other was queued and is closed by close().
    await server.close();
    assert.is(await server.accept(), null);
    const texts = await Promise.all(
      [a, b].map((s) => readAll(s.readable).catch(() => Buffer.alloc(0))),
    );
    assert.equal(texts.map(String).sort(), ["", "first"]);
    // The dropped one may have seen a reset: its close() returns its rejected `closed`.
    await Promise.allSettled([a.close(), b.close(), first!.close()]);
  },
);

servers("a bind failure rejects with SocketError EADDRINUSE", async () => {
  const first = await listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const err = await rejection(
      listen({ hostname: "127.0.0.1", port: (first.addr as { port: number }).port }),
    );
    assert.instance(err, SocketError);
    assert.is((err as SocketError).code, "EADDRINUSE");
  } finally {
    await first.close();
  }
});

servers("listen's blockList closes blocked peers before they are yielded", async () => {
  const blockList = new BlockList();
  blockList.addAddress("127.0.0.1");
  const server = await listen({ hostname: "127.0.0.1", port: 0 }, { blockList });
  let yielded = 0;
  const loop = (async () => {
    for await (const s of server) {
      yielded++;
      s.close();
    }
  })();
  const client = connect(`127.0.0.1:${(server.addr as { port: number }).port}`);
  await client.opened;
  // The server drops the connection: the client sees its end (or a reset).
  await readAll(client.readable).catch(() => {});
  await client.close();
  await server.close();
  await loop;
  assert.is(yielded, 0);
});

servers.run();

// ---------------------------------------------------------------------------
const secure = suite("sockets TLS");

async function tlsServer(
  opts: tls.TlsOptions = {},
): Promise<{ server: tls.Server; port: number; close(): Promise<void> }> {
  const server = tls.createServer({ key: KEY, cert: CERT, ...opts }, (s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

secure('secureTransport "on" with the test CA: echo, and ALPN negotiated', async () => {
  const t = await tlsServer({ ALPNProtocols: ["echo/1", "http/1.1"] });
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      alpn: ["echo/1"],
      omninet: { tls: { ca: CA } },
    });
    const info = await socket.opened;
    assert.is(info.alpn, "echo/1");
    assert.is(info.remoteAddress, `127.0.0.1:${t.port}`);
    assert.match(info.localAddress ?? "", /^127\.0\.0\.1:\d+$/);
    assert.is(socket.secureTransport, "on");
    const w = socket.writable.getWriter();
    await w.write("secret");
    await w.close();
    assert.is((await readAll(socket.readable)).toString(), "secret");
    await socket.close();
  } finally {
    await t.close();
  }
});

secure("sni is sent in the handshake; a server without ALPN leaves alpn null", async () => {
  let servername: string | undefined;
  const t = await tlsServer({
    SNICallback: (name, cb) => {
      servername = name;
      cb(null, tls.createSecureContext({ key: KEY, cert: CERT }));
    },
  });
  try {
    const socket = connect(`127.0.0.1:${t.port}`, {
      secureTransport: "on",
      sni: "localhost",
      alpn: ["echo/1"],
      omninet: { tls: { ca: CA } },
    });
    const info = await socket.opened;
    assert.is(servername, "localhost");
    assert.is(info.alpn, null);
    await socket.close();
  } finally {
    await t.close();
  }
});

secure("an untrusted certificate rejects opened with SocketError", async () => {
  const t = await tlsServer();
  try {
    const socket = connect(`localhost:${t.port}`, { secureTransport: "on" });
    const err = await rejection(socket.opened);
    assert.instance(err, SocketError);
    await rejection(socket.closed);
  } finally {
    await t.close();
  }
});

secure("startTls() after a plain-text exchange, against a local TLS server", async () => {
  const t = await tlsServer();
  // A plain front: answers STARTTLS with GO, then splices the connection to the TLS server.
  const front = await netServer((s) => {
    s.once("data", (d: Buffer) => {
      assert.is(d.toString(), "STARTTLS\n");
      s.write("GO\n", () => {
        const back = nodeNet.connect({ port: t.port, host: "127.0.0.1", allowHalfOpen: true });
        back.on("error", () => s.destroy());
        s.on("close", () => back.destroy());
        back.pipe(s);
        s.pipe(back);
      });
    });
  }, { allowHalfOpen: true });
  try {
    const plain = connect(`localhost:${front.port}`, { secureTransport: "starttls" });
    const w = plain.writable.getWriter();
    await w.write("STARTTLS\n");
    const reader = plain.readable.getReader();
    assert.is(Buffer.from((await reader.read()).value!).toString(), "GO\n");
    reader.releaseLock();
    w.releaseLock();
    const tlsSocket = plain.startTls({ omninet: { tls: { ca: CA } } });
    assert.ok(plain.upgraded);
    assert.throws(() => plain.startTls(), (e: unknown) => e instanceof SocketError);
    await plain.closed;
    await tlsSocket.opened;
    const tw = tlsSocket.writable.getWriter();
    await tw.write("over tls");
    const tr = tlsSocket.readable.getReader();
    let text = "";
    while (text.length < 8) text += Buffer.from((await tr.read()).value!).toString();
    assert.is(text, "over tls");
    await tlsSocket.close();
  } finally {
    await closeServer(front.server);
    await t.close();
  }
});

secure.run();

// ---------------------------------------------------------------------------
const interop = suite("sockets interop with net");

interop(
  "fromNetSocket(): a connecting net.Socket (omninet's, the runtime's) as a web Socket",
  async () => {
    const { server, port, done } = await echoListener();
    try {
      for (const dial of [netConnect, nodeNet.connect]) {
        const web = fromNetSocket(dial(port, "127.0.0.1"));
        assert.is((await web.opened).remoteAddress, `127.0.0.1:${port}`);
        const w = web.writable.getWriter();
        await w.write("from net");
        await w.close();
        assert.is((await readAll(web.readable)).toString(), "from net");
        await web.closed;
      }
    } finally {
      await server.close();
      await done;
    }
  },
);

interop("fromNetSocket(): a tls.TLSSocket opens after its handshake, with its ALPN", async () => {
  const t = await tlsServer({ ALPNProtocols: ["echo/1"] });
  try {
    const web = fromNetSocket(
      tls.connect({
        port: t.port,
        host: "127.0.0.1",
        servername: "localhost",
        ca: CA,
        ALPNProtocols: ["echo/1"],
      }),
    );
    const info = await web.opened;
    assert.is(info.alpn, "echo/1");
    const w = web.writable.getWriter();
    await w.write("tls from net");
    const r = web.readable.getReader();
    let text = "";
    while (text.length < 12) text += Buffer.from((await r.read()).value!).toString();
    assert.is(text, "tls from net");
    await web.close();
  } finally {
    await t.close();
  }
});

interop("toNetSocket(): a web Socket's connection continues as a net.Socket", async () => {
  const { server, port, done } = await echoListener();
  try {
    const web = connect(`127.0.0.1:${port}`);
    const socket = await toNetSocket(web) as NetSocket;
    await web.closed;
    assert.is(socket.remotePort, port);
    const got = new Promise<string>((resolve) => {
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (d) => (text += d));
      socket.on("end", () => resolve(text));
    });
    socket.end("to net");
    assert.is(await got, "to net");
    await waitFor(socket, "close");
  } finally {
    await server.close();
    await done;
  }
});

interop.run();
