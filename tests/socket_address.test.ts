import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as nodeNet from "node:net";
import { inspect } from "node:util";
import { _socketAddressValue, SocketAddress } from "../core/socket_address.ts";
import { readJsonLines } from "./_fixtures.ts";

/** Asserts that `fn` throws an error of `cls` carrying `code`. */
function throwsCode(fn: () => unknown, cls: ErrorConstructor, code: string, what = ""): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, cls, what);
    assert.is((e as { code?: string }).code, code, what);
    return;
  }
  assert.unreachable(`did not throw ${code} ${what}`);
}

const ctor = suite("new SocketAddress()");

ctor("defaults to 127.0.0.1 for IPv4 and :: for IPv6, port 0, flowlabel 0", () => {
  assert.equal(new SocketAddress().toJSON(), {
    address: "127.0.0.1",
    port: 0,
    family: "ipv4",
    flowlabel: 0,
  });
  assert.equal(new SocketAddress({ family: "ipv6" }).toJSON(), {
    address: "::",
    port: 0,
    family: "ipv6",
    flowlabel: 0,
  });
  assert.is(new SocketAddress(undefined).address, "127.0.0.1");
});

ctor("normalises IPv6 addresses as Node prints them", () => {
  const cases: Array<[string, string]> = [
    ["FE80::AbCd", "fe80::abcd"],
    ["0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0"],
    ["::FFFF:7f00:1", "::ffff:127.0.0.1"],
    ["::0.0.0.1", "::1"],
    ["::0.1.0.0", "::0.1.0.0"],
    ["::fffe:102:304", "::fffe:102:304"],
    ["1:0:0:1:0:0:1:1", "1::1:0:0:1:1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
  ];
  for (const [input, printed] of cases) {
    assert.is(new SocketAddress({ address: input, family: "ipv6" }).address, printed, input);
  }
});

ctor("drops an IPv6 zone ID, whatever it holds, as Node does", () => {
  for (const a of ["fe80::1%eth0", "fe80::1%", "fe80::1%_x", "fe80::1%\u00e9"]) {
    assert.is(new SocketAddress({ address: a, family: "ipv6" }).address, "fe80::1", a);
  }
});

ctor("throws ERR_INVALID_ADDRESS for an address not of its family", () => {
  const bad: Array<[string, string | undefined]> = [
    ["::1", undefined],
    ["1.2.3.4", "ipv6"],
    ["", "ipv4"],
    ["localhost", "ipv4"],
    ["01.2.3.4", "ipv4"],
    ["1.2.3", "ipv4"],
    ["1.2.3.4%eth0", "ipv4"],
    [" 1.2.3.4", "ipv4"],
    ["[::1]", "ipv6"],
    ["::1.2.3", "ipv6"],
    ["1.2.3.4\0x", "ipv4"],
    ["::1\0", "ipv6"],
  ];
  for (const [address, family] of bad) {
    throwsCode(
      () => new SocketAddress({ address, family: family as "ipv4" | "ipv6" | undefined }),
      Error,
      "ERR_INVALID_ADDRESS",
      address,
    );
  }
});

ctor("validates options with Node's codes", () => {
  for (const options of [null, 1, "x", [], () => {}]) {
    throwsCode(
      () => new SocketAddress(options as never),
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      String(options),
    );
  }
  for (const family of ["ipv4x", "", 4, null, "ip"]) {
    throwsCode(
      () => new SocketAddress({ family: family as never }),
      TypeError,
      "ERR_INVALID_ARG_VALUE",
      String(family),
    );
  }
  for (const address of [1, null, {}]) {
    throwsCode(
      () => new SocketAddress({ address: address as never }),
      TypeError,
      "ERR_INVALID_ARG_TYPE",
    );
  }
});

ctor("accepts the family in any case", () => {
  // Any case works at run time, as on Node (typed as @types/node types it).
  assert.is(new SocketAddress({ family: "IPv6" as "ipv6" }).family, "ipv6");
  assert.is(new SocketAddress({ family: "IPV4" as "ipv4" }).family, "ipv4");
  assert.is(new SocketAddress({ family: new String("ipv6") as never }).family, "ipv6");
});

ctor("accepts ports as Node's validatePort does and rejects the rest", () => {
  const good: Array<[unknown, number]> = [
    [80, 80],
    ["80", 80],
    [" 80", 80],
    ["0x50", 80],
    [
      -0,
      0,
    ],
    [65535, 65535],
    [undefined, 0],
  ];
  for (const [port, value] of good) {
    assert.is(new SocketAddress({ port: port as never }).port, value, String(port));
  }
  for (const port of [-1, 65536, 1.5, "x", "", null, true, 80n, NaN]) {
    throwsCode(
      () => new SocketAddress({ port: port as never }),
      RangeError,
      "ERR_SOCKET_BAD_PORT",
      String(port),
    );
  }
});

ctor("validates flowlabel and keeps it only for IPv6", () => {
  const v6 = new SocketAddress({ family: "ipv6", flowlabel: 0xfffff });
  assert.is(v6.flowlabel, 0xfffff);
  assert.is(new SocketAddress({ flowlabel: 7 }).flowlabel, 0);
  throwsCode(
    () => new SocketAddress({ flowlabel: "1" as never }),
    TypeError,
    "ERR_INVALID_ARG_TYPE",
  );
  throwsCode(
    () => new SocketAddress({ flowlabel: null as never }),
    TypeError,
    "ERR_INVALID_ARG_TYPE",
  );
  for (const flowlabel of [-1, 1.5, 2 ** 32]) {
    throwsCode(() => new SocketAddress({ flowlabel }), RangeError, "ERR_OUT_OF_RANGE");
  }
  // 20 bits: Node aborts the process here; a RangeError is the sane equivalent.
  throwsCode(
    () => new SocketAddress({ family: "ipv6", flowlabel: 0x100000 }),
    RangeError,
    "ERR_OUT_OF_RANGE",
  );
});

ctor("checks family, address type, port, flowlabel, then the address, in Node's order", () => {
  throwsCode(
    () => new SocketAddress({ family: "x" as never, address: 1 as never }),
    TypeError,
    "ERR_INVALID_ARG_VALUE",
  );
  throwsCode(
    () => new SocketAddress({ address: 1 as never, port: -1 }),
    TypeError,
    "ERR_INVALID_ARG_TYPE",
  );
  throwsCode(
    () => new SocketAddress({ port: -1, flowlabel: -1 }),
    RangeError,
    "ERR_SOCKET_BAD_PORT",
  );
  throwsCode(
    () => new SocketAddress({ address: "zz", flowlabel: -1 }),
    RangeError,
    "ERR_OUT_OF_RANGE",
  );
});

/** Recorded answers of Node 20 and 24 (`new`) and Node 24 (`parse`). */
function loadRecorded(): Array<[string, string, unknown, unknown]> {
  return readJsonLines("ip_node_socket_address.jsonl").slice(1) as Array<
    [string, string, unknown, unknown]
  >;
}

const recorded = loadRecorded();

function canonical(address: string, family: string): string | null {
  try {
    return new SocketAddress({ address, family: family as "ipv4" | "ipv6" }).address;
  } catch (e) {
    assert.is((e as { code?: string }).code, "ERR_INVALID_ADDRESS");
    return null;
  }
}

// Only real Node's node:net follows Node here: Deno's rejects zone IDs and prints
// `::a.b.c.d` differently, Bun's does not normalise IPv6 and accepts bad IPv4.
const runtimeIsNode = !("Deno" in globalThis) && !("Bun" in globalThis);

function nodeCanonical(address: string, family: string): string | null {
  try {
    return new nodeNet.SocketAddress({ address, family: family as "ipv4" }).address;
  } catch {
    return null;
  }
}

ctor("agrees with Node's recorded results on 5,000 generated addresses per family", () => {
  const rows = recorded.filter((r) => r[0] === "new");
  assert.ok(rows.length >= 5000);
  const bad: string[] = [];
  let valid = 0;
  for (const [, input, v4, v6] of rows) {
    for (const [family, want] of [["ipv4", v4], ["ipv6", v6]] as const) {
      const got = canonical(input, family);
      if (got !== null) valid++;
      // Node's C++ side stops at a NUL ("1.2.3.4\0x" passes as 1.2.3.4); we reject such text.
      if (input.includes("\0")) {
        if (got !== null) bad.push(`NUL accepted: ${JSON.stringify(input)}`);
        continue;
      }
      if (got !== want) bad.push(`${family} ${JSON.stringify(input)}: ${got} vs ${want}`);
      if (runtimeIsNode && got !== nodeCanonical(input, family)) bad.push(`live ${input}`);
    }
  }
  assert.ok(valid > 1000);
  assert.equal(bad.slice(0, 10), []);
});

ctor.run();

const props = suite("SocketAddress properties");

props("exposes getters on the prototype and a toJSON() in Node's key order", () => {
  const sa = new SocketAddress({ address: "::1", port: 8080, family: "ipv6", flowlabel: 5 });
  assert.equal(Object.keys(sa), []);
  for (const key of ["address", "port", "family", "flowlabel"]) {
    const d = Object.getOwnPropertyDescriptor(SocketAddress.prototype, key);
    assert.type(d?.get, "function", key);
    assert.is(d?.enumerable, false, key);
  }
  assert.is(
    JSON.stringify(sa),
    '{"address":"::1","port":8080,"family":"ipv6","flowlabel":5}',
  );
});

props("is immutable", () => {
  const sa = new SocketAddress({ address: "1.2.3.4", port: 1 });
  assert.throws(() => {
    (sa as unknown as { port: number }).port = 2;
  });
  assert.is(sa.port, 1);
});

props("getters throw a TypeError on foreign receivers", () => {
  const get = Object.getOwnPropertyDescriptor(SocketAddress.prototype, "address")!.get!;
  assert.throws(() => get.call({}), (e: unknown) => e instanceof TypeError);
});

props("isSocketAddress() and instanceof recognise instances only", () => {
  const sa = new SocketAddress();
  assert.ok(sa instanceof SocketAddress);
  assert.ok(SocketAddress.isSocketAddress(sa));
  class Sub extends SocketAddress {}
  assert.ok(SocketAddress.isSocketAddress(new Sub()));
  for (const v of [sa.toJSON(), Object.create(SocketAddress.prototype), null, 1, "1.2.3.4"]) {
    assert.not.ok(SocketAddress.isSocketAddress(v));
  }
});

props("util.inspect() prints like Node", () => {
  const sa = new SocketAddress({ address: "::1", port: 8080, family: "ipv6", flowlabel: 5 });
  assert.is(
    inspect(sa),
    "SocketAddress { address: '::1', port: 8080, family: 'ipv6', flowlabel: 5 }",
  );
  assert.is(inspect(sa, { depth: -1 }), "[SocketAddress]");
  assert.is(
    inspect({ a: { b: { c: sa } } }),
    "{ a: { b: { c: [SocketAddress] } } }",
  );
});

props.run();

const parse = suite("SocketAddress.parse()");

parse("parses addresses with and without ports", () => {
  const cases: Array<[string, string, number, string]> = [
    ["1.2.3.4", "1.2.3.4", 0, "ipv4"],
    ["1.2.3.4:8080", "1.2.3.4", 8080, "ipv4"],
    ["255.255.255.255:65535", "255.255.255.255", 65535, "ipv4"],
    ["[::1]", "::1", 0, "ipv6"],
    ["[::1]:443", "::1", 443, "ipv6"],
    ["[::FFFF:1.2.3.4]:5", "::ffff:1.2.3.4", 5, "ipv6"],
    ["1.2.3.4:", "1.2.3.4", 0, "ipv4"],
    ["[::]:0", "::", 0, "ipv6"],
    ["1.2.3.4:08", "1.2.3.4", 8, "ipv4"],
  ];
  for (const [input, address, port, family] of cases) {
    const sa = SocketAddress.parse(input);
    assert.ok(sa instanceof SocketAddress, input);
    assert.equal(sa.toJSON(), { address, port, family, flowlabel: 0 }, input);
  }
});

parse("keeps an explicit :80 as documented (Node 24/26 report port 0)", () => {
  assert.is(SocketAddress.parse("1.2.3.4:80")?.port, 80);
  assert.is(SocketAddress.parse("[::1]:80")?.port, 80);
  assert.is(SocketAddress.parse("1.2.3.4:0080")?.port, 80);
});

parse("returns undefined for anything but an address and an optional port", () => {
  const bad = [
    "",
    "::1",
    "localhost:80",
    "1.2.3.4:65536",
    "1.2.3.4:-1",
    "1.2.3.4:+5",
    "1.2.3.4: 5",
    "1.2.3.4:1:2",
    " 1.2.3.4:5",
    "[::1]x",
    "[::1",
    "[1.2.3.4]:5",
    "[fe80::1%eth0]:1",
    "[fe80::1%25eth0]:1",
    "01.2.3.4:5",
    "1.2.3:5",
    "1.2.3.4:99999999999999999999",
  ];
  for (const input of bad) assert.is(SocketAddress.parse(input), undefined, input);
});

parse("throws ERR_INVALID_ARG_TYPE for a non-string", () => {
  for (const input of [1, undefined, null, {}]) {
    throwsCode(() => SocketAddress.parse(input as never), TypeError, "ERR_INVALID_ARG_TYPE");
  }
});

parse("agrees with Node 24's recorded results on 5,000 generated inputs, :80 aside", () => {
  const rows = recorded.filter((r) => r[0] === "parse");
  assert.ok(rows.length >= 5000);
  const bad: string[] = [];
  let defined = 0;
  for (const [, input, want] of rows) {
    const sa = SocketAddress.parse(input);
    const got = sa === undefined ? null : [sa.address, sa.port, sa.family];
    if (got !== null) defined++;
    const portText = input.slice(input.lastIndexOf(":") + 1);
    // Node's URL-based parse() drops the port when it is http's default 80.
    const node80 = got !== null && got[1] === 80 && /^0*80$/.test(portText);
    const expected = node80 && Array.isArray(want) ? [want[0], 80, want[2]] : want;
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      bad.push(`${JSON.stringify(input)}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
  }
  assert.ok(defined > 3000);
  assert.equal(bad.slice(0, 10), []);
});

parse.run();

const value = suite("_socketAddressValue()");

value("returns the parsed numeric form without re-parsing", () => {
  const v4 = _socketAddressValue(new SocketAddress({ address: "10.0.0.1" }));
  assert.equal({ family: v4.family, v4: v4.v4, words: v4.words }, {
    family: 4,
    v4: 0x0a000001,
    words: null,
  });
  const v6 = _socketAddressValue(new SocketAddress({ address: "::ffff:1.2.3.4", family: "ipv6" }));
  assert.is(v6.family, 6);
  assert.is(v6.v4, -1);
  assert.equal([...v6.words!], [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  assert.ok(Object.isFrozen(v6));
});

value.run();

const clone = suite("SocketAddress through structuredClone() and postMessage()");

/** What the runtime's serializer makes of `value`: the copy, or the error's name. */
function cloned(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch (e) {
    return (e as Error).name;
  }
}

/** The copy `postMessage()` delivers on a MessageChannel, or the error's name. */
async function posted(value: unknown): Promise<unknown> {
  const { MessageChannel } = await import("node:worker_threads");
  const channel = new MessageChannel();
  try {
    const got = new Promise<unknown>((resolve) => channel.port2.once("message", resolve));
    channel.port1.postMessage(value);
    return await got;
  } catch (e) {
    return (e as Error).name;
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
}

const _CASES = [
  { address: "10.1.2.3", port: 8080 },
  { address: "::FFFF:127.0.0.1", family: "ipv6" as const, port: 443, flowlabel: 7 },
  { address: "fe80::1%1", family: "ipv6" as const, port: 0 },
];

clone("a copy is a socket address with the same fields where node:net's own is", async () => {
  for (const init of _CASES) {
    // Deno's own refuses zone IDs (a Deno bug omninet does not copy): judged by the first case.
    let ownCopy: unknown;
    try {
      ownCopy = cloned(new nodeNet.SocketAddress(init));
    } catch {
      ownCopy = cloned(new nodeNet.SocketAddress(_CASES[0]));
    }
    const mine = new SocketAddress(init);
    // The original stays intact and omninet's.
    assert.ok(SocketAddress.isSocketAddress(mine));
    for (const copy of [cloned(mine), await posted(mine)]) {
      if (ownCopy instanceof nodeNet.SocketAddress) {
        // Node: the other side gets a node:net SocketAddress, as with node:net's own.
        assert.instance(copy, nodeNet.SocketAddress, init.address);
        const c = copy as nodeNet.SocketAddress;
        assert.equal(
          { address: c.address, port: c.port, family: c.family, flowlabel: c.flowlabel },
          mine.toJSON(),
          init.address,
        );
      } else {
        // Deno (plain data objects) and Bun (DataCloneError) clone their own differently;
        // omninet's arrives as a plain object without the fields there (README).
        assert.not.instance(copy, nodeNet.SocketAddress, init.address);
        assert.is((copy as { address?: unknown } | null)?.address, undefined, init.address);
      }
    }
  }
});

clone("on Node, node:net's own BlockList and SocketAddress.isSocketAddress take omninet's", () => {
  const mine = new SocketAddress({ address: "192.0.2.1", port: 1 });
  if (
    !(cloned(new nodeNet.SocketAddress({ address: "192.0.2.1" })) instanceof nodeNet.SocketAddress)
  ) {
    // Elsewhere omninet's is not built by node:net's constructor.
    return assert.ok(SocketAddress.isSocketAddress(mine));
  }
  const nativeClass = nodeNet.SocketAddress as unknown as { isSocketAddress(v: unknown): boolean };
  assert.ok(nativeClass.isSocketAddress(mine));
  const own = new nodeNet.BlockList();
  own.addAddress("192.0.2.1");
  assert.ok(own.check(mine as unknown as nodeNet.SocketAddress));
  assert.not.ok(
    own.check(new SocketAddress({ address: "192.0.2.2" }) as unknown as nodeNet.SocketAddress),
  );
});

clone.run();
