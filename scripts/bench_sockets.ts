// Web-streams socket benchmark on the current runtime, both ends in one
// process: echo throughput (64 KiB chunks) through omninet's Sockets API
// (`listen()` + `readable.pipeTo(writable)` on the server, a writer and a
// reader on the client) against the runtime's best raw API: Deno's
// `conn.readable.pipeTo(conn.writable)` with web streams on the client too,
// Bun's `Bun.listen`/`Bun.connect` sockets, Node's `node:net` sockets.
// TLS echo: the same through `secureTransport: "on"` against one node:tls echo
// server (certificate from tests/fixtures), three clients: omninet on the
// runtime's own TLS (StreamHandle.startTls), omninet forced onto the old route
// (node:tls over the connection as a JavaScript stream), and the runtime's own
// TLS client API (Node: tls.connect; Deno: Deno.connectTls with web streams;
// Bun: Bun.connect with `tls`).
// Prints one JSON line per subject (best of the rounds); scripts/bench_sockets.mjs
// runs it on every runtime and prints the tables.
//
// Usage: <runtime> scripts/bench_sockets.ts [--quick] [--rounds=N] [--only=plain|tls]
import { readFileSync } from "node:fs";
import * as nodeNet from "node:net";
import process from "node:process";
import * as nodeTls from "node:tls";
import { echoRun } from "./_echo_client.ts";
import { connect, listen } from "../sockets.ts";
import { internalsOf, makeSocket, type TlsParams } from "../sockets/socket.ts";
import { startClientTls } from "../sockets/tls.ts";
import type { StreamHandle } from "../runtimes/types.ts";

const quick = process.argv.includes("--quick");
const BYTES = (quick ? 64 : 256) * 1024 * 1024;
const CHUNK = 64 * 1024;
const ROUNDS = Number(
  process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? (quick ? 1 : 5),
);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

const mibPerSec = (ms: number) => BYTES / 1024 / 1024 / (ms / 1000);

/** Writes BYTES through `writable` and reads them back from `readable`, then closes both. */
async function clientStreams(
  readable: ReadableStream<Uint8Array>,
  writable: WritableStream<Uint8Array>,
): Promise<void> {
  const chunk = new Uint8Array(CHUNK).fill(7);
  const w = writable.getWriter();
  const writing = (async () => {
    for (let sent = 0; sent < BYTES; sent += CHUNK) await w.write(chunk);
  })();
  let got = 0;
  const r = readable.getReader();
  while (got < BYTES) {
    const { value, done } = await r.read();
    if (done) break;
    got += value.byteLength;
  }
  await writing;
  await r.cancel();
  await w.close().catch(() => {});
  if (got !== BYTES) throw new Error(`echo returned ${got} of ${BYTES} bytes`);
}

async function omninet(): Promise<number> {
  const server = await listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const s of server) s.readable.pipeTo(s.writable).catch(() => {});
  })();
  const t0 = performance.now();
  const socket = connect({ hostname: "127.0.0.1", port: (server.addr as { port: number }).port });
  await clientStreams(socket.readable, socket.writable);
  const ms = performance.now() - t0;
  await socket.close();
  await server.close();
  await serving;
  return mibPerSec(ms);
}

// ---- raw runtime APIs ----------------------------------------------------

type DenoConn = { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
type DenoListener = AsyncIterable<DenoConn> & { addr: { port: number }; close(): void };
const Deno = (globalThis as {
  Deno?: {
    listen(o: { hostname: string; port: number }): DenoListener;
    connect(o: { hostname: string; port: number }): Promise<DenoConn & { close(): void }>;
  };
}).Deno;

async function rawDeno(): Promise<number> {
  const l = Deno!.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    try {
      for await (const c of l) c.readable.pipeTo(c.writable).catch(() => {});
    } catch { /* listener closed */ }
  })();
  const t0 = performance.now();
  const c = await Deno!.connect({ hostname: "127.0.0.1", port: l.addr.port });
  await clientStreams(c.readable, c.writable);
  const ms = performance.now() - t0;
  l.close();
  await serving;
  return mibPerSec(ms);
}

type BunSocket = {
  write(d: Uint8Array): number;
  end(): void;
  data: { pending: Uint8Array | null; got: number; sent: number };
};
const Bun = (globalThis as {
  Bun?: {
    listen(o: unknown): { port: number; stop(force?: boolean): void };
    connect(o: unknown): Promise<BunSocket>;
  };
}).Bun;

/** Bun.write may take part of a chunk: keep the rest for the next drain. */
function bunSend(s: BunSocket, d: Uint8Array): boolean {
  const n = s.write(d);
  if (n < d.byteLength) {
    s.data.pending = d.subarray(Math.max(n, 0));
    return false;
  }
  return true;
}

function bunFlush(s: BunSocket): boolean {
  const p = s.data.pending;
  if (p === null) return true;
  s.data.pending = null;
  return bunSend(s, p);
}

async function rawBun(): Promise<number> {
  const server = Bun!.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s: BunSocket) {
        s.data = { pending: null, got: 0, sent: 0 };
      },
      // Echo with the copy Bun's own examples use when writes can be partial.
      data(s: BunSocket, d: Uint8Array) {
        if (s.data.pending !== null) {
          const joined = new Uint8Array(s.data.pending.byteLength + d.byteLength);
          joined.set(s.data.pending);
          joined.set(d, s.data.pending.byteLength);
          s.data.pending = joined;
          return;
        }
        bunSend(s, new Uint8Array(d));
      },
      drain(s: BunSocket) {
        bunFlush(s);
      },
      end(s: BunSocket) {
        s.end();
      },
    },
  });
  const chunk = new Uint8Array(CHUNK).fill(7);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const pump = (s: BunSocket) => {
      if (!bunFlush(s)) return;
      while (s.data.sent < BYTES) {
        s.data.sent += CHUNK;
        if (!bunSend(s, chunk)) return;
      }
    };
    Bun!.connect({
      hostname: "127.0.0.1",
      port: server.port,
      socket: {
        open(s: BunSocket) {
          s.data = { pending: null, got: 0, sent: 0 };
          pump(s);
        },
        drain: pump,
        data(s: BunSocket, d: Uint8Array) {
          s.data.got += d.byteLength;
          if (s.data.got >= BYTES) s.end();
        },
        close: () => resolve(),
      },
    });
  });
  const ms = performance.now() - t0;
  server.stop(true);
  return mibPerSec(ms);
}

async function rawNode(): Promise<number> {
  const server = nodeNet.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as nodeNet.AddressInfo).port;
  const ms = await echoRun(nodeNet, port, BYTES, CHUNK);
  await new Promise<void>((r) => server.close(() => r()));
  return mibPerSec(ms);
}

// ---- TLS ------------------------------------------------------------------

// Suites and benchmarks run from the sources (Deno, Bun) or dist/scripts/ (Node).
const fixtures = new URL(
  import.meta.url.endsWith(".js") ? "../../tests/fixtures/" : "../tests/fixtures/",
  import.meta.url,
);
const KEY = readFileSync(new URL("tls_leaf_key.pem", fixtures));
const CERT = readFileSync(new URL("tls_leaf_cert.pem", fixtures));
const CA = readFileSync(new URL("tls_ca_cert.pem", fixtures));

async function tlsEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = nodeTls.createServer({ key: KEY, cert: CERT }, (s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as nodeNet.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function omninetTls(): Promise<number> {
  const server = await tlsEchoServer();
  const t0 = performance.now();
  const socket = connect(`localhost:${server.port}`, {
    secureTransport: "on",
    omninet: { tls: { ca: CA } },
  });
  await socket.opened;
  await clientStreams(socket.readable, socket.writable);
  const ms = performance.now() - t0;
  await socket.close();
  await server.close();
  return mibPerSec(ms);
}

/** `h` without its `startTls`: TLS then takes the JavaScript-stream route. */
function withoutNativeTls(h: StreamHandle): StreamHandle {
  return {
    attach: (e) => h.attach(e),
    readStart: () => h.readStart(),
    readStop: () => h.readStop(),
    write: (c, cb) => h.write(c, cb),
    writev: (c, cb) => h.writev(c, cb),
    shutdown: (cb) => h.shutdown(cb),
    close: (cb) => h.close(cb),
    setNoDelay: (e) => h.setNoDelay(e),
    setKeepAlive: (e, d) => h.setKeepAlive(e, d),
    ref: () => h.ref(),
    unref: () => h.unref(),
    localAddress: () => h.localAddress(),
    remoteAddress: () => h.remoteAddress(),
  };
}

async function omninetJsTls(): Promise<number> {
  const server = await tlsEchoServer();
  const t0 = performance.now();
  const plain = connect(`localhost:${server.port}`, { secureTransport: "starttls" });
  await plain.opened;
  const handle = await internalsOf(plain).detach();
  const params: TlsParams = { hostname: "localhost", extension: { ca: CA } };
  const socket = makeSocket({ secureTransport: "on", allowHalfOpen: false, tls: params });
  startClientTls(socket, withoutNativeTls(handle), params);
  await socket.opened;
  if (internalsOf(socket).tlsRoute() !== "js-stream") throw new Error("not the JS route");
  await clientStreams(socket.readable, socket.writable);
  const ms = performance.now() - t0;
  await socket.close();
  await server.close();
  return mibPerSec(ms);
}

async function rawTlsNode(): Promise<number> {
  const server = await tlsEchoServer();
  const ms = await echoRun(
    {
      connect: (port, host) =>
        nodeTls.connect({ port, host, servername: "localhost", ca: CA }) as nodeNet.Socket,
    },
    server.port,
    BYTES,
    CHUNK,
  );
  await server.close();
  return mibPerSec(ms);
}

type DenoTlsApi = {
  connectTls(o: { hostname: string; port: number; caCerts: string[] }): Promise<
    DenoConn & { close(): void }
  >;
};

async function rawTlsDeno(): Promise<number> {
  const server = await tlsEchoServer();
  const t0 = performance.now();
  const c = await (Deno as unknown as DenoTlsApi).connectTls({
    hostname: "localhost",
    port: server.port,
    caCerts: [CA.toString()],
  });
  await clientStreams(c.readable, c.writable);
  const ms = performance.now() - t0;
  await server.close();
  return mibPerSec(ms);
}

async function rawTlsBun(): Promise<number> {
  const server = await tlsEchoServer();
  const chunk = new Uint8Array(CHUNK).fill(7);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const pump = (s: BunSocket) => {
      if (!bunFlush(s)) return;
      while (s.data.sent < BYTES) {
        s.data.sent += CHUNK;
        if (!bunSend(s, chunk)) return;
      }
    };
    Bun!.connect({
      hostname: "127.0.0.1",
      port: server.port,
      tls: { ca: CA, serverName: "localhost" },
      socket: {
        open(s: BunSocket) {
          s.data = { pending: null, got: 0, sent: 0 };
        },
        handshake: pump,
        drain: pump,
        data(s: BunSocket, d: Uint8Array) {
          s.data.got += d.byteLength;
          if (s.data.got >= BYTES) s.end();
        },
        close: () => resolve(),
      },
    });
  });
  const ms = performance.now() - t0;
  await server.close();
  return mibPerSec(ms);
}

const rawTls = Deno ? rawTlsDeno : Bun ? rawTlsBun : rawTlsNode;
const rawTlsName = Deno ? "Deno.connectTls" : Bun ? "Bun.connect({ tls })" : "tls.connect";

const raw = Deno ? rawDeno : Bun ? rawBun : rawNode;
const rawName = Deno
  ? "Deno conn.readable.pipeTo(conn.writable)"
  : Bun
  ? "Bun.listen/Bun.connect"
  : "node:net";

// Rounds alternate between the two subjects, after one warm-up each, so load from elsewhere on
// the machine falls on both alike; the best round of each is reported.
const subjects: Array<readonly [string, () => Promise<number>, string]> = [];
if (only !== "tls") {
  subjects.push(["omninet", omninet, "web-streams echo MiB/s"], [
    "raw",
    raw,
    "web-streams echo MiB/s",
  ]);
}
if (only !== "plain") {
  subjects.push(
    ["omninet-tls", omninetTls, "TLS echo MiB/s"],
    ["omninet-tls-js", omninetJsTls, "TLS echo MiB/s"],
    ["raw-tls", rawTls, "TLS echo MiB/s"],
  );
}
const rounds: Record<string, number[]> = {};
for (const [subject, fn] of subjects) {
  await fn();
  rounds[subject] = [];
}
for (let i = 0; i < ROUNDS; i++) {
  for (const [subject, fn] of subjects) rounds[subject].push(await fn());
}
// Each subject's rounds, as a ratio to the raw subject's round run next to it: on a loaded
// machine these paired ratios say more than the ratio of the two best rounds.
const rawOf = (subject: string) =>
  subject === "omninet" ? rounds.raw : subject.startsWith("omninet-tls") ? rounds["raw-tls"] : null;
for (const [subject, , metric] of subjects) {
  const value = Math.max(...rounds[subject]);
  const name = subject.endsWith("tls") || subject.endsWith("-js") ? rawTlsName : rawName;
  const raw = rawOf(subject);
  const pairRatios = raw ? rounds[subject].map((v, i) => v / raw[i]) : undefined;
  console.log(JSON.stringify({ subject, metric, value, rawName: name, pairRatios }));
}
