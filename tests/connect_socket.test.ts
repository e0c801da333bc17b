import { suite } from "uvu";
import * as assert from "uvu/assert";
import dns from "node:dns";
import net from "../mod.ts";
import { getTransport, setTransport } from "../runtimes/mod.ts";
import type { ConnectCallback, Dial, TcpConnectRequest, Transport } from "../runtimes/types.ts";
import { waitFor } from "./_net.ts";
import { spawnScript } from "./_runtime.ts";
import {
  type NetLike,
  runSocketScenario,
  SOCKET_SCENARIOS,
  type SocketOutcome,
  type SocketScenario,
  startServers,
} from "./fixtures/connect_socket_scenarios.ts";
import { readJsonFixture } from "./_fixtures.ts";

interface Fixture {
  meta: { node: string; platform: string; ADDRCONFIG: number; localhost: string[] };
  results: Record<string, SocketOutcome>;
}

function _fixture(): Fixture {
  return readJsonFixture<Fixture>("connect_socket_node26.json");
}
const FIXTURE = _fixture();
const NET = net as unknown as NetLike;
// The runtime's initial value (shared with its node:net): Node 20 and 24 250 ms, else 500.
const INITIAL_ATTEMPT_TIMEOUT = net.getDefaultAutoSelectFamilyAttemptTimeout();

/** A transport over the real one whose dials to `hang` never complete. */
interface HangTransport extends Transport {
  hung: number;
  cancelled: number;
}

function hangTransport(hang: string[]): HangTransport {
  const real = getTransport();
  const t: HangTransport = {
    name: "hang",
    features: real.features,
    hung: 0,
    cancelled: 0,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      if (!hang.includes(req.address)) return real.connectTcp(req, cb);
      t.hung++;
      return { cancel: () => void t.cancelled++ };
    },
    connectUnix: (path, cb) => real.connectUnix(path, cb),
    listenTcp: (req, events, cb) => real.listenTcp(req, events, cb),
    listenUnix: (req, events, cb) => real.listenUnix(req, events, cb),
  };
  return t;
}

/** What the resolver used by default answers for localhost here. */
function resolveLocalhost(): Promise<string[]> {
  return new Promise((resolve) =>
    dns.lookup(
      "localhost",
      { all: true },
      (err, list) => resolve(err ? [] : list.map((a) => a.address)),
    )
  );
}

/** One line per fact, so a mismatch reads as a short line diff. */
function _lines(o: SocketOutcome): string {
  const { events, ...rest } = JSON.parse(JSON.stringify(o)) as SocketOutcome;
  return [JSON.stringify(rest), ...events.map((e) => JSON.stringify(e))].join("\n");
}

async function run(s: SocketScenario): Promise<{ out: SocketOutcome; t?: HangTransport }> {
  const servers = await startServers(NET, s.live);
  const t = s.hang ? hangTransport(s.hang) : undefined;
  if (t) setTransport(t);
  try {
    const out = await runSocketScenario(NET, s, servers.port, FIXTURE.meta.ADDRCONFIG);
    out.serverRead = servers.read();
    return { out, t };
  } finally {
    if (t) setTransport(null);
    await servers.close();
  }
}

// ---------------------------------------------------------------------------

const e2e = suite("socket connect end to end matches Node 26");

for (const s of SOCKET_SCENARIOS) {
  e2e(`${s.name} as Node 26`, async () => {
    const localhost = s.api.startsWith("net.connect(port") ? await resolveLocalhost() : undefined;
    const { out, t } = await run(s);
    assert.is(net.getDefaultAutoSelectFamily(), true, "defaults restored");
    assert.is(
      net.getDefaultAutoSelectFamilyAttemptTimeout(),
      INITIAL_ATTEMPT_TIMEOUT,
      "defaults restored",
    );
    if (t) assert.is(t.cancelled, t.hung, "every dial that never completes was cancelled");
    const expected = FIXTURE.results[s.name];
    if (localhost === undefined || localhost.join() === FIXTURE.meta.localhost.join()) {
      assert.fixture(_lines(out), _lines(expected));
      return;
    }
    // This machine resolves localhost otherwise than the recording machine.
    const reachable = localhost.includes(s.live[0]);
    assert.is(out.events.some((e) => e[0] === "connect"), reachable, localhost.join());
    assert.is(out.clientRead, reachable ? "hiping" : "");
  });
}

e2e.run();

// ---------------------------------------------------------------------------

const shape = suite("socket connect errors and state");

shape("all addresses dead: an AggregateError of Node's errors, then close(true)", async () => {
  const { port, close } = await startServers(NET, []);
  const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
    setTimeout(() =>
      cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
    );
  const sock = net.connect({ host: "x.test", port, lookup } as never);
  const seen: string[] = [];
  sock.on("connect", () => seen.push("connect"));
  const [[e0], [hadError]] = await Promise.all([waitFor(sock, "error"), waitFor(sock, "close")]);
  const err = e0 as Error & { code?: string; errors?: unknown[] };
  await close();
  assert.instance(err, AggregateError);
  assert.is(err.code, "ECONNREFUSED");
  assert.is(err.message, "");
  assert.is(err.errors?.length, 2);
  for (const [i, ip] of ["::1", "127.0.0.1"].entries()) {
    const e = err.errors![i] as Error & Record<string, unknown>;
    assert.instance(e, Error);
    assert.is(e.code, "ECONNREFUSED");
    assert.is(e.syscall, "connect");
    assert.is(e.address, ip);
    assert.is(e.port, port);
  }
  assert.is(hadError, true);
  assert.is(sock.connecting, false);
  assert.is(sock.destroyed, true);
  assert.equal(seen, []);
});

shape("a custom lookup's error reaches 'lookup' and 'error' as the same object", async () => {
  const boom = Object.assign(new Error("getaddrinfo ENOTFOUND x.test"), {
    code: "ENOTFOUND",
    syscall: "getaddrinfo",
    hostname: "x.test",
  });
  const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
    setTimeout(() => cb(boom));
  const sock = new net.Socket();
  const lookups: unknown[][] = [];
  sock.on("lookup", (...a: unknown[]) => lookups.push(a));
  sock.on("connect", () => assert.unreachable("connect"));
  sock.connect({ host: "x.test", port: 9, lookup } as never);
  const [[err]] = await Promise.all([waitFor(sock, "error"), waitFor(sock, "close")]);
  assert.is(err, boom);
  assert.equal(lookups, [[boom, undefined, undefined, "x.test"]]);
});

shape.run();

// ---------------------------------------------------------------------------

const timeouts = suite("socket connect attempt timeouts");

timeouts("a dial that never completes times out and the next address connects", async () => {
  const { port, close, read } = await startServers(NET, ["127.0.0.1"]);
  const t = hangTransport(["::1"]);
  setTransport(t);
  try {
    const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
      setTimeout(() =>
        cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
      );
    const events: unknown[][] = [];
    const sock = new net.Socket();
    for (const e of ["connectionAttempt", "connectionAttemptTimeout", "connectionAttemptFailed"]) {
      sock.on(e, (...a: unknown[]) => events.push([e, ...a]));
    }
    sock.connect({ host: "x.test", port, lookup, autoSelectFamilyAttemptTimeout: 10 } as never);
    await waitFor(sock, "connect");
    assert.equal(events, [
      ["connectionAttempt", "::1", port, 6],
      ["connectionAttemptTimeout", "::1", port, 6],
      ["connectionAttempt", "127.0.0.1", port, 4],
    ]);
    assert.is(t.hung, 1);
    assert.is(t.cancelled, 1);
    assert.is(sock.remoteAddress, "127.0.0.1");
    assert.equal(sock.autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
    sock.setEncoding("utf8");
    let data = "";
    sock.on("data", (d: string) => (data += d));
    sock.end("ping");
    await waitFor(sock, "close");
    assert.is(data, "hiping");
    assert.is(read(), "ping");
  } finally {
    setTransport(null);
    await close();
  }
});

timeouts("a per-connect attempt timeout of 60000 overrides a 10 ms default", async () => {
  const t = hangTransport(["::1"]);
  setTransport(t);
  const before = net.getDefaultAutoSelectFamilyAttemptTimeout();
  net.setDefaultAutoSelectFamilyAttemptTimeout(10);
  try {
    const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) =>
      setTimeout(() =>
        cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
      );
    const seen: string[] = [];
    const sock = net.connect(
      { host: "x.test", port: 9, lookup, autoSelectFamilyAttemptTimeout: 60000 } as never,
    );
    for (const e of ["connectionAttempt", "connectionAttemptTimeout", "connect"]) {
      sock.on(e, () => seen.push(e));
    }
    await waitFor(sock, "connectionAttempt");
    await new Promise((r) => setTimeout(r, 150));
    const closed = waitFor(sock, "close");
    sock.destroy();
    await closed;
    assert.equal(seen, ["connectionAttempt"]);
    assert.is(t.hung, 1);
    assert.is(t.cancelled, 1);
  } finally {
    net.setDefaultAutoSelectFamilyAttemptTimeout(before);
    setTransport(null);
  }
});

timeouts.run();

// ---------------------------------------------------------------------------

const exit = suite("socket destroy() while connecting leaves nothing behind");

for (
  const [mode, dials] of [
    ["destroy-in-lookup", "dials 0 cancels 0"],
    ["destroy-in-dial", "dials 1 cancels 1"],
    ["destroy-in-literal-dial", "dials 1 cancels 1"],
  ] as const
) {
  exit(`${mode}: one close, no connect, the process exits by itself`, async () => {
    const r = await spawnScript("fixtures/connect_socket_child", [mode], {}, { timeoutMs: 15_000 });
    assert.is(r.timedOut, false, "a timer or handle kept the process alive");
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.is(lines.filter((l) => l === "close").length, 1, r.stdout);
    assert.not.ok(lines.includes("connect") || lines.includes("error"), r.stdout);
    assert.is(lines.at(-1), dials);
  });
}

exit.run();
