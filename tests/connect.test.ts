import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BlockList } from "../core/block_list.ts";
import {
  type ConnectSink,
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  type LookupFunction,
  normalizeTcpConnect,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
  startTcpConnect,
} from "../core/connect.ts";
import { getTransport } from "../runtimes/mod.ts";
import { quietPort } from "./_net.ts";
import type {
  ConnectCallback,
  Dial,
  ListenerHandle,
  StreamHandle,
  TcpConnectRequest,
  Transport,
} from "../runtimes/types.ts";
import {
  type Answer,
  lookupError,
  type Outcome,
  type Scenario,
  SCENARIOS,
  shapeArgs,
  shapeError,
  shapeLookupOptions,
} from "./fixtures/connect_scenarios.ts";
import { readJsonFixture } from "./_fixtures.ts";
import { currentRuntime } from "./_runtime.ts";

interface Fixture {
  meta: { node: string; platform: string; ADDRCONFIG: number };
  results: Record<string, Outcome>;
}

function _fixture(): Fixture {
  return readJsonFixture<Fixture>("connect_node26.json");
}
const FIXTURE = _fixture();

// ---------------------------------------------------------------------------
// Helpers: loopback servers through the transport, a recording sink, a
// transport whose dials to chosen addresses never complete.

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listener that sends "hi", half-closes, and closes once the client ends. */
function listen(address: string, port: number): Promise<ListenerHandle> {
  return new Promise((resolve, reject) => {
    getTransport().listenTcp(
      { address, port, backlog: 511, ipv6Only: false, reusePort: false },
      {
        onConnection(h: StreamHandle) {
          const close = () => h.close(() => {});
          h.attach({ _onHandleData() {}, _onHandleEnd: close, _onHandleError: close });
          h.readStart();
          h.write(new TextEncoder().encode("hi"), () => h.shutdown(() => {}));
        },
        onError() {},
      },
      (err, l) => (err ? reject(err) : resolve(l!)),
    );
  });
}

const portOf = (l: ListenerHandle) => (l.address() as { port: number }).port;
const closeAll = (ls: ListenerHandle[]) =>
  Promise.all(ls.map((l) => new Promise<void>((r) => l.close(r))));

/** Servers on one port P for each family in `live`; P is free elsewhere. */
async function serversFor(live: string[]): Promise<{ port: number; servers: ListenerHandle[] }> {
  const servers: ListenerHandle[] = [];
  let port = 0;
  const order = live.includes("127.0.0.1") ? ["127.0.0.1", "::1"] : ["::1", "127.0.0.1"];
  for (const host of order) {
    if (!live.includes(host)) continue;
    const l = await listen(host, port);
    port = portOf(l);
    servers.push(l);
  }
  if (port === 0) port = await quietPort();
  return { port, servers };
}

interface TestTransport extends Transport {
  /** Requests dialled, in order. */
  dials: TcpConnectRequest[];
  /** Number of dials cancelled. */
  cancels: number;
  /** Dials that have neither completed nor been cancelled. */
  pending(): number;
}

/** Wraps the real transport; dials to `hang` addresses never complete. */
function testTransport(hang: string[] = [], localBind?: boolean): TestTransport {
  const base = getTransport();
  let open = 0;
  const t: TestTransport = {
    name: "test",
    features: { ...base.features, localBind: localBind ?? base.features.localBind },
    dials: [],
    cancels: 0,
    pending: () => open,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      t.dials.push(req);
      open++;
      let live = true;
      const finish = () => {
        if (live) open--;
        live = false;
      };
      const inner = hang.includes(req.address) ? undefined : base.connectTcp(req, (err, h) => {
        finish();
        cb(err, h);
      });
      return {
        cancel() {
          t.cancels++;
          finish();
          inner?.cancel();
        },
      };
    },
    connectUnix: (path, cb) => base.connectUnix(path, cb),
    listenTcp: (req, events, cb) => base.listenTcp(req, events, cb),
    listenUnix: (req, events, cb) => base.listenUnix(req, events, cb),
  };
  return t;
}

interface Recorded {
  outcome: Outcome;
  sinkCalls: number;
  done: Promise<void>;
  cancel: () => void;
}

/** Runs startTcpConnect with a recording sink; on connect reads to EOF and closes. */
function record(transport: Transport, options: Record<string, unknown>, port: number): Recorded {
  const outcome: Outcome = { lookupCalls: [], events: [], attempted: undefined };
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const rec: Recorded = { outcome, sinkCalls: 0, done, cancel: () => {} };
  const sink: ConnectSink = {
    emit(event, ...args) {
      rec.sinkCalls++;
      outcome.events.push([event, ...shapeArgs(args, port)]);
      return true;
    },
    startMulti() {
      rec.sinkCalls++;
      outcome.attempted = [];
    },
    recordAttempt(ipPort) {
      rec.sinkCalls++;
      outcome.attempted!.push(ipPort.replace(`:${port}`, ":P"));
    },
    connected(h) {
      rec.sinkCalls++;
      outcome.events.push(["connect"]);
      readAll(h).then((data) => {
        outcome.data = data;
        finish();
      });
    },
    failed(err) {
      rec.sinkCalls++;
      outcome.events.push(["error", shapeError(err, port)]);
      finish();
    },
  };
  rec.cancel = startTcpConnect(transport, normalizeTcpConnect(options), sink);
  return rec;
}

function readAll(h: StreamHandle): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    const dec = new TextDecoder();
    const end = () => h.close(() => resolve(data));
    h.attach({
      _onHandleData: (c) => (data += dec.decode(c)),
      _onHandleEnd: end,
      _onHandleError: end,
    });
    h.readStart();
  });
}

/** A custom lookup answering like the recorder's (asynchronously). */
function scenarioLookup(s: Scenario, calls: Record<string, unknown>[]): LookupFunction {
  return (host, o, cb) => {
    calls.push(shapeLookupOptions(o as Record<string, unknown>, FIXTURE.meta.ADDRCONFIG));
    const answers = s.answers as Answer[] | string;
    setTimeout(() => {
      if (typeof answers === "string") {
        cb(lookupError(answers, host), undefined as unknown as string);
      } else if (o.all && !s.answersAsString) {
        cb(null, answers.map(([address, family]) => ({ address, family })));
      } else cb(null, answers[0][0], answers[0][1]);
    }, 0);
  };
}

// ---------------------------------------------------------------------------

const scen = suite("startTcpConnect() matches Node 26");

for (const s of SCENARIOS) {
  scen(`startTcpConnect() ${s.name}`, async () => {
    const { port, servers } = await serversFor(s.live);
    const calls: Record<string, unknown>[] = [];
    const options: Record<string, unknown> = { port, host: s.host ?? "x.test", ...s.options };
    if (s.answers !== undefined) options.lookup = scenarioLookup(s, calls);
    if (s.blocked) {
      const bl = new BlockList();
      for (const a of s.blocked) bl.addAddress(a, a.includes(":") ? "ipv6" : "ipv4");
      options.blockList = bl;
    }
    const transport = testTransport(s.hang);
    const rec = record(transport, options, port);
    await rec.done;
    rec.outcome.lookupCalls = calls;
    await closeAll(servers);
    assert.equal(JSON.parse(JSON.stringify(rec.outcome)), FIXTURE.results[s.name]);
    assert.is(transport.pending(), 0, "no dial left pending");
  });
}

scen.run();

// ---------------------------------------------------------------------------

const res = suite("startTcpConnect() resolution");

res("startTcpConnect() resolves localhost by default (host omitted)", async () => {
  const { port, servers } = await serversFor(["127.0.0.1", "::1"]);
  const rec = record(testTransport(), { port }, port);
  await rec.done;
  await closeAll(servers);
  const lookups = rec.outcome.events.filter((e) => e[0] === "lookup");
  assert.ok(lookups.length >= 1);
  for (const l of lookups) assert.is(l[4], "localhost");
  assert.equal(rec.outcome.events.at(-1), ["connect"]);
  assert.is(rec.outcome.data, "hi");
});

for (
  const [answers, live] of [
    [[["::1", 6]], ["::1"]],
    [[["127.0.0.1", 4]], ["127.0.0.1"]],
    [[["::1", 6], ["127.0.0.1", 4]], ["127.0.0.1"]],
    [[["::1", 6], ["127.0.0.1", 4]], ["::1"]],
    [[["127.0.0.1", 4], ["::1", 6]], ["::1"]],
  ] as [Answer[], string[]][]
) {
  res(
    `startTcpConnect() localhost as ${answers.map((a) => a[0])} reaches a server on ${live}`,
    async () => {
      const { port, servers } = await serversFor(live);
      const lookup: LookupFunction = (_h, o, cb) =>
        queueMicrotask(() =>
          o.all
            ? cb(null, answers.map(([address, family]) => ({ address, family })))
            : cb(null, answers[0][0], answers[0][1])
        );
      const rec = record(testTransport(), { port, lookup }, port);
      await rec.done;
      await closeAll(servers);
      assert.equal(rec.outcome.events.at(-1), ["connect"]);
      assert.is(rec.outcome.data, "hi");
    },
  );
}

res("startTcpConnect() reports a .invalid name as getaddrinfo ENOTFOUND", async () => {
  const rec = record(testTransport(), { host: "no.such.host.invalid", port: 9 }, 9);
  await rec.done;
  const [lookup, error] = rec.outcome.events;
  assert.is(lookup[0], "lookup");
  assert.is(error[0], "error");
  const err = error[1] as Record<string, unknown>;
  // Without a resolver the system may answer EAI_AGAIN instead.
  assert.ok(err.code === "ENOTFOUND" || err.code === "EAI_AGAIN", String(err.code));
  assert.is(err.message, `getaddrinfo ${err.code} no.such.host.invalid`);
  assert.is(err.errno, err.code === "ENOTFOUND" ? -3008 : -3001);
  assert.is(err.syscall, "getaddrinfo");
  assert.is(err.hostname, "no.such.host.invalid");
  assert.equal((lookup[1] as Record<string, unknown>).code, err.code);
  assert.equal(lookup.slice(2), [undefined, undefined, "no.such.host.invalid"]);
});

res("startTcpConnect() acts on a synchronous lookup answer before returning, as Node", async () => {
  const { port, servers } = await serversFor(["127.0.0.1"]);
  const lookup: LookupFunction = (_h, _o, cb) => cb(null, "127.0.0.1", 4);
  const t = testTransport();
  const rec = record(t, { port, lookup, host: "x.test", family: 4 }, port);
  assert.equal(rec.outcome.events, [
    ["lookup", null, "127.0.0.1", 4, "x.test"],
    ["connectionAttempt", "127.0.0.1", "P", 4],
  ]);
  assert.is(t.dials.length, 1);
  await rec.done;
  await closeAll(servers);
  assert.equal(rec.outcome.events.at(-1), ["connect"]);
});

res("startTcpConnect() fails a synchronous lookup error on a later tick, as Node", async () => {
  const boom = Object.assign(new Error("getaddrinfo ENOTFOUND x.test"), { code: "ENOTFOUND" });
  const lookup: LookupFunction = (_h, _o, cb) => cb(boom, undefined as unknown as string);
  const rec = record(testTransport(), { port: 9, lookup, host: "x.test" }, 9);
  assert.equal(rec.outcome.events, [[
    "lookup",
    shapeError(boom, 9),
    undefined,
    undefined,
    "x.test",
  ]]);
  await rec.done;
  assert.is(rec.outcome.events.length, 2);
  assert.is(rec.outcome.events[1][0], "error");
});

res("startTcpConnect() lets an exception thrown by lookup propagate, as Node", () => {
  const boom = new Error("boom");
  const lookup = () => {
    throw boom;
  };
  try {
    startTcpConnect(testTransport(), normalizeTcpConnect({ port: 1, host: "x.test", lookup }), {
      emit: () => true,
      startMulti() {},
      recordAttempt() {},
      connected() {},
      failed() {},
    });
    assert.unreachable();
  } catch (err) {
    assert.is(err, boom);
  }
});

res("startTcpConnect() raises ERR_FEATURE_UNAVAILABLE_ON_PLATFORM without localBind", () => {
  const plan = normalizeTcpConnect({ port: 1, host: "127.0.0.1", localPort: 5000 });
  try {
    startTcpConnect(testTransport([], false), plan, {
      emit: () => true,
      startMulti() {},
      recordAttempt() {},
      connected() {},
      failed() {},
    });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, TypeError);
    assert.is((err as { code: string }).code, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  }
});

res("startTcpConnect() binds localAddress where the transport can", async () => {
  if (!getTransport().features.localBind) {
    // The contract for such runtimes is the loud error tested above.
    assert.is(getTransport().features.localBind, false);
    return;
  }
  const { port, servers } = await serversFor(["127.0.0.1"]);
  const t = testTransport();
  const rec = record(t, { port, host: "127.0.0.1", localAddress: "127.0.0.1" }, port);
  await rec.done;
  await closeAll(servers);
  assert.is(rec.outcome.data, "hi");
  assert.is(t.dials[0].localAddress, "127.0.0.1");
});

res.run();

// ---------------------------------------------------------------------------

const cancel = suite("startTcpConnect() cancel");

cancel("startTcpConnect() cancel during lookup: no sink call, no dial", async () => {
  let answer: (() => void) | undefined;
  const lookup: LookupFunction = (_h, o, cb) => {
    answer = () => cb(null, [{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]);
    assert.ok(o.all);
  };
  const t = testTransport();
  const rec = record(t, { port: 9, host: "x.test", lookup }, 9);
  rec.cancel();
  answer!();
  await delay(20);
  assert.is(rec.sinkCalls, 0);
  assert.is(t.dials.length, 0);
});

cancel("startTcpConnect() cancel before an IP literal is dialled", async () => {
  const t = testTransport();
  const rec = record(t, { port: 9, host: "127.0.0.1" }, 9);
  rec.cancel();
  await delay(20);
  assert.is(rec.sinkCalls, 0);
  assert.is(t.dials.length, 0);
});

cancel(
  "startTcpConnect() cancel during a dial cancels it and clears the attempt timer",
  async () => {
    const t = testTransport(["::1", "127.0.0.1"]);
    const lookup: LookupFunction = (_h, _o, cb) =>
      setTimeout(() =>
        cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
      );
    const rec = record(
      t,
      { port: 9, host: "x.test", lookup, autoSelectFamilyAttemptTimeout: 10 },
      9,
    );
    while (t.dials.length === 0) await delay(2);
    const calls = rec.sinkCalls;
    rec.cancel();
    assert.is(t.cancels, 1);
    assert.is(t.pending(), 0);
    assert.is(rec.sinkCalls, calls, "the ECANCELED report waits for a later tick");
    await delay(40); // well past the attempt timeout: the timer must not fire
    // Node reports the aborted dial, and nothing else.
    assert.is(rec.sinkCalls, calls + 1);
    assert.equal(rec.outcome.events.at(-1), [
      "connectionAttemptFailed",
      "::1",
      "P",
      6,
      {
        name: "Error",
        message: "connect ECANCELED ::1:P",
        code: "ECANCELED",
        errno: -125,
        syscall: "connect",
        address: "::1",
        port: "P",
      },
    ]);
    assert.is(t.dials.length, 1);
  },
);

cancel("startTcpConnect() a timed-out dial is cancelled, the next one is made", async () => {
  const t = testTransport(["::1", "127.0.0.1"]);
  const lookup: LookupFunction = (_h, _o, cb) =>
    setTimeout(() =>
      cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
    );
  const rec = record(t, { port: 9, host: "x.test", lookup, autoSelectFamilyAttemptTimeout: 10 }, 9);
  while (t.dials.length < 2) await delay(2);
  assert.is(t.cancels, 1);
  assert.is(t.pending(), 1);
  assert.ok(rec.outcome.events.some((e) => e[0] === "connectionAttemptTimeout"));
  rec.cancel();
  assert.is(t.cancels, 2);
  assert.is(t.pending(), 0);
});

cancel("startTcpConnect() a listener that cancels in 'lookup' stops the connect", async () => {
  const t = testTransport();
  const lookup: LookupFunction = (_h, _o, cb) =>
    setTimeout(() =>
      cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
    );
  let stop: () => void = () => {};
  let events = 0;
  stop = startTcpConnect(t, normalizeTcpConnect({ port: 9, host: "x.test", lookup }), {
    emit() {
      events++;
      stop();
      return true;
    },
    startMulti: () => assert.unreachable(),
    recordAttempt: () => assert.unreachable(),
    connected: () => assert.unreachable(),
    failed: () => assert.unreachable(),
  });
  await delay(20);
  assert.is(events, 1);
  assert.is(t.dials.length, 0);
});

cancel("startTcpConnect() stops when the sink's emit returns false (synchronous lookup)", () => {
  const t = testTransport();
  const lookup: LookupFunction = (_h, _o, cb) =>
    cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]);
  const events: unknown[] = [];
  startTcpConnect(t, normalizeTcpConnect({ port: 9, host: "x.test", lookup }), {
    emit(event) {
      events.push(event);
      return false;
    },
    startMulti: () => assert.unreachable(),
    recordAttempt: () => assert.unreachable(),
    connected: () => assert.unreachable(),
    failed: () => assert.unreachable(),
  });
  assert.equal(events, ["lookup"]);
  assert.is(t.dials.length, 0);
});

cancel.run();

// ---------------------------------------------------------------------------

const defaults = suite("get/setDefaultAutoSelectFamily*()");

// The runtime's node:net, whose two defaults omninet shares (one value per process, as in Node).
const runtimeNet = process.getBuiltinModule("node:net");
// What each runtime's node:net starts with: Node 20 and 24 250 ms, Node 26, Deno and Bun 500.
const INITIAL_TIMEOUT = runtimeNet.getDefaultAutoSelectFamilyAttemptTimeout();

defaults("getDefaultAutoSelectFamily() is true and setDefaultAutoSelectFamily() changes it", () => {
  assert.is(getDefaultAutoSelectFamily(), true);
  setDefaultAutoSelectFamily(false);
  assert.is(getDefaultAutoSelectFamily(), false);
  assert.is(normalizeTcpConnect({ port: 1 }).autoSelectFamily, false);
  assert.is(normalizeTcpConnect({ port: 1, autoSelectFamily: true }).autoSelectFamily, true);
  setDefaultAutoSelectFamily(true);
  assert.is(normalizeTcpConnect({ port: 1 }).autoSelectFamily, true);
});

defaults("the defaults are one value per process, shared with the runtime's node:net", () => {
  const major = Number(process.versions.node.split(".")[0]);
  assert.is(INITIAL_TIMEOUT, currentRuntime() === "node" && major <= 24 ? 250 : 500);
  assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), INITIAL_TIMEOUT);
  assert.is(getDefaultAutoSelectFamily(), runtimeNet.getDefaultAutoSelectFamily());
  try {
    // Set through omninet: node:net (so node:http too) follows, as with Node's one module.
    setDefaultAutoSelectFamily(false);
    setDefaultAutoSelectFamilyAttemptTimeout(5);
    assert.is(runtimeNet.getDefaultAutoSelectFamily(), false);
    assert.is(runtimeNet.getDefaultAutoSelectFamilyAttemptTimeout(), 10);
    // Set through node:net (a program configuring `net`, Node's test harness): omninet follows.
    runtimeNet.setDefaultAutoSelectFamily(true);
    runtimeNet.setDefaultAutoSelectFamilyAttemptTimeout(1234);
    assert.is(getDefaultAutoSelectFamily(), true);
    assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), 1234);
    const plan = normalizeTcpConnect({ port: 1 });
    assert.is(plan.autoSelectFamily, true);
    assert.is(plan.autoSelectFamilyAttemptTimeout, 1234);
    runtimeNet.setDefaultAutoSelectFamily(false);
    assert.is(normalizeTcpConnect({ port: 1 }).autoSelectFamily, false);
  } finally {
    runtimeNet.setDefaultAutoSelectFamily(true);
    runtimeNet.setDefaultAutoSelectFamilyAttemptTimeout(INITIAL_TIMEOUT);
  }
  assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), INITIAL_TIMEOUT);
});

defaults("setDefaultAutoSelectFamily() rejects non-booleans with ERR_INVALID_ARG_TYPE", () => {
  for (const v of [1, "true", null, undefined]) {
    assert.throws(
      () => setDefaultAutoSelectFamily(v as unknown as boolean),
      (e: Error & { code: string }) =>
        e instanceof TypeError && e.code === "ERR_INVALID_ARG_TYPE" &&
        e.message.startsWith('The "value" argument must be of type boolean.'),
    );
  }
  assert.is(getDefaultAutoSelectFamily(), true);
});

defaults(
  "getDefaultAutoSelectFamilyAttemptTimeout() is the runtime's, raised to 10 at least",
  () => {
    assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), INITIAL_TIMEOUT);
    setDefaultAutoSelectFamilyAttemptTimeout(5);
    assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), 10);
    setDefaultAutoSelectFamilyAttemptTimeout(2147483647);
    assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), 2147483647);
    setDefaultAutoSelectFamilyAttemptTimeout(123);
    assert.is(normalizeTcpConnect({ port: 1 }).autoSelectFamilyAttemptTimeout, 123);
    assert.is(
      normalizeTcpConnect({ port: 1, autoSelectFamilyAttemptTimeout: 3 })
        .autoSelectFamilyAttemptTimeout,
      10,
    );
    setDefaultAutoSelectFamilyAttemptTimeout(INITIAL_TIMEOUT);
  },
);

defaults("setDefaultAutoSelectFamilyAttemptTimeout() rejects what Node 26 rejects", () => {
  const table: [unknown, string, string][] = [
    [0, "ERR_OUT_OF_RANGE", "It must be >= 1 && <= 2147483647. Received 0"],
    [-1, "ERR_OUT_OF_RANGE", "It must be >= 1 && <= 2147483647. Received -1"],
    [1.5, "ERR_OUT_OF_RANGE", "It must be an integer. Received 1.5"],
    [NaN, "ERR_OUT_OF_RANGE", "It must be an integer. Received NaN"],
    [Infinity, "ERR_OUT_OF_RANGE", "It must be an integer. Received Infinity"],
    [2 ** 31, "ERR_OUT_OF_RANGE", "It must be >= 1 && <= 2147483647. Received 2147483648"],
    ["100", "ERR_INVALID_ARG_TYPE", "Received type string ('100')"],
  ];
  for (const [v, code, tail] of table) {
    assert.throws(
      () => setDefaultAutoSelectFamilyAttemptTimeout(v as number),
      (e: Error & { code: string }) =>
        e.code === code && e.message.endsWith(tail) &&
        e instanceof (code === "ERR_OUT_OF_RANGE" ? RangeError : TypeError),
      String(v),
    );
  }
  assert.is(getDefaultAutoSelectFamilyAttemptTimeout(), INITIAL_TIMEOUT);
});

defaults.run();

// ---------------------------------------------------------------------------

const norm = suite("normalizeTcpConnect()");

const L: LookupFunction = () => {};

// Node 26's answers for `net.connect(options)` (class, code, message).
const REJECTED: [string, Record<string, unknown>, string, string, string][] = [
  [
    "port -1",
    { port: -1 },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type number (-1).",
  ],
  [
    "port NaN",
    { port: NaN },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type number (NaN).",
  ],
  [
    "port 1.5",
    { port: 1.5 },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type number (1.5).",
  ],
  [
    "port 'abc'",
    { port: "abc" },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type string ('abc').",
  ],
  [
    "port 65536",
    { port: 65536 },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type number (65536).",
  ],
  [
    "port {}",
    { port: {} },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.port" property must be one of type number or string. Received an instance of Object',
  ],
  [
    "port null",
    { port: null },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.port" property must be one of type number or string. Received null',
  ],
  [
    "host 123",
    { host: 123, port: 80, lookup: L },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.host" property must be of type string. Received type number (123)',
  ],
  [
    "host before port",
    { host: 1, port: -1 },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.host" property must be of type string. Received type number (1)',
  ],
  [
    "localAddress 'foo'",
    { port: 80, localAddress: "foo" },
    "TypeError",
    "ERR_INVALID_IP_ADDRESS",
    "Invalid IP address: foo",
  ],
  [
    "localAddress 5",
    { port: 80, localAddress: 5 },
    "TypeError",
    "ERR_INVALID_IP_ADDRESS",
    "Invalid IP address: 5",
  ],
  [
    "localAddress before port",
    { port: -1, localAddress: "x" },
    "TypeError",
    "ERR_INVALID_IP_ADDRESS",
    "Invalid IP address: x",
  ],
  [
    "localPort '12'",
    { port: 80, localPort: "12" },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    `The "options.localPort" property must be of type number. Received type string ('12')`,
  ],
  [
    "autoSelectFamily 1",
    { port: 80, host: "127.0.0.1", autoSelectFamily: 1 },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.autoSelectFamily" property must be of type boolean. Received type number (1)',
  ],
  [
    "port before autoSelectFamily",
    { port: -1, autoSelectFamily: 1 },
    "RangeError",
    "ERR_SOCKET_BAD_PORT",
    "Port should be >= 0 and < 65536. Received type number (-1).",
  ],
  [
    "attempt timeout '1'",
    { port: 80, host: "127.0.0.1", autoSelectFamilyAttemptTimeout: "1" },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    `The "options.autoSelectFamilyAttemptTimeout" property must be of type number. Received type string ('1')`,
  ],
  [
    "attempt timeout 0",
    { port: 80, host: "127.0.0.1", autoSelectFamilyAttemptTimeout: 0 },
    "RangeError",
    "ERR_OUT_OF_RANGE",
    'The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be >= 1 && <= 2147483647. Received 0',
  ],
  [
    "attempt timeout 1.5",
    { port: 80, host: "127.0.0.1", autoSelectFamilyAttemptTimeout: 1.5 },
    "RangeError",
    "ERR_OUT_OF_RANGE",
    'The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be an integer. Received 1.5',
  ],
  [
    "blockList {}",
    { port: 80, host: "127.0.0.1", blockList: { check: () => false } },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.blockList" property must be an net.BlockList. Received an instance of Object',
  ],
  [
    "blockList 'a'",
    { port: 80, host: "127.0.0.1", blockList: "a" },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    `The "options.blockList" property must be an net.BlockList. Received type string ('a')`,
  ],
  [
    "lookup 5",
    { port: 80, host: "x.invalid", lookup: 5 },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.lookup" property must be of type function. Received type number (5)',
  ],
  [
    "lookup before family",
    { host: "a.invalid", port: 1, lookup: 1, family: 5 },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    'The "options.lookup" property must be of type function. Received type number (1)',
  ],
  [
    "family 5 (dns.lookup)",
    { port: 80, host: "x.invalid", family: 5 },
    "TypeError",
    "ERR_INVALID_ARG_VALUE",
    "The property 'options.family' must be one of: 0, 4, 6. Received 5",
  ],
  [
    "family 'foo' (dns.lookup)",
    { port: 80, host: "x.invalid", family: "foo" },
    "TypeError",
    "ERR_INVALID_ARG_VALUE",
    "The property 'options.family' must be one of: 0, 4, 6. Received 'foo'",
  ],
  [
    "hints 12345 (dns.lookup)",
    { port: 80, host: "x.invalid", hints: 12345 },
    "TypeError",
    "ERR_INVALID_ARG_VALUE",
    "The argument 'hints' is invalid. Received 12345",
  ],
  [
    "hints 'a' (dns.lookup)",
    { port: 80, host: "x.invalid", hints: "a" },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    `The "options.hints" property must be of type number. Received type string ('a')`,
  ],
  [
    "hints before family",
    { host: "a.invalid", port: 1, hints: "x", family: 5 },
    "TypeError",
    "ERR_INVALID_ARG_TYPE",
    `The "options.hints" property must be of type number. Received type string ('x')`,
  ],
];

for (const [name, options, cls, code, message] of REJECTED) {
  norm(`normalizeTcpConnect() rejects ${name} as Node 26`, () => {
    try {
      normalizeTcpConnect(options);
      assert.unreachable("should throw");
    } catch (err) {
      const e = err as Error & { code: string };
      assert.is(e.constructor.name, cls);
      assert.is(e.code, code);
      assert.is(e.message, message);
    }
  });
}

// Accepted by Node 26 (the checks of dns.lookup only run when dns.lookup does).
const ACCEPTED: [string, Record<string, unknown>][] = [
  ["port ' 80 '", { port: " 80 " }],
  ["negative localPort", { port: 80, localPort: -5 }],
  ["localPort 1.5", { port: 80, localPort: 1.5, host: "127.0.0.1" }],
  ["family 5 with an IP host", { port: 80, host: "127.0.0.1", family: 5 }],
  ["family 5 with a custom lookup", { port: 80, host: "x.invalid", family: 5, lookup: L }],
  ["hints 12345 with a custom lookup", { port: 80, host: "x.invalid", hints: 12345, lookup: L }],
  ["hints 'a' with an IP host", { port: 80, host: "127.0.0.1", hints: "a" }],
  ["lookup 5 with an IP host", { port: 80, host: "127.0.0.1", lookup: 5 }],
  ["family 'IPv6'", { port: 80, host: "x.invalid", family: "IPv6" }],
  ["falsy host", { port: 80, host: false }],
  ["blockList null", { port: 80, host: "127.0.0.1", blockList: null }],
  ["a BlockList", { port: 80, host: "127.0.0.1", blockList: new BlockList() }],
];

for (const [name, options] of ACCEPTED) {
  norm(`normalizeTcpConnect() accepts ${name} as Node 26`, () => {
    normalizeTcpConnect(options);
  });
}

norm("normalizeTcpConnect() fills Node's defaults", () => {
  const p = normalizeTcpConnect({ port: "80" });
  assert.is(p.host, "localhost");
  assert.is(p.port, 80);
  assert.is(p.family, 0);
  assert.is(p.hints, FIXTURE.meta.ADDRCONFIG);
  assert.is(p.autoSelectFamily, true);
  assert.is(p.autoSelectFamilyAttemptTimeout, INITIAL_TIMEOUT);
  assert.is(p.lookup, undefined);
  assert.is(normalizeTcpConnect({ port: 80, family: "IPv4" }).family, 4);
  assert.is(normalizeTcpConnect({ port: 80, family: 6 }).hints, 0);
  assert.is(normalizeTcpConnect({ port: 80, host: "::1" }).hints, 0); // Socket.connect() rejects a missing port and path; an empty path dials port 0, as Node.
  assert.is(normalizeTcpConnect({ path: "" }).port, 0);
});

norm.run();
