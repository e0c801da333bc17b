// Network benchmark on the current runtime, both ends in one process:
// echo throughput (64 KiB chunks), 64-byte ping-pong round trips/s and
// connects/s, for omninet, the runtime's own node:net, and the raw runtime API.
// Prints one JSON line per measurement; scripts/bench_net.mjs runs it on every
// runtime and prints the table with ratios.
//
// Usage: <runtime> scripts/bench_net.ts [--quick]
import * as nodeNet from "node:net";
import { Buffer } from "node:buffer";
import process from "node:process";
import { echoRun } from "./_echo_client.ts";

type NetLike = {
  createServer: typeof nodeNet.createServer;
  connect: typeof nodeNet.connect;
};

const quick = process.argv.includes("--quick");
const THROUGHPUT_BYTES = (quick ? 64 : 512) * 1024 * 1024;
const CHUNK = 64 * 1024;
const PINGS = quick ? 5_000 : 20_000;
const CONNECTS = quick ? 500 : 2_000;
const ROUNDS = quick ? 1 : 5;

function listen(net: NetLike, handler: (s: nodeNet.Socket) => void): Promise<nodeNet.Server> {
  return new Promise((resolve) => {
    const server = net.createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function close(server: nodeNet.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: nodeNet.Server): number {
  return (server.address() as nodeNet.AddressInfo).port;
}

async function throughput(net: NetLike): Promise<number> {
  const server = await listen(net, (s) => s.pipe(s));
  const ms = await echoRun(net, portOf(server), THROUGHPUT_BYTES, CHUNK);
  await close(server);
  return THROUGHPUT_BYTES / 1024 / 1024 / (ms / 1000);
}

async function pingPong(net: NetLike): Promise<number> {
  const server = await listen(net, (s) => s.on("data", (d: Buffer) => s.write(d)));
  const msg = Buffer.alloc(64, 1);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(portOf(server), "127.0.0.1");
    let left = PINGS, pending = 64;
    c.on("connect", () => c.write(msg));
    c.on("data", (d: Buffer) => {
      pending -= d.length;
      if (pending > 0) return;
      if (--left === 0) return c.destroy();
      pending = 64;
      c.write(msg);
    });
    c.on("close", () => resolve());
    c.on("error", reject);
  });
  const ms = performance.now() - t0;
  await close(server);
  return PINGS / (ms / 1000);
}

async function connects(net: NetLike): Promise<number> {
  const server = await listen(net, (s) => s.end());
  const port = portOf(server);
  const t0 = performance.now();
  for (let i = 0; i < CONNECTS; i++) {
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(port, "127.0.0.1");
      c.on("error", reject);
      c.on("close", () => resolve());
      c.resume();
    });
  }
  const ms = performance.now() - t0;
  await close(server);
  return CONNECTS / (ms / 1000);
}

// ---- raw runtime APIs ----------------------------------------------------

type DenoConn = {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
};
type DenoNs = {
  listen(o: { hostname: string; port: number }): AsyncIterable<DenoConn> & {
    addr: { port: number };
    close(): void;
  };
  connect(o: { hostname: string; port: number }): Promise<DenoConn>;
};
// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const Deno: DenoNs | undefined = g.Deno;
const Bun = g.Bun;

async function denoWriteAll(c: DenoConn, p: Uint8Array): Promise<void> {
  let off = 0;
  while (off < p.length) off += await c.write(off === 0 ? p : p.subarray(off));
}

function denoServe(onConn: (c: DenoConn) => Promise<void>) {
  const l = Deno!.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    try {
      for await (const c of l) onConn(c).catch(() => {}).finally(() => c.close());
    } catch { /* listener closed */ }
  })();
  return l;
}

async function denoEcho(c: DenoConn): Promise<void> {
  const buf = new Uint8Array(CHUNK);
  for (let n; (n = await c.read(buf)) !== null;) await denoWriteAll(c, buf.subarray(0, n));
}

const rawDeno = {
  async throughput(): Promise<number> {
    const l = denoServe(denoEcho);
    const chunk = new Uint8Array(CHUNK).fill(7);
    const t0 = performance.now();
    const c = await Deno!.connect({ hostname: "127.0.0.1", port: l.addr.port });
    const writer = (async () => {
      for (let sent = 0; sent < THROUGHPUT_BYTES; sent += CHUNK) await denoWriteAll(c, chunk);
    })();
    const buf = new Uint8Array(CHUNK);
    let got = 0;
    while (got < THROUGHPUT_BYTES) {
      const n = await c.read(buf);
      if (n === null) break;
      got += n;
    }
    await writer;
    c.close();
    const ms = performance.now() - t0;
    l.close();
    return THROUGHPUT_BYTES / 1024 / 1024 / (ms / 1000);
  },
  async pingPong(): Promise<number> {
    const l = denoServe(denoEcho);
    const msg = new Uint8Array(64).fill(1);
    const buf = new Uint8Array(64);
    const t0 = performance.now();
    const c = await Deno!.connect({ hostname: "127.0.0.1", port: l.addr.port });
    for (let i = 0; i < PINGS; i++) {
      await denoWriteAll(c, msg);
      for (let got = 0; got < 64;) got += (await c.read(buf)) ?? 64;
    }
    c.close();
    const ms = performance.now() - t0;
    l.close();
    return PINGS / (ms / 1000);
  },
  async connects(): Promise<number> {
    const l = denoServe(async () => {});
    const buf = new Uint8Array(16);
    const t0 = performance.now();
    for (let i = 0; i < CONNECTS; i++) {
      const c = await Deno!.connect({ hostname: "127.0.0.1", port: l.addr.port });
      while ((await c.read(buf)) !== null);
      c.close();
    }
    const ms = performance.now() - t0;
    l.close();
    return CONNECTS / (ms / 1000);
  },
};

// Bun sockets: write() may take only part of a chunk; the rest waits for drain.
type BunSocket = {
  write(p: Uint8Array): number;
  end(): void;
  data: { pending: Uint8Array[]; got: number };
};
function bunFlush(s: BunSocket): void {
  const q = s.data.pending;
  while (q.length) {
    const head = q[0];
    const n = s.write(head);
    if (n < head.length) {
      q[0] = head.subarray(Math.max(n, 0));
      return;
    }
    q.shift();
  }
}
function bunSend(s: BunSocket, p: Uint8Array): void {
  if (s.data.pending.length) {
    s.data.pending.push(p.slice());
    return;
  }
  const n = s.write(p);
  if (n < p.length) s.data.pending.push(p.slice(Math.max(n, 0)));
}
function bunEchoServer() {
  return Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s: BunSocket) {
        s.data = { pending: [], got: 0 };
      },
      data: bunSend,
      drain: bunFlush,
    },
  });
}

const rawBun = {
  async throughput(): Promise<number> {
    const l = bunEchoServer();
    const chunk = new Uint8Array(CHUNK).fill(7);
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      const pump = (s: BunSocket) => {
        while (sent < THROUGHPUT_BYTES && s.data.pending.length === 0) {
          sent += CHUNK;
          bunSend(s, chunk);
        }
      };
      Bun.connect({
        hostname: "127.0.0.1",
        port: l.port,
        socket: {
          open(s: BunSocket) {
            s.data = { pending: [], got: 0 };
            pump(s);
          },
          drain(s: BunSocket) {
            bunFlush(s);
            pump(s);
          },
          data(s: BunSocket, d: Uint8Array) {
            s.data.got += d.length;
            if (s.data.got >= THROUGHPUT_BYTES) s.end();
          },
          close: () => resolve(),
        },
      });
    });
    const ms = performance.now() - t0;
    l.stop(true);
    return THROUGHPUT_BYTES / 1024 / 1024 / (ms / 1000);
  },
  async pingPong(): Promise<number> {
    const l = bunEchoServer();
    const msg = new Uint8Array(64).fill(1);
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let left = PINGS;
      Bun.connect({
        hostname: "127.0.0.1",
        port: l.port,
        socket: {
          open(s: BunSocket) {
            s.data = { pending: [], got: 0 };
            bunSend(s, msg);
          },
          drain: bunFlush,
          data(s: BunSocket, d: Uint8Array) {
            s.data.got += d.length;
            if (s.data.got < 64) return;
            s.data.got = 0;
            if (--left === 0) return s.end();
            bunSend(s, msg);
          },
          close: () => resolve(),
        },
      });
    });
    const ms = performance.now() - t0;
    l.stop(true);
    return PINGS / (ms / 1000);
  },
  async connects(): Promise<number> {
    const l = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: { open: (s: BunSocket) => s.end(), data() {} },
    });
    const t0 = performance.now();
    for (let i = 0; i < CONNECTS; i++) {
      await new Promise<void>((resolve) => {
        Bun.connect({
          hostname: "127.0.0.1",
          port: l.port,
          socket: { data() {}, close: () => resolve(), end: (s: BunSocket) => s.end() },
        });
      });
    }
    const ms = performance.now() - t0;
    l.stop(true);
    return CONNECTS / (ms / 1000);
  },
};

// ---- driver ----------------------------------------------------------------

async function main(): Promise<void> {
  const runtime = Deno ? "deno" : Bun ? "bun" : "node";
  // Run from dist/scripts/*.js on Node (the built package), from source elsewhere.
  const ext = import.meta.url.endsWith(".js") ? "js" : "ts";
  const omninet = (await import(new URL(`../mod.${ext}`, import.meta.url).href)) as NetLike;
  const raw = Deno ? rawDeno : Bun ? rawBun : undefined;
  const subjects: [string, () => Promise<number>, () => Promise<number>, () => Promise<number>][] =
    [
      ["omninet", () => throughput(omninet), () => pingPong(omninet), () => connects(omninet)],
      ["node:net", () => throughput(nodeNet), () => pingPong(nodeNet), () => connects(nodeNet)],
    ];
  if (raw) subjects.push(["raw", raw.throughput, raw.pingPong, raw.connects]);
  // One discarded warm-up pass, then rounds that alternate the subjects so
  // drift in machine load hits all of them alike; the best round counts.
  const metrics = ["throughput_MiBps", "pingpong_rtps", "connects_per_s"];
  for (let m = 0; m < metrics.length; m++) {
    const top = new Map<string, number>();
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, ...fns] of subjects) {
        const value = await fns[m]();
        if (round > 0) top.set(name, Math.max(top.get(name) ?? 0, value));
      }
    }
    for (const [name, value] of top) {
      console.log(JSON.stringify({ runtime, subject: name, metric: metrics[m], value }));
    }
  }
}

await main();
