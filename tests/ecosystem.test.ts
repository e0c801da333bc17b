// omninet sockets under the runtime's own stacks, as users put node:net
// sockets under them: node:http servers fed with accepted sockets
// (server.emit("connection")), node:http clients dialling through
// createConnection and an Agent subclass, node:tls on both sides of an
// omninet connection, and `ws` over an HTTP upgrade. Every case checks the
// bytes, not only that something arrived.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as nodeNet from "node:net";
import * as tls from "node:tls";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import WebSocket, { WebSocketServer } from "ws";
import net from "../mod.ts";
import { currentRuntime, spawnScript } from "./_runtime.ts";
import { getTransport } from "../runtimes/mod.ts";
import { closeServer, listen, slowLookup, waitFor } from "./_net.ts";
import { readFixture } from "./_fixtures.ts";

const key = readFixture("tls_key.pem");
const cert = readFixture("tls_cert.pem");

/** `n` bytes of a pattern with period 251, so shifted or lost bytes show. */
function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i) % 251;
  return b;
}

function sha(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Bounded wait on a promise. */
function within<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on("data", (d: Buffer) => parts.push(d));
    stream.on("end", () => resolve(Buffer.concat(parts)));
    stream.on("error", reject);
  });
}

/** A node:http server answering with `handler`, whose connections an omninet server accepts. */
async function feedHttp(handler: http.RequestListener): Promise<{
  port: number;
  httpServer: http.Server;
  accepted: net.Socket[];
  close: () => Promise<void>;
}> {
  const httpServer = http.createServer(handler);
  const accepted: net.Socket[] = [];
  const netServer = net.createServer((s) => {
    accepted.push(s);
    httpServer.emit("connection", s);
  });
  const port = await listen(netServer);
  return {
    port,
    httpServer,
    accepted,
    close: async () => {
      for (const s of accepted) s.destroy();
      await closeServer(netServer);
    },
  };
}

/**
 * {@link feedHttp} with a handler that answers POST /echo with the request body
 * reversed in blocks, and GET /big/N with N pattern bytes.
 */
function omninetHttpServer(): ReturnType<typeof feedHttp> {
  return feedHttp(async (req, res) => {
    const body = await readAll(req);
    if (req.url === "/echo") {
      res.setHeader("x-body-sha256", sha(body));
      res.end(body);
    } else {
      const n = Number(req.url!.slice("/big/".length));
      res.setHeader("content-type", "application/octet-stream");
      res.end(pattern(n, 3));
    }
  });
}

function request(
  options: http.RequestOptions,
  body?: Buffer,
): Promise<{ res: http.IncomingMessage; data: Buffer }> {
  return within(
    new Promise((resolve, reject) => {
      const req = http.request(options, (res) => {
        readAll(res).then((data) => resolve({ res, data }), reject);
      });
      req.on("error", reject);
      req.end(body);
    }),
    `${options.method ?? "GET"} ${options.path}`,
  );
}

/** omninet's createConnection, typed as the stacks ask for node:net's. */
function dial(options: unknown): nodeNet.Socket {
  return net.createConnection(options as net.NetConnectOpts) as unknown as nodeNet.Socket;
}

/** An Agent that dials with omninet, the way libraries plug in a transport. */
class OmninetAgent extends http.Agent {
  override createConnection(options: nodeNet.NetConnectOpts): nodeNet.Socket {
    return dial(options);
  }
}

const httpSuite = suite("node:http over omninet sockets");

httpSuite(
  "a server fed by an omninet server answers keep-alive requests byte for byte",
  async () => {
    const srv = await omninetHttpServer();
    const agent = new OmninetAgent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const n of [0, 1, 1000, 300_000]) {
        const body = pattern(n, n);
        const { res, data } = await request(
          { port: srv.port, host: "127.0.0.1", method: "POST", path: "/echo", agent },
          body,
        );
        assert.is(res.statusCode, 200);
        assert.is(res.headers["x-body-sha256"], sha(body));
        assert.ok(data.equals(body), `echo of ${n} bytes differs`);
      }
      const { data } = await request({
        port: srv.port,
        host: "127.0.0.1",
        path: "/big/2000000",
        agent,
      });
      assert.ok(data.equals(pattern(2_000_000, 3)), "2 MB response differs");
      // Every request came in over omninet-accepted sockets: one on Node and
      // Bun; Deno's http server closes the connection after each response.
      assert.ok(srv.accepted.length >= 1 && srv.accepted.length <= 5);
      assert.ok(srv.accepted.every((s) => s instanceof net.Socket));
    } finally {
      agent.destroy();
      await srv.close();
    }
  },
);

httpSuite("a client with createConnection talks to the runtime's own http server", async () => {
  const server = http.createServer(async (req, res) => {
    const body = await readAll(req);
    res.end(Buffer.concat([Buffer.from(`${req.method} ${req.url} `), body]));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as nodeNet.AddressInfo).port;
  try {
    let dialled: unknown = null;
    const body = pattern(100_000, 9);
    const { res, data } = await request({
      port,
      host: "127.0.0.1",
      method: "PUT",
      path: "/x?y=1",
      createConnection: (opts) => {
        const s = dial(opts);
        dialled = s;
        return s;
      },
    }, body);
    assert.ok(dialled instanceof net.Socket, "createConnection was not used");
    assert.is(res.statusCode, 200);
    assert.ok(data.equals(Buffer.concat([Buffer.from("PUT /x?y=1 "), body])));
  } finally {
    server.closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
});

httpSuite("bytesWritten of a socket serving node:http counts every response byte", async () => {
  const { port, accepted, close } = await feedHttp((req, res) => {
    if (req.url === "/string") res.end("a string body");
    else res.end(Buffer.from("a buffer body"));
  });
  try {
    for (const path of ["/string", "/buffer"]) {
      const client = net.connect(port, "127.0.0.1");
      let got = 0;
      client.on("data", (d: Buffer) => (got += d.length));
      client.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await waitFor(client, "close");
      const served = accepted[accepted.length - 1];
      if (!served.destroyed) await waitFor(served, "close");
      assert.ok(got > 0, `no response to ${path}`);
      assert.is(served.bytesWritten, got, path);
    }
  } finally {
    await close();
  }
});

httpSuite("omninet on both ends: parallel requests through an Agent subclass", async () => {
  const srv = await omninetHttpServer();
  // One connection per request, none queued: Deno's http server closes each
  // connection after its response even when asked to keep it (over Deno's own
  // sockets too), and an Agent that hands a queued request such a socket
  // before its FIN was read fails it with "socket hang up".
  const agent = new OmninetAgent({ keepAlive: false, maxSockets: 12 });
  try {
    const sizes = Array.from({ length: 12 }, (_, i) => 1 + i * 7919);
    const replies = await Promise.all(
      sizes.map((n) => request({ port: srv.port, host: "127.0.0.1", path: `/big/${n}`, agent })),
    );
    replies.forEach(({ data }, i) => assert.ok(data.equals(pattern(sizes[i], 3)), `reply ${i}`));
    assert.ok(srv.accepted.length >= 1 && srv.accepted.length <= sizes.length);
  } finally {
    agent.destroy();
    await srv.close();
  }
});

httpSuite.run();

const tlsSuite = suite("node:tls over omninet sockets");

/**
 * Whether the runtime's node:tls takes omninet's socket natively (its
 * handle, as it takes its own sockets'): the default adapters. The forced
 * adapters' sockets are read by node:tls as any Duplex.
 */
function tlsTakesHandle(): boolean {
  const name = getTransport().name;
  return name === "libuv" || name === "bun";
}

/**
 * Sends `payload` and collects as many bytes back. No half-close: Deno's
 * node:tls loses a TLS end() racing an echo even over its own sockets.
 */
async function roundTrip(socket: tls.TLSSocket, payload: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const got = new Promise<Buffer>((resolve, reject) => {
    socket.on("data", (d: Buffer) => {
      parts.push(d);
      n += d.length;
      if (n >= payload.length) resolve(Buffer.concat(parts));
    });
    socket.on("error", reject);
  });
  socket.write(payload);
  return await within(got, "TLS echo");
}

/** Waits for an authorized handshake, then checks that `size` bytes come back intact. */
async function handshakeAndEcho(secure: tls.TLSSocket, size: number): Promise<void> {
  await within(waitFor(secure, "secureConnect"), "handshake");
  assert.ok(secure.authorized, String(secure.authorizationError));
  const payload = pattern(size, size % 251);
  const back = await roundTrip(secure, payload);
  assert.ok(back.equals(payload), "TLS echo differs");
}

/** A node:tls server echoing what it gets, listening on 127.0.0.1. */
async function tlsEchoServer(): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer({ key, cert }, (s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as nodeNet.AddressInfo).port };
}

/** Makes `s` the plain side of a TLS server socket that echoes what it gets. */
function serveTlsEcho(s: net.Socket, options: tls.TLSSocketOptions = { key, cert }): void {
  const secure = new tls.TLSSocket(s as unknown as nodeNet.Socket, { isServer: true, ...options });
  secure.on("error", () => {});
  secure.pipe(secure);
}

/** Wraps `raw` in a TLS client, checks the handshake and an echo of `size` bytes, then closes. */
async function tlsEchoOver(raw: net.Socket, size: number): Promise<void> {
  const secure = tls.connect({
    socket: raw as unknown as nodeNet.Socket,
    ca: cert,
    servername: "localhost",
  });
  const failed = new Promise<never>((_, reject) => secure.once("error", reject));
  try {
    await Promise.race([handshakeAndEcho(secure, size), failed]);
  } finally {
    secure.destroy();
  }
}

tlsSuite("tls.connect({ socket }) over an omninet socket to a tls server", async () => {
  const { server, port } = await tlsEchoServer();
  const raw = net.createConnection({ port, host: "127.0.0.1" });
  try {
    await within(waitFor(raw, "connect"), "connect");
    const secure = tls.connect({
      socket: raw as unknown as nodeNet.Socket,
      ca: cert,
      servername: "localhost",
    });
    await handshakeAndEcho(secure, 3_000_000);
    assert.is(secure.getPeerCertificate().subject.CN, "localhost");
    // The TLS layer took every byte the connection carried: none waits in omninet's stream (Bun's
    // node:tls, upgrading the Bun socket in place, would leave its ciphertext there).
    assert.is(raw.readableLength, 0);
    secure.destroy();
  } finally {
    raw.destroy();
    await new Promise((r) => server.close(r));
  }
});

// Given a socket and neither `servername` nor `host`, node:tls checks the certificate against the
// name the socket looked up (`socket._host`), 'localhost' when it dialled an IP literal. The
// certificate names localhost and 127.0.0.1 only, so a socket that looked up another name must be
// refused, as the runtime's own node:net socket is.
for (const to of ["a looked-up name", "an IP literal"]) {
  tlsSuite(`tls.connect({ socket }) checks the certificate against ${to}`, async () => {
    const { server, port } = await tlsEchoServer();
    const byName = to === "a looked-up name";
    const lookup = slowLookup(0) as unknown as nodeNet.LookupFunction;
    const outcome = async (mod: "omninet" | "node:net"): Promise<[string, string]> => {
      const options = byName
        ? { port, host: "omninet-host.test", lookup }
        : { port, host: "127.0.0.1" };
      const raw = mod === "omninet" ? net.connect(options) : nodeNet.connect(options);
      let checked = "";
      const secure = tls.connect({
        socket: raw as unknown as nodeNet.Socket,
        ca: cert,
        checkServerIdentity: (host, c) => {
          checked = host;
          return tls.checkServerIdentity(host, c);
        },
      });
      try {
        return await within(
          new Promise<[string, string]>((resolve) => {
            secure.once("secureConnect", () => resolve([checked, "authorized"]));
            secure.once(
              "error",
              (e: Error & { code?: string }) => resolve([checked, String(e.code)]),
            );
          }),
          "handshake",
        );
      } finally {
        secure.destroy();
        raw.destroy();
      }
    };
    try {
      const own = await outcome("node:net");
      const ours = await outcome("omninet");
      const nodeRule = byName
        ? ["omninet-host.test", "ERR_TLS_CERT_ALTNAME_INVALID"]
        : ["localhost", "authorized"];
      if (byName || currentRuntime() !== "bun") {
        // Node's rule, which Deno's node:tls follows too.
        assert.equal(own, nodeRule);
        assert.equal(ours, own);
      } else {
        // Bun's node:tls checks a dialled IP literal itself where it upgrades a Bun socket in
        // place (its own, omninet's Bun adapter's), else it takes Node's rule.
        assert.ok(ours.join() === own.join() || ours.join() === nodeRule.join(), ours.join());
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
}

tlsSuite("new tls.TLSSocket(omninetSocket, { isServer: true }) serves a tls client", async () => {
  const done: Promise<void>[] = [];
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => {
    accepted.push(s);
    const secure = new tls.TLSSocket(s as unknown as nodeNet.Socket, { isServer: true, key, cert });
    secure.on("error", () => {});
    done.push(new Promise((r) => s.on("close", () => r())));
    secure.on("data", (d: Buffer) => secure.write(d));
  });
  const port = await listen(server);
  try {
    const client = tls.connect({ port, host: "127.0.0.1", ca: cert, servername: "localhost" });
    await within(waitFor(client, "secureConnect"), "handshake");
    assert.ok(client.authorized, String(client.authorizationError));
    const payload = Buffer.concat([pattern(1, 1), pattern(16_384, 2), pattern(1_000_000, 3)]);
    const back = await roundTrip(client, payload);
    assert.ok(back.equals(payload), "TLS echo from the omninet-carried server differs");
    assert.equal(accepted.map((s) => s.readableLength), [0]);
    client.destroy();
    await within(Promise.all(done), "server socket close");
  } finally {
    await closeServer(server);
  }
});

// node:tls waits for the 'connect' of a socket it is given before it connects where that socket
// is the runtime's node:net Socket (omninet's is one with every adapter but Deno.connect) or the
// runtime's tls waits by itself (Deno, Bun).
tlsSuite("tls.connect({ socket }) given the socket before it connects", async () => {
  const { server, port } = await tlsEchoServer();
  const raw = new net.Socket();
  try {
    const secure = tls.connect({
      socket: raw as unknown as nodeNet.Socket,
      ca: cert,
      servername: "localhost",
    });
    raw.connect(port, "127.0.0.1");
    await handshakeAndEcho(secure, 100_000);
    secure.destroy();
  } finally {
    raw.destroy();
    await new Promise((r) => server.close(r));
  }
});

// Given once connect() was called: where the adapter makes the dial's handle ahead (libuv on Node
// and Deno, Bun's for TCP) the socket shows it as `_handle` while connecting, as Node's does, and
// the runtime's tls takes that handle over (Node wraps it natively) instead of wrapping the socket
// as a stream.
async function tlsOverConnecting(
  lib: Pick<typeof nodeNet, "connect">,
  literal: boolean,
): Promise<{ read: number; written: number }> {
  const { server, port } = await tlsEchoServer();
  const raw = literal
    ? lib.connect(port, "127.0.0.1")
    : lib.connect({ port, host: "omninet.test", lookup: slowLookup(20) } as never);
  try {
    assert.ok(raw.connecting);
    const secure = tls.connect({ socket: raw, ca: cert, servername: "localhost" });
    await handshakeAndEcho(secure, 100_000);
    const closed = waitFor(raw, "close");
    secure.destroy();
    await within(closed, "the plain socket's close");
    return { read: raw.bytesRead, written: raw.bytesWritten };
  } finally {
    raw.destroy();
    await new Promise((r) => server.close(r));
  }
}

for (const literal of [true, false]) {
  const to = literal ? "an IP literal" : "a host name (slow lookup)";
  tlsSuite(`tls.connect({ socket }) given a socket that is connecting to ${to}`, async () => {
    const mine = await tlsOverConnecting(net as unknown as typeof nodeNet, literal);
    // The plain socket counts the ciphertext that went through it, as the runtime's own does
    // (Deno's and Bun's own count none of what their tls wrote).
    const own = await tlsOverConnecting(nodeNet, literal);
    assert.ok(mine.read > 100_000, `bytesRead ${mine.read}`);
    assert.ok(own.written === 0 || mine.written > 100_000, `bytesWritten ${mine.written}`);
  });
}

tlsSuite(
  "a tls server over an accepted omninet socket asks SNICallback for its context",
  async () => {
    const names: string[] = [];
    const server = net.createServer((s) => {
      // No key or certificate of its own: the handshake succeeds only with the callback's context.
      serveTlsEcho(s, {
        SNICallback: (name, cb) => {
          names.push(name);
          cb(null, tls.createSecureContext({ key, cert }));
        },
      });
    });
    const port = await listen(server);
    const secure = tls.connect({ port, host: "127.0.0.1", ca: cert, servername: "localhost" });
    const failed = new Promise<never>((_, reject) => secure.once("error", reject));
    try {
      await Promise.race([handshakeAndEcho(secure, 100_000), failed]);
      assert.equal(names, ["localhost"]);
    } finally {
      secure.destroy();
      await closeServer(server);
    }
  },
);

tlsSuite(
  "a tls server socket over a paused omninet socket gets the bytes that waited",
  async () => {
    // The ClientHello arrives while nothing reads the accepted socket; the TLS socket is made later.
    const server = net.createServer({ pauseOnConnect: true }, (s) => {
      setTimeout(() => serveTlsEcho(s), 50);
    });
    const port = await listen(server);
    const secure = tls.connect({ port, host: "127.0.0.1", ca: cert, servername: "localhost" });
    const failed = new Promise<never>((_, reject) => secure.once("error", reject));
    try {
      await Promise.race([handshakeAndEcho(secure, 50_000), failed]);
    } finally {
      secure.destroy();
      await closeServer(server);
    }
  },
);

tlsSuite("a socket under a busy TLS socket does not time out", async () => {
  // Node's TLS socket restarts its parents' idle timers as it reads and writes (_unrefTimer).
  let timeouts = 0;
  const server = net.createServer((s) => {
    s.setTimeout(300, () => timeouts++);
    serveTlsEcho(s);
  });
  const port = await listen(server);
  const secure = tls.connect({ port, host: "127.0.0.1", ca: cert, servername: "localhost" });
  try {
    await handshakeAndEcho(secure, 100);
    for (let i = 0; i < 12; i++) {
      await roundTrip(secure, pattern(100, i));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.is(timeouts, 0);
  } finally {
    secure.destroy();
    await closeServer(server);
  }
});

tlsSuite(
  "STARTTLS: a plain reply written in the tick the server wraps its socket comes first",
  async () => {
    // As PostgreSQL's SSLRequest: the client asks in plain text, the server answers "S" and wraps
    // its socket at once; the client reads the "S", then wraps its own.
    const server = net.createServer((s) => {
      s.once("data", (d: Buffer) => {
        assert.is(d.toString(), "SSL?");
        s.write("S");
        serveTlsEcho(s);
      });
    });
    const port = await listen(server);
    const raw = net.connect({ port, host: "127.0.0.1" });
    try {
      await within(waitFor(raw, "connect"), "connect");
      raw.write("SSL?");
      const [answer] = (await within(waitFor(raw, "data"), "plain answer")) as [Buffer];
      assert.is(answer.toString(), "S");
      raw.pause();
      await tlsEchoOver(raw, 200_000);
    } finally {
      raw.destroy();
      await closeServer(server);
    }
  },
);

tlsSuite(
  "bytes written in the tick a client wraps its socket go out before the handshake",
  async () => {
    const server = net.createServer((s) => {
      s.once("data", (d: Buffer) => {
        // The plain bytes, perhaps with the start of the handshake behind them.
        const plain = d.subarray(0, 5).toString();
        // Paused first: a flowing stream would emit the bytes put back to no listener.
        s.pause();
        if (d.length > 5) s.unshift(d.subarray(5));
        if (plain !== "HELLO") return void s.destroy();
        serveTlsEcho(s);
      });
    });
    const port = await listen(server);
    const raw = net.connect({ port, host: "127.0.0.1" });
    try {
      await within(waitFor(raw, "connect"), "connect");
      raw.write("HELLO");
      await tlsEchoOver(raw, 200_000);
    } finally {
      raw.destroy();
      await closeServer(server);
    }
  },
);

tlsSuite("raw bytes written under a TLS client reach the peer as a bad record", async () => {
  // Node's test-tls-alert-handling: the TLS client reports the server's alert, not a failed write.
  const { server, port } = await tlsEchoServer();
  const raw = net.connect({ port, host: "127.0.0.1" });
  try {
    const secure = tls.connect({
      socket: raw as unknown as nodeNet.Socket,
      ca: cert,
      servername: "localhost",
    });
    await handshakeAndEcho(secure, 1_000);
    const failed = new Promise<NodeJS.ErrnoException>((r) => secure.once("error", r));
    raw.end(Buffer.alloc(6, 0xff));
    const err = await within(failed, "TLS alert");
    assert.match(String(err.code), /^ERR_SSL_/, `${err.code}: ${err.message}`);
  } finally {
    raw.destroy();
    // Not waited for: Deno's tls server never calls back after a peer's bad record (with
    // Deno's own sockets too), and nothing then keeps Deno's process up.
    server.close();
  }
});

tlsSuite(
  "the socket under node:tls closes with false, and a peer's RST is the TLS socket's error alone",
  async () => {
    // As a Node socket under a TLS socket: its 'close' says false (no error of its own), and
    // what ended the connection is reported once, by the TLS socket. Bun's node:tls upgrades
    // omninet's socket in place there; the socket said `undefined`, and a RST reached it too.
    const peers: nodeNet.Socket[] = [];
    // The peer on the runtime's own node:net (a RST from every runtime); the socket under test
    // is omninet's.
    const front = nodeNet.createServer((sock) => {
      peers.push(sock);
      const t = new tls.TLSSocket(sock, { isServer: true, key, cert });
      t.on("error", () => {});
      t.write("hi");
    });
    front.listen(0, "127.0.0.1");
    await waitFor(front, "listening");
    const port = (front.address() as nodeNet.AddressInfo).port;
    try {
      for (const ending of ["end", "reset", "refused"] as const) {
        const raw = net.connect(port, "127.0.0.1");
        const log: string[] = [];
        raw.on("error", (e: Error & { code?: string }) => log.push(`raw error ${e.code}`));
        raw.on("close", (hadError: unknown) => log.push(`raw close ${hadError}`));
        raw.on("end", () => log.push("raw end"));
        // "refused": the client rejects the self-signed certificate (no `ca`), as basic-ftp's
        // AUTH TLS to such a server; the socket under it closes without an 'end' of its own.
        const t = tls.connect({
          socket: raw,
          ca: ending === "refused" ? undefined : cert,
          servername: "localhost",
        });
        t.on("error", (e: Error & { code?: string }) => log.push(`tls error ${e.code}`));
        if (ending !== "refused") {
          await within(waitFor(t, "data"), "TLS data");
          const peer = peers[peers.length - 1];
          if (ending === "reset") peer.resetAndDestroy();
          else peer.end();
        }
        if (ending === "end") t.end();
        await within(waitFor(t, "close"), "TLS close");
        if (!log.some((l) => l.startsWith("raw close"))) {
          await within(waitFor(raw, "close"), "raw close");
        }
        // Where node:tls takes omninet's socket natively, the socket reports nothing of its own;
        // a Duplex reports its own errors.
        if (tlsTakesHandle()) {
          assert.ok(!log.some((l) => l.startsWith("raw error")), `${ending}: ${log}`);
          assert.ok(log.includes("raw close false"), `${ending}: ${log}`);
          assert.ok(!log.includes("raw end"), `${ending}: ${log}`);
        }
        if (ending === "refused") {
          assert.equal(log.filter((l) => l.startsWith("tls error")), [
            "tls error DEPTH_ZERO_SELF_SIGNED_CERT",
          ]);
        }
        // Deno's node:tls takes a RST for a clean end (its own sockets too): no error there.
        if (ending === "reset" && currentRuntime() !== "deno") {
          assert.equal(log.filter((l) => l.startsWith("tls error")), ["tls error ECONNRESET"]);
        }
      }
    } finally {
      for (const p of peers) p.destroy();
      await new Promise((r) => front.close(r));
    }
  },
);

tlsSuite("unref() on a TLS socket over an omninet socket lets the process exit", async () => {
  // As Node's TLS socket, which holds the net socket's handle: on Bun, whose node:tls upgrades
  // omninet's socket in place, the socket under it kept the process alive.
  // The forced adapters' sockets are read by node:tls as any Duplex (no shared handle): there,
  // as for a Duplex on Node, the socket under TLS needs its own unref() too.
  // With the node:net adapter forced on Bun, Bun's node:tls upgrades in place the Bun socket of
  // that adapter's own node:net socket, which keeps the process up (README, Runtime support).
  const shared = tlsTakesHandle();
  const variants = shared ? [[], ["raw"]] : currentRuntime() === "bun" ? [] : [["raw"]];
  assert.ok(variants.length > 0 || (getTransport().name === "node" && currentRuntime() === "bun"));
  for (const args of variants) {
    const run = await spawnScript("fixtures/tls_unref", args, {}, { timeoutMs: 10_000 });
    assert.is(run.timedOut, false, `${args}: did not exit (${run.stdout} ${run.stderr})`);
    assert.is(run.stdout, "data\nexit\n", `${args}: ${run.stderr}`);
  }
});

tlsSuite.run();

const h2Suite = suite("node:http2 over omninet sockets");

h2Suite("an http2 client dials through omninet (createConnection)", async () => {
  const server = http2.createServer((req, res) => res.end(`h2 ${req.url}`));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as nodeNet.AddressInfo).port;
  const client = http2.connect(`http://127.0.0.1:${port}`, {
    createConnection: () => dial({ port, host: "127.0.0.1" }) as never,
  });
  try {
    for (let i = 0; i < 3; i++) {
      const req = client.request({ ":path": `/x${i}` });
      assert.is((await readAll(req)).toString(), `h2 /x${i}`);
    }
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
});

h2Suite("an http2 server fed by an omninet server answers", async () => {
  const h2 = http2.createServer((_req, res) => res.end(pattern(200_000, 4)));
  const server = net.createServer((s) => h2.emit("connection", s));
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const body = await within(readAll(client.request({ ":path": "/y" })), "h2 response");
    assert.ok(body.equals(pattern(200_000, 4)), "http2 response differs");
  } finally {
    client.close();
    await closeServer(server);
    h2.close();
  }
});

h2Suite.run();

const countSuite = suite("byte counts of sockets under node:tls and node:http2");

/** What the two raw sockets of a connection counted, once both are closed. */
interface Counts {
  srvW: number;
  srvR: number;
  cliW: number;
  cliR: number;
}

type NetLike = Pick<typeof nodeNet, "createServer" | "connect">;

const closed = (s: nodeNet.Socket): Promise<unknown> =>
  s.closed ? Promise.resolve() : new Promise((r) => s.once("close", r));

/**
 * A node:http2 exchange (100 kB up, 300 kB down) over a connection made with
 * `lib`: the client dials through createConnection, the server is fed the
 * accepted socket. Both stacks drive the socket's handle themselves where
 * the runtime lets them (Node's http2 consumes it).
 */
async function h2Counts(lib: NetLike): Promise<Counts> {
  const h2 = http2.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(pattern(300_000, 5)));
  });
  const accepted: nodeNet.Socket[] = [];
  const server = lib.createServer((s) => {
    accepted.push(s);
    h2.emit("connection", s);
  });
  const port = await listen(server as unknown as net.Server);
  let raw: nodeNet.Socket | undefined;
  const client = http2.connect(`http://127.0.0.1:${port}`, {
    createConnection: () => (raw = lib.connect({ port, host: "127.0.0.1" })) as never,
  });
  try {
    const req = client.request({ ":path": "/", ":method": "POST" });
    req.end(pattern(100_000, 6));
    const body = await within(readAll(req), "h2 response");
    assert.is(sha(body), sha(pattern(300_000, 5)), "h2 response differs");
  } finally {
    // Both sessions end and close their sockets themselves once the client's GOAWAY is read:
    // then each end has read all the other wrote.
    await within(new Promise<void>((r) => client.close(() => r())), "h2 client close");
    await within(Promise.all([closed(raw!), closed(accepted[0])]), "h2 sockets closed");
    await closeServer(server as unknown as net.Server);
    h2.close();
  }
  const srv = accepted[0];
  return {
    srvW: srv.bytesWritten,
    srvR: srv.bytesRead,
    cliW: raw!.bytesWritten,
    cliR: raw!.bytesRead,
  };
}

/**
 * A node:tls echo of 100 kB over a connection made with `lib`: the client
 * wraps a connected socket (tls.connect({ socket })), the server wraps the
 * accepted one (new tls.TLSSocket). Node's tls takes a socket's handle over.
 */
async function tlsCounts(lib: NetLike): Promise<Counts> {
  const accepted: nodeNet.Socket[] = [];
  const server = lib.createServer((s) => {
    accepted.push(s);
    const secure = new tls.TLSSocket(s, { isServer: true, key, cert });
    secure.on("data", (d: Buffer) => secure.write(d));
    secure.on("end", () => secure.end());
    secure.on("error", () => {});
  });
  const port = await listen(server as unknown as net.Server);
  const raw = lib.connect({ port, host: "127.0.0.1" });
  try {
    await within(new Promise((r) => raw.once("connect", r)), "tls raw connect");
    const secure = tls.connect({ socket: raw, ca: cert, servername: "localhost" });
    await handshakeAndEcho(secure, 100_000);
    secure.end();
    await within(new Promise((r) => secure.once("close", r)), "tls close");
  } finally {
    raw.destroy();
    accepted[0].destroy();
    await within(Promise.all([closed(raw), closed(accepted[0])]), "tls sockets closed");
    await closeServer(server as unknown as net.Server);
  }
  const srv = accepted[0];
  return {
    srvW: srv.bytesWritten,
    srvR: srv.bytesRead,
    cliW: raw.bytesWritten,
    cliR: raw.bytesRead,
  };
}

/**
 * Node's socket counts are its handle's, so they include what node:tls and
 * node:http2 read and wrote through it themselves. omninet's counts must be
 * complete wherever the runtime's own node:net's are (on Node: all of them;
 * Deno's own miss its TLS writes, Bun's its reads and its http2 server's
 * writes), and agree across the connection where both ends count.
 */
for (
  const [name, run, up, down] of [
    ["http2", h2Counts, 100_000, 300_000],
    ["tls", tlsCounts, 100_000, 100_000],
  ] as const
) {
  countSuite(`${name}: the sockets count what the stack moved, as node:net's do`, async () => {
    const own = await run(nodeNet);
    const ours = await run(net as unknown as NetLike);
    const least = { srvW: down, srvR: up, cliW: up, cliR: down };
    for (const k of ["srvW", "srvR", "cliW", "cliR"] as const) {
      if (own[k] >= least[k]) {
        assert.ok(
          ours[k] >= least[k],
          `${k}: omninet ${ours[k]}, node:net ${own[k]} (at least ${least[k]} moved)`,
        );
      }
    }
    if (ours.srvW >= down && ours.cliR >= down) assert.is(ours.srvW, ours.cliR, "down");
    if (ours.cliW >= up && ours.srvR >= up) assert.is(ours.cliW, ours.srvR, "up");
    if (currentRuntime() === "node") {
      for (const k of ["srvW", "srvR", "cliW", "cliR"] as const) {
        assert.ok(ours[k] >= least[k], `${k}: ${ours[k]} on Node`);
      }
    }
  });
}

countSuite.run();

const wsSuite = suite("ws over an HTTP upgrade on omninet sockets");

wsSuite("text and binary messages cross a WebSocket carried by omninet on both ends", async () => {
  const srv = await omninetHttpServer();
  const wss = new WebSocketServer({ noServer: true });
  srv.httpServer.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${srv.port}/chat`, { createConnection: dial });
  try {
    await within(
      new Promise((resolve, reject) => {
        client.once("open", resolve);
        client.once("error", reject);
      }),
      "ws open",
    );
    assert.is(srv.accepted.length, 1, "the upgrade did not come through omninet");
    const messages = [Buffer.from("hello ✓"), pattern(200_000, 11), pattern(1, 2)];
    const binary = [false, true, true];
    for (let i = 0; i < messages.length; i++) {
      const reply = new Promise<[Buffer, boolean]>((resolve) =>
        client.once("message", (d, isBinary) => resolve([d as Buffer, isBinary]))
      );
      client.send(messages[i], { binary: binary[i] });
      const [data, isBinary] = await within(reply, `message ${i}`);
      assert.is(isBinary, binary[i]);
      assert.ok(Buffer.from(data).equals(messages[i]), `message ${i} differs`);
    }
    const closed = new Promise<[number, string]>((resolve) =>
      client.once("close", (code, reason) => resolve([code, String(reason)]))
    );
    client.close(1000, "bye");
    assert.equal(await within(closed, "ws close"), [1000, "bye"]);
  } finally {
    client.terminate();
    wss.close();
    await srv.close();
  }
});

wsSuite.run();
