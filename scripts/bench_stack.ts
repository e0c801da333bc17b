// Stack benchmark on the current runtime, both ends in one process: node:http
// and node:tls running over omninet sockets against the same stacks over the
// runtime's own node:net sockets.
// - http_seq_rps: sequential keep-alive requests/s on one connection (latency);
// - http_par_rps: requests/s with 16 keep-alive connections in parallel;
// - tls_upload_MiBps: one upload through tls.connect({ socket }) to a
//   tls.createServer on the runtime's own sockets.
// A third subject, "duplex", hands the stacks the runtime's own sockets
// behind a plain stream.Duplex: the path a runtime's http and tls take for
// any socket that is not its own class (omninet's included).
// The HTTP server gets its connections through server.emit("connection")
// from a net server of the subject; the client's Agent dials with the
// subject's createConnection. Prints one JSON line per measurement;
// scripts/bench_stack.mjs runs it on every runtime and prints the table.
//
// Usage: <runtime> scripts/bench_stack.ts [--quick] [--only=http|tls]
import * as nodeNet from "node:net";
import * as http from "node:http";
import * as tls from "node:tls";
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { readFileSync } from "node:fs";
import process from "node:process";

type NetLike = {
  createServer: typeof nodeNet.createServer;
  createConnection: typeof nodeNet.createConnection;
};

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const SEQ_REQUESTS = quick ? 500 : 2_000;
const PAR_REQUESTS = quick ? 2_000 : 10_000;
const PAR_CONNECTIONS = 16;
const TLS_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const TLS_CHUNK = 64 * 1024;
const ROUNDS = quick ? 1 : 3;
const BODY = Buffer.from("hello from the stack benchmark\n");

const fixtures = new URL(
  import.meta.url.endsWith(".js") ? "../../tests/fixtures/" : "../tests/fixtures/",
  import.meta.url,
);
const key = readFileSync(new URL("tls_key.pem", fixtures));
const cert = readFileSync(new URL("tls_cert.pem", fixtures));

/** Wall-clock and process CPU time since `start()`, in seconds. */
function stopwatch(): () => { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
}

/** A rate by wall clock and by CPU time (steadier on a shared machine). */
interface Rate {
  wall: number;
  cpu: number;
}

function rate(amount: number, t: { wall: number; cpu: number }): Rate {
  return { wall: amount / t.wall, cpu: amount / t.cpu };
}

function listening(server: nodeNet.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as nodeNet.AddressInfo).port));
  });
}

function closed(server: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An HTTP server fed by `net`'s server, and a keep-alive Agent dialling with `net`. */
async function httpPair(net: NetLike) {
  const httpServer = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(BODY));
  });
  const netServer = net.createServer((s) => httpServer.emit("connection", s));
  const port = await listening(netServer as nodeNet.Server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: PAR_CONNECTIONS });
  (agent as unknown as { createConnection: typeof nodeNet.createConnection }).createConnection =
    net.createConnection;
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ port, host: "127.0.0.1", path: "/", agent }, (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => (n += d.length));
        res.on("end", () => (n === BODY.length ? resolve() : reject(new Error(`got ${n} bytes`))));
      });
      req.on("error", reject);
      req.end();
    });
  const stop = async () => {
    agent.destroy();
    httpServer.closeAllConnections?.();
    await closed(netServer as nodeNet.Server);
  };
  return { get, stop };
}

async function httpSequential(net: NetLike): Promise<Rate> {
  const { get, stop } = await httpPair(net);
  await get();
  const lap = stopwatch();
  for (let i = 0; i < SEQ_REQUESTS; i++) await get();
  const t = lap();
  await stop();
  return rate(SEQ_REQUESTS, t);
}

async function httpParallel(net: NetLike): Promise<Rate> {
  const { get, stop } = await httpPair(net);
  await Promise.all(Array.from({ length: PAR_CONNECTIONS }, get));
  let left = PAR_REQUESTS;
  const lap = stopwatch();
  await Promise.all(Array.from({ length: PAR_CONNECTIONS }, async () => {
    while (left-- > 0) await get();
  }));
  const t = lap();
  await stop();
  return rate(PAR_REQUESTS, t);
}

/** The runtime's own socket behind a minimal Duplex that forwards both ways. */
function behindDuplex(sock: nodeNet.Socket): Duplex {
  const d = new Duplex({
    read() {
      sock.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      sock.write(chunk, cb);
    },
    writev(chunks, cb) {
      sock.cork();
      for (let i = 0; i < chunks.length; i++) {
        sock.write(chunks[i].chunk, i === chunks.length - 1 ? cb : undefined);
      }
      sock.uncork();
    },
    final(cb) {
      sock.end(cb);
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  sock.on("data", (chunk: Buffer) => {
    if (!d.push(chunk)) sock.pause();
  });
  sock.on("end", () => d.push(null));
  sock.on("error", (err: Error) => d.destroy(err));
  sock.on("timeout", () => d.emit("timeout"));
  // The socket methods node:http calls, forwarded.
  Object.assign(d, {
    setNoDelay: (on?: boolean) => (sock.setNoDelay(on), d),
    ref: () => (sock.ref(), d),
    unref: () => (sock.unref(), d),
    setKeepAlive: (on?: boolean, delay?: number) => (sock.setKeepAlive(on, delay), d),
    setTimeout: (ms: number, cb?: () => void) => {
      sock.setTimeout(ms);
      if (cb) d.once("timeout", cb);
      return d;
    },
  });
  return d;
}

const duplexNet: NetLike = {
  createServer:
    ((handler: (s: nodeNet.Socket) => void) =>
      nodeNet.createServer((s) =>
        handler(behindDuplex(s) as unknown as nodeNet.Socket)
      )) as typeof nodeNet.createServer,
  createConnection: ((...args: Parameters<typeof nodeNet.createConnection>) => {
    const sock = nodeNet.createConnection(...args);
    const d = behindDuplex(sock) as unknown as nodeNet.Socket;
    sock.once("connect", () => d.emit("connect"));
    return d;
  }) as typeof nodeNet.createConnection,
};

async function tlsUpload(net: NetLike): Promise<Rate> {
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const server = tls.createServer({ key, cert }, (s) => {
    s.on("data", (d: Buffer) => {
      got += d.length;
      if (got >= TLS_BYTES) done();
    });
    s.on("error", () => {});
  });
  const port = await listening(server);
  const raw = net.createConnection({ port, host: "127.0.0.1" });
  await new Promise((resolve) => raw.once("connect", resolve));
  const chunk = Buffer.alloc(TLS_CHUNK, 7);
  const lap = stopwatch();
  const c = tls.connect({ socket: raw, ca: cert, servername: "localhost" });
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    const pump = () => {
      while (sent < TLS_BYTES) {
        sent += TLS_CHUNK;
        if (!c.write(chunk)) return;
      }
    };
    c.once("secureConnect", pump);
    c.on("drain", pump);
    c.on("error", reject);
    finished.then(resolve);
  });
  const t = lap();
  c.destroy();
  raw.destroy();
  await closed(server);
  return rate(TLS_BYTES / 1024 / 1024, t);
}

async function main(): Promise<void> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
  const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
  const omninet = (await import(new URL(`../mod.${ext}`, import.meta.url).href)) as NetLike;
  const subjects: [string, NetLike][] = [["omninet", omninet], ["node:net", nodeNet]];
  const metrics: [string, (net: NetLike) => Promise<Rate>, [string, NetLike][]][] = [];
  if (only !== "tls") {
    metrics.push(
      ["http_seq_rps", httpSequential, [...subjects, ["duplex", duplexNet]]],
      ["http_par_rps", httpParallel, [...subjects, ["duplex", duplexNet]]],
    );
  }
  if (only !== "http") {
    metrics.push(["tls_upload_MiBps", tlsUpload, [...subjects, ["duplex", duplexNet]]]);
  }
  // One discarded warm-up round, then rounds alternating the subjects; the
  // best counts, by wall clock and, separately, by CPU time ("<metric>_cpu":
  // work per CPU-second, both ends together, which other load disturbs less).
  for (const [metric, fn, among] of metrics) {
    const top = new Map<string, Rate>();
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, net] of among) {
        const r = await fn(net);
        if (round === 0) continue;
        const best = top.get(name) ?? { wall: 0, cpu: 0 };
        top.set(name, { wall: Math.max(best.wall, r.wall), cpu: Math.max(best.cpu, r.cpu) });
      }
    }
    for (const [name, r] of top) {
      console.log(JSON.stringify({ runtime, subject: name, metric, value: r.wall }));
      console.log(
        JSON.stringify({ runtime, subject: name, metric: `${metric}_cpu`, value: r.cpu }),
      );
    }
  }
}

await main();
