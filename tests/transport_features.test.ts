// Feature policy (core/features.ts): a transport only describes what it
// lacks in `features`; core throws, warns once, or refuses before the
// adapter is called. Run on every runtime through a wrapper of the real
// transport that claims the feature is missing and records what reaches it.
import { spawnSync } from "node:child_process";
import dns from "node:dns";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { warnedCodes } from "../core/errors.ts";
import { BoundSocket } from "../core/bound_socket.ts";
import { createServer } from "../core/server.ts";
import { connect, Socket } from "../core/socket.ts";
import { getTransport, setTransport } from "../runtimes/mod.ts";
import type { StreamHandle, Transport, TransportFeatures } from "../runtimes/types.ts";
import { closeServer, listen, removeDir, tempDir, waitFor } from "./_net.ts";

const real = getTransport();

/** The real transport minus `missing`; `calls` counts what reached the adapter. */
function lacking(missing: Partial<TransportFeatures>) {
  const calls = { listenTcp: 0, connectTcp: 0, openFd: 0, keepAlive: [] as number[] };
  const wrapped: Transport = {
    name: `${real.name}-lacking`,
    features: { ...real.features, ...missing },
    connectTcp: (req, cb) => {
      calls.connectTcp++;
      return real.connectTcp(req, (err, h) => cb(err, h && spy(h)));
    },
    connectUnix: (path, cb) => real.connectUnix(path, cb),
    listenTcp: (req, events, cb) => {
      calls.listenTcp++;
      real.listenTcp(req, events, cb);
    },
    listenUnix: (req, events, cb) => real.listenUnix(req, events, cb),
    openFd: (fd) => {
      calls.openFd++;
      return real.openFd!(fd);
    },
  };
  if (real.bindTcp && real.bindUnix) {
    wrapped.bindTcp = (req) => real.bindTcp!(req);
    wrapped.bindUnix = (req) => real.bindUnix!(req);
  }
  function spy(h: StreamHandle): StreamHandle {
    const set = h.setKeepAlive.bind(h);
    h.setKeepAlive = (enable, delayMs) => {
      calls.keepAlive.push(enable ? delayMs : -1);
      set(enable, delayMs);
    };
    return h;
  }
  return { wrapped, calls };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

const policy = suite("feature policy in core");

policy.after.each(() => setTransport(real));

policy("a missing reusePort or ipv6Only throws before the adapter listens", () => {
  const { wrapped, calls } = lacking({ reusePort: false, ipv6Only: false });
  setTransport(wrapped);
  const server = createServer();
  const unavailable = "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM";
  assert.is(codeOf(() => server.listen({ port: 0, reusePort: true })), unavailable);
  assert.is(codeOf(() => server.listen({ port: 0, host: "::", ipv6Only: true })), unavailable);
  assert.is(calls.listenTcp, 0);
  assert.is(server.listening, false);
});

policy(
  "a missing ipv6Only is refused only where the flag has an effect: '::' (also no host) and IPv4-mapped addresses, also as a name looks them up",
  async () => {
    const { wrapped, calls } = lacking({ ipv6Only: false });
    setTransport(wrapped);
    const unavailable = "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM";
    for (const host of [undefined, "", "::", "0:0::0", "::ffff:127.0.0.1", "::ffff:0.0.0.0"]) {
      const server = createServer();
      assert.is(codeOf(() => server.listen({ port: 0, host, ipv6Only: true })), unavailable, host);
      assert.is(server.listening, false);
    }
    assert.is(calls.listenTcp, 0);
    // Elsewhere Node passes the flag on and nothing changes: the listener listens.
    for (const host of ["127.0.0.1", "::1", "localhost"]) {
      const server = createServer();
      server.listen({ port: 0, host, ipv6Only: true });
      await waitFor(server, "listening");
      const address = server.address() as { address: string };
      assert.ok(["127.0.0.1", "::1"].includes(address.address), address.address);
      await closeServer(server);
    }
    assert.is(calls.listenTcp, 3);
    // A name that looks up to '::': the error comes as Node's async listen errors do.
    const d = dns as unknown as { lookup: unknown };
    const realLookup = d.lookup;
    d.lookup = (_host: string, _opts: unknown, cb: (...a: unknown[]) => void) =>
      process.nextTick(cb, null, [{ address: "::", family: 6 }]);
    try {
      const server = createServer();
      server.listen({ port: 0, host: "wildcard.test", ipv6Only: true });
      const [err] = await waitFor(server, "error") as [Error & { code?: string }];
      assert.is(err.code, unavailable);
      assert.match(err.message, /server\.listen\(\{ ipv6Only: true \}\)/);
      assert.is(server.listening, false);
      assert.is(calls.listenTcp, 3);
    } finally {
      d.lookup = realLookup;
    }
    // net.BoundSocket (where the runtime has it) takes the same rule.
    if (real.features.boundSocket === true) {
      assert.is(codeOf(() => new BoundSocket({ ipv6Only: true })), unavailable);
      assert.is(codeOf(() => new BoundSocket({ host: "::", ipv6Only: true })), unavailable);
      for (const host of ["127.0.0.1", "::1"]) {
        const bound = new BoundSocket({ host, ipv6Only: true });
        assert.is(bound.address().address, host);
        bound.close();
      }
    }
  },
);

policy("a missing local bind throws before the adapter dials", () => {
  const { wrapped, calls } = lacking({ localBind: false });
  setTransport(wrapped);
  const code = codeOf(() => connect({ port: 9, host: "127.0.0.1", localPort: 40_000 }));
  assert.is(code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  assert.is(calls.connectTcp, 0);
});

policy(
  "a keep-alive delay the transport cannot set warns once; the flag is still set",
  async () => {
    const { wrapped, calls } = lacking({ keepAliveDelay: false });
    setTransport(wrapped);
    const code = "OMNINET_KEEPALIVE_DELAY_IGNORED";
    const already = warnedCodes().has(code);
    const seen: string[] = [];
    const onWarning = (w: Error & { code?: string }) => seen.push(String(w.code));
    process.on("warning", onWarning);
    const server = createServer((s) => s.on("error", () => {}));
    const port = await listen(server);
    const c = connect(port, "127.0.0.1");
    try {
      await waitFor(c, "connect");
      c.setKeepAlive(true, 5000);
      c.setKeepAlive(false);
      c.setKeepAlive(true, 7000);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(calls.keepAlive, [5000, -1, 7000]);
      assert.ok(warnedCodes().has(code), "the warning was not emitted");
      // Once per process: this suite may share its process with another that warned first.
      assert.equal(seen, already ? [] : [code]);
    } finally {
      process.off("warning", onWarning);
      c.destroy();
      await closeServer(server);
    }
  },
);

policy("a keep-alive delay is passed on silently where the transport sets it", async () => {
  const { wrapped, calls } = lacking({ keepAliveDelay: true });
  setTransport(wrapped);
  const seen: string[] = [];
  const onWarning = (w: Error & { code?: string }) => seen.push(String(w.code));
  process.on("warning", onWarning);
  const server = createServer((s) => s.on("error", () => {}));
  const port = await listen(server);
  const c = connect({ port, host: "127.0.0.1", keepAlive: true, keepAliveInitialDelay: 3000 });
  try {
    await waitFor(c, "connect");
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls.keepAlive, [3000]);
    assert.equal(seen, []);
  } finally {
    process.off("warning", onWarning);
    c.destroy();
    await closeServer(server);
  }
});

policy("a pipe descriptor is refused by core where features.fdPipe is false", () => {
  const { wrapped, calls } = lacking({ fdPipe: false });
  setTransport(wrapped);
  const dir = tempDir();
  const fifo = join(dir, "fifo");
  assert.is(spawnSync("mkfifo", [fifo]).status, 0, "mkfifo");
  // Read-write: opening a FIFO this way does not wait for a peer (Linux).
  const fd = openSync(fifo, "r+");
  try {
    assert.is(codeOf(() => new Socket({ fd })), "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
    assert.is(calls.openFd, 0);
  } finally {
    closeSync(fd);
    removeDir(dir);
  }
});

policy.run();
