// TLS in the Sockets API on every configuration: which route the handshake
// takes (the runtime's own TLS on the connection wherever the transport has
// one), bytes over it, ALPN, SNI, certificate failures, startTls(),
// half-open and close while handshaking.
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import * as nodeNet from "node:net";
import { join } from "node:path";
import * as tls from "node:tls";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getTransport } from "../runtimes/mod.ts";
import { TlsSocketHandle } from "../runtimes/_node_tls.ts";
import { connect, type Socket, SocketError, toNetSocket } from "../sockets.ts";
import { internalsOf } from "../sockets/socket.ts";
import { JS_STREAM_ROUTE } from "../sockets/tls.ts";
import { removeDir, tempDir } from "./_net.ts";

const fixtures = new URL(
  import.meta.url.endsWith(".js") ? "../../tests/fixtures/" : "./fixtures/",
  import.meta.url,
);
const KEY = readFileSync(new URL("tls_leaf_key.pem", fixtures));
const CERT = readFileSync(new URL("tls_leaf_cert.pem", fixtures));
const CA = readFileSync(new URL("tls_ca_cert.pem", fixtures));
// A self-signed certificate that did not sign the server's: the wrong CA.
const OTHER_CA = readFileSync(new URL("tls_cert.pem", fixtures));

const MiB = 1024 * 1024;

/** The route a handshake takes on this configuration, for what `req` asks. */
function expectedRoute(
  opts: { rejectUnauthorized?: boolean; afterPlainRead?: boolean; unix?: boolean } = {},
) {
  switch (getTransport().name) {
    case "libuv":
      return "tls_wrap";
    case "node":
      return "node:net";
    case "bun":
      return "bun.upgradeTLS";
    case "deno":
      // Deno.startTls takes TCP only, cannot skip verification, nor take back a read in flight.
      return opts.rejectUnauthorized === false || opts.afterPlainRead || opts.unix
        ? JS_STREAM_ROUTE
        : "deno.startTls";
    default:
      throw new Error(`unknown transport ${getTransport().name}`);
  }
}

function pattern(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}

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

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readable) parts.push(chunk);
  return Buffer.concat(parts);
}

interface TlsServer {
  server: tls.Server;
  port: number;
  close(): Promise<void>;
}

async function tlsServer(
  onSecure: (s: tls.TLSSocket) => void = (s) => s.pipe(s),
  opts: tls.TlsOptions = {},
): Promise<TlsServer> {
  const server = tls.createServer({ key: KEY, cert: CERT, ...opts }, (s) => {
    s.on("error", () => {});
    onSecure(s);
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { server, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Writes `total` bytes of the pattern while reading the echo back; checks every byte. */
async function echoChecked(socket: Socket, total: number): Promise<void> {
  const writer = socket.writable.getWriter();
  const writing = (async () => {
    for (let off = 0; off < total; off += 64 * 1024) {
      await writer.write(pattern(off, Math.min(64 * 1024, total - off)));
    }
  })();
  const reader = socket.readable.getReader();
  let got = 0;
  while (got < total) {
    const { value, done } = await reader.read();
    if (done) break;
    const want = pattern(got, value!.byteLength);
    if (Buffer.compare(Buffer.from(value!), Buffer.from(want)) !== 0) {
      throw new Error(`byte mismatch in the chunk at ${got}`);
    }
    got += value!.byteLength;
  }
  await writing;
  assert.is(got, total);
  reader.releaseLock();
  writer.releaseLock();
}

const route = suite("sockets TLS route");

route("the handshake runs on the runtime's own TLS where the transport has one", async () => {
  const t = await tlsServer();
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      omninet: { tls: { ca: CA } },
    });
    await socket.opened;
    assert.is(internalsOf(socket).tlsRoute(), expectedRoute());
    const handle = internalsOf(socket).handle();
    if (handle instanceof TlsSocketHandle) {
      // node:tls on a runtime-native net.Socket (its own handle), not a JavaScript stream wrapper.
      const parent = (handle.tlsSocket as unknown as { _parent?: unknown })._parent as
        | { _handle?: object }
        | undefined;
      assert.ok(parent instanceof nodeNet.Socket, "the TLS socket sits on a net.Socket");
      const kind = parent!._handle?.constructor.name ?? "";
      assert.ok(kind !== "" && !/JSStream/.test(kind), `underlying handle ${kind}`);
    }
    await socket.close();
  } finally {
    await t.close();
  }
});

route.run();

const data = suite("sockets TLS data");

data("4 MiB echoed over TLS, every byte checked", async () => {
  const t = await tlsServer();
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      omninet: { tls: { ca: CA } },
    });
    await socket.opened;
    await echoChecked(socket, 4 * MiB);
    await socket.close();
  } finally {
    await t.close();
  }
});

data("ALPN: the server's choice among the offered protocols", async () => {
  const t = await tlsServer(undefined, { ALPNProtocols: ["h2", "echo/1"] });
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      alpn: ["echo/1", "http/1.1"],
      omninet: { tls: { ca: CA } },
    });
    assert.is((await socket.opened).alpn, "echo/1");
    await echoChecked(socket, 1000);
    await socket.close();
  } finally {
    await t.close();
  }
});

data("SNI: the sni option, else the hostname connected to", async () => {
  const names: Array<string | undefined> = [];
  const t = await tlsServer(undefined, {
    SNICallback: (name, cb) => {
      names.push(name);
      cb(null, tls.createSecureContext({ key: KEY, cert: CERT }));
    },
  });
  try {
    for (
      const [address, sni] of [[`127.0.0.1:${t.port}`, "localhost"], [
        `localhost:${t.port}`,
        undefined,
      ]] as const
    ) {
      const socket = connect(address, {
        secureTransport: "on",
        sni,
        omninet: { tls: { ca: CA } },
      });
      const info = await socket.opened;
      assert.is(info.alpn, null);
      assert.is(internalsOf(socket).tlsRoute(), expectedRoute());
      await socket.close();
    }
    assert.equal(names, ["localhost", "localhost"]);
  } finally {
    await t.close();
  }
});

data("TLS over a Unix domain socket", async () => {
  const dir = tempDir();
  const path = join(dir, "tls.sock");
  const server = tls.createServer({ key: KEY, cert: CERT }, (s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const socket = connect({ path }, {
      secureTransport: "on",
      sni: "localhost",
      omninet: { tls: { ca: CA } },
    });
    assert.is((await socket.opened).remoteAddress, path);
    assert.is(internalsOf(socket).tlsRoute(), expectedRoute({ unix: true }));
    await echoChecked(socket, 500_000);
    await socket.close();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    removeDir(dir);
  }
});

data.run();

const failures = suite("sockets TLS failures");

failures("a certificate from another CA rejects opened and closed with SocketError", async () => {
  const t = await tlsServer();
  try {
    for (const ca of [OTHER_CA, undefined]) {
      const socket = connect(`localhost:${t.port}`, {
        secureTransport: "on",
        omninet: { tls: { ca } },
      });
      const err = await rejection(socket.opened);
      assert.instance(err, SocketError);
      assert.instance(err, TypeError);
      assert.instance(await rejection(socket.closed), SocketError);
    }
  } finally {
    await t.close();
  }
});

failures("rejectUnauthorized: false accepts the unverified certificate", async () => {
  const t = await tlsServer();
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      omninet: { tls: { rejectUnauthorized: false } },
    });
    await socket.opened;
    assert.is(internalsOf(socket).tlsRoute(), expectedRoute({ rejectUnauthorized: false }));
    await echoChecked(socket, 300_000);
    await socket.close();
  } finally {
    await t.close();
  }
});

failures("close() while handshaking releases the connection", async () => {
  // A server that takes the ClientHello and never answers.
  let seen: nodeNet.Socket | undefined;
  const hello = deferred<void>();
  const gone = deferred<void>();
  const server = nodeNet.createServer((s) => {
    seen = s;
    s.on("error", () => {});
    s.once("data", () => hello.resolve());
    s.on("close", () => gone.resolve());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const socket = connect(`localhost:${port}`, {
      secureTransport: "on",
      omninet: { tls: { ca: CA } },
    });
    await hello.promise;
    const reason = new Error("stop");
    const closing = socket.close(reason);
    assert.is(await rejection(socket.opened), reason);
    await closing;
    // Deno's TLS lets go of a connection whose handshake was interrupted only
    // once the peer speaks again (it then sends an alert and closes).
    if (expectedRoute() === "deno.startTls") seen!.write("not a ServerHello\n");
    // The connection itself is gone: the server sees it close.
    await gone.promise;
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

failures.run();

const upgrade = suite("sockets TLS startTls and half-open");

upgrade("startTls() after plain-text bytes both ways, then 1 MiB over TLS", async () => {
  const t = await tlsServer();
  // A plain front: answers STARTTLS with GO, then splices the connection to the TLS server.
  const front = nodeNet.createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {});
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
  });
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
  const port = (front.address() as { port: number }).port;
  try {
    const plain = connect(`localhost:${port}`, { secureTransport: "starttls" });
    const w = plain.writable.getWriter();
    await w.write("STARTTLS\n");
    const reader = plain.readable.getReader();
    assert.is(Buffer.from((await reader.read()).value!).toString(), "GO\n");
    reader.releaseLock();
    w.releaseLock();
    const secure = plain.startTls({ omninet: { tls: { ca: CA } } });
    await plain.closed;
    const info = await secure.opened;
    assert.is(info.remoteAddress, `127.0.0.1:${port}`);
    assert.is(internalsOf(secure).tlsRoute(), expectedRoute({ afterPlainRead: true }));
    await echoChecked(secure, MiB);
    await secure.close();
  } finally {
    await new Promise<void>((r) => front.close(() => r()));
    await t.close();
  }
});

upgrade("half-open over TLS: the client ends, then reads the server's whole answer", async () => {
  const t = await tlsServer((s) => {
    const parts: Buffer[] = [];
    s.on("data", (d: Buffer) => parts.push(d));
    s.on("end", () => {
      const got = Buffer.concat(parts);
      s.end(`got ${got.length} bytes`);
    });
  }, { allowHalfOpen: true });
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      allowHalfOpen: true,
      omninet: { tls: { ca: CA } },
    });
    await socket.opened;
    const w = socket.writable.getWriter();
    await w.write(pattern(0, 200_000));
    await w.close();
    assert.is((await readAll(socket.readable)).toString(), "got 200000 bytes");
    await socket.closed;
  } finally {
    await t.close();
  }
});

upgrade("half-open over TLS: the server ends first, the client writes on", async () => {
  const received = deferred<number>();
  const t = await tlsServer((s) => {
    let n = 0;
    s.on("data", (d: Buffer) => (n += d.length));
    s.on("end", () => received.resolve(n));
    s.end("bye");
  }, { allowHalfOpen: true });
  try {
    const socket = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      allowHalfOpen: true,
      omninet: { tls: { ca: CA } },
    });
    await socket.opened;
    assert.is((await readAll(socket.readable)).toString(), "bye");
    const w = socket.writable.getWriter();
    await w.write(pattern(0, 100_000));
    await w.close();
    assert.is(await received.promise, 100_000);
    await socket.closed;
  } finally {
    await t.close();
  }
});

upgrade("toNetSocket() of a TLS web socket: the connection goes on, still encrypted", async () => {
  const t = await tlsServer();
  try {
    const web = connect(`localhost:${t.port}`, {
      secureTransport: "on",
      omninet: { tls: { ca: CA } },
    });
    await web.opened;
    const route = internalsOf(web).tlsRoute();
    const net = await toNetSocket(web) as nodeNet.Socket;
    await web.closed;
    // Where node:tls runs the TLS, its TLSSocket itself; else a socket over the plaintext.
    assert.is(
      (net as { encrypted?: boolean }).encrypted === true,
      route === "tls_wrap" ||
        route === "node:net",
    );
    const sent = pattern(0, 300_000);
    const parts: Buffer[] = [];
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      net.on("error", reject);
      net.on("data", (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n >= sent.length) resolve();
      });
      net.write(sent);
      // A TLSSocket handed back is paused, as after pause(): 'data' alone does not start it.
      net.resume();
    });
    assert.ok(Buffer.from(sent).equals(Buffer.concat(parts)));
    await new Promise<void>((r) => {
      net.once("close", () => r());
      net.destroy();
    });
  } finally {
    await t.close();
  }
});

upgrade.run();
