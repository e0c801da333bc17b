// Members omninet has so that its classes match @types/node's declarations
// of node:net (checked at the type level in tests/package.once.test.ts):
// what they do at run time.
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { warnedCodes } from "../core/errors.ts";
import { createServer } from "../core/server.ts";
import { connect, Socket } from "../core/socket.ts";
import { getTransport, setTransport } from "../runtimes/mod.ts";
import type { StreamHandle, Transport } from "../runtimes/types.ts";
import { closeServer, echoServer, listen, waitFor } from "./_net.ts";

// The real transport, recording each setKeepAlive(enable, delayMs, intervalMs?, count?)
// its handles get; `probes: false` makes it one that cannot set the probes.
function keepAliveSpy(calls: string[], probes?: false): Transport {
  const real = getTransport();
  const wrap = (h: StreamHandle): StreamHandle =>
    new Proxy(h, {
      // The handle's own members run on the handle itself (private fields).
      get(target, key) {
        const v = Reflect.get(target, key);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          if (key === "setKeepAlive") {
            calls.push(args.map((a) => a === undefined ? "-" : String(a)).join(","));
          }
          return v.apply(target, args);
        };
      },
      set: (target, key, value) => Reflect.set(target, key, value),
    });
  return {
    name: "spy",
    features: probes === false ? { ...real.features, keepAliveProbes: false } : real.features,
    connectTcp: (req, cb) => real.connectTcp(req, (err, h) => cb(err, h && wrap(h))),
    connectUnix: (path, cb) => real.connectUnix(path, (err, h) => cb(err, h && wrap(h))),
    listenTcp: (req, events, cb) => real.listenTcp(req, events, cb),
    listenUnix: (req, events, cb) => real.listenUnix(req, events, cb),
  };
}

const compat = suite("members @types/node declares");

compat(
  "server.connections: typed as @types/node declares it, absent at run time as on Node 20+",
  async () => {
    const seen: string[] = [];
    const onWarning = (w: Error & { code?: string }) => seen.push(`${w.name}:${w.code}`);
    process.on("warning", onWarning);
    const server = createServer();
    const accepted = new Promise((resolve) => server.once("connection", resolve));
    const port = await listen(server);
    const client = connect(port, "127.0.0.1");
    try {
      await waitFor(client, "connect");
      await accepted;
      assert.not.ok("connections" in server);
      assert.is(server.connections, undefined);
      const other = createServer();
      other.connections = 5;
      assert.is(other.connections, 5);
      assert.ok(Object.hasOwn(other, "connections"));
      const count = await new Promise((resolve) => other.getConnections((_e, n) => resolve(n)));
      assert.is(count, 0);
      assert.is(
        await new Promise((resolve) => server.getConnections((_e, n) => resolve(n))),
        1,
      );
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen, []);
    } finally {
      process.off("warning", onWarning);
      client.destroy();
      await closeServer(server);
    }
  },
);

compat("bufferSize, bytesWritten and maxConnections read undefined where Node's do", () => {
  const socket = new Socket();
  assert.is(socket.bufferSize, undefined);
  assert.is(socket.autoSelectFamilyAttemptedAddresses, undefined);
  assert.is(createServer().maxConnections, undefined);
  socket.destroy();
});

compat("socket.server is the accepting Server, null on a client socket", async () => {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const port = await listen(server);
  const client = connect(port, "127.0.0.1");
  try {
    const socket = await accepted;
    assert.is(socket.server, server);
    assert.is(client.server, null);
  } finally {
    client.destroy();
    await closeServer(server);
  }
});

// Node 24.21+ and 26 pass the probe interval and count to the handle: omninet
// does too there (features.keepAliveProbes); elsewhere giving them warns once.
for (const forced of [undefined, false] as const) {
  const probes = forced === undefined && getTransport().features.keepAliveProbes === true;
  compat(
    `setKeepAlive takes Node 24.19's options object; interval/count ${
      probes ? "reach the handle" : "warn once"
    }${forced === false ? " (a transport without probes)" : ""}`,
    async () => {
      const { server, port } = await echoServer();
      const calls: string[] = [];
      setTransport(keepAliveSpy(calls, forced));
      const code = "OMNINET_KEEPALIVE_PROBES_IGNORED";
      const already = warnedCodes().has(code);
      const seen: string[] = [];
      const onWarning = (w: Error & { code?: string }) => seen.push(String(w.code));
      process.on("warning", onWarning);
      const s = connect(port, "127.0.0.1");
      // Given before connect, applied on connect, as Node does.
      const early = new Socket().setKeepAlive(true, 2000, 3000, 4);
      try {
        await waitFor(s, "connect");
        assert.is(s.setKeepAlive({ enable: true, initialDelay: 2500 }), s);
        assert.is(s.setKeepAlive({ enable: false }), s);
        assert.equal(seen, []);
        assert.is(s.setKeepAlive(true, 3000, 1000, 4), s);
        assert.is(s.setKeepAlive({ enable: false, interval: 1000 }), s);
        assert.is(s.setKeepAlive({ enable: true, initialDelay: 1000, count: 3 }), s);
        // Unchanged: not applied again; only the count changed: applied.
        assert.is(s.setKeepAlive({ enable: true, initialDelay: 1000, count: 3 }), s);
        assert.is(s.setKeepAlive({ enable: true, initialDelay: 1000, count: 5 }), s);
        assert.equal(
          calls,
          probes
            ? [
              "true,2000",
              "false,0",
              "true,3000,1000,4",
              "false,0,1000,-",
              "true,1000,-,3",
              "true,1000,-,5",
            ]
            : ["true,2000", "false,0", "true,3000", "false,0", "true,1000", "true,1000"],
        );
        calls.length = 0;
        early.connect(port, "127.0.0.1");
        await waitFor(early, "connect");
        assert.equal(calls, [probes ? "true,2000,3000,4" : "true,2000"]);
        await new Promise((r) => setTimeout(r, 10));
        if (probes) {
          assert.equal(seen.filter((c) => c === code), []);
        } else {
          assert.ok(warnedCodes().has(code), "the warning was not emitted");
          // Once per process: another suite in this process may have warned first.
          assert.equal(seen.filter((c) => c === code), already ? [] : [code]);
        }
      } finally {
        process.off("warning", onWarning);
        setTransport(null);
        s.destroy();
        early.destroy();
        await closeServer(server);
      }
    },
  );
}

compat.run();
