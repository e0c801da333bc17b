// omninet's BlockList and the runtime's own node:net BlockList together:
// omninet's options (Server, connect) take the runtime's lists, as Node's take
// its own; and where node:net's lists are cloneable live-shared lists (Node
// 20+), omninet's are too: `structuredClone()`/`postMessage()` give the other
// side a node:net list sharing the same rules (changes on either side seen on
// both), and node:net's own APIs (`dgram`'s `sendBlockList`, node:net's
// `blockList` options) take omninet's lists, as they take Node's.
import dgram from "node:dgram";
import * as nodeNet from "node:net";
import { Worker } from "node:worker_threads";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { nativeBlockList } from "../runtimes/node/handoff.ts";
import { codeOf, waitFor } from "./_net.ts";
import { currentRuntime } from "./_runtime.ts";

const shares = nativeBlockList() !== null;
type NodeList = nodeNet.BlockList & { removeAddress?(a: string): void };

const Options = suite("omninet's options take the runtime's own BlockList");

Options("isBlockList() says so, and not for look-alikes", () => {
  assert.ok(net.BlockList.isBlockList(new nodeNet.BlockList()));
  assert.not.ok(net.BlockList.isBlockList({ check: () => true }));
  assert.not.ok(net.BlockList.isBlockList(Object.create(net.BlockList.prototype)));
});

Options("connect() with the runtime's list refuses a blocked address", async () => {
  const list = new nodeNet.BlockList();
  list.addAddress("127.0.0.1");
  const c = net.connect({ port: 9, host: "127.0.0.1", blockList: list });
  const [err] = await waitFor(c, "error");
  assert.is((err as { code?: string }).code, "ERR_IP_BLOCKED");
});

Options(
  "the runtime's own SocketAddress is a SocketAddress for omninet, and its BlockList takes it",
  () => {
    const at = (address: string, family: "ipv4" | "ipv6" = "ipv4") =>
      new nodeNet.SocketAddress({ address, family });
    assert.ok(net.SocketAddress.isSocketAddress(at("192.0.2.1")));
    assert.not.ok(net.SocketAddress.isSocketAddress({ address: "192.0.2.1", port: 0 }));
    assert.not.ok(net.SocketAddress.isSocketAddress(Object.create(net.SocketAddress.prototype)));
    const list = new net.BlockList();
    list.addAddress(at("192.0.2.1") as never);
    list.addSubnet(at("198.51.100.0") as never, 24);
    list.addRange(at("2001:db8::1", "ipv6") as never, at("2001:db8::9", "ipv6") as never);
    assert.equal(list.rules, [
      "Address: IPv4 192.0.2.1",
      "Subnet: IPv4 198.51.100.0/24",
      "Range: IPv6 2001:db8::1-2001:db8::9",
    ]);
    assert.ok(list.check(at("192.0.2.1") as never));
    assert.ok(list.check(at("198.51.100.77") as never));
    assert.ok(list.check(at("2001:db8::5", "ipv6") as never));
    assert.not.ok(list.check(at("192.0.2.2") as never));
    list.removeAddress(at("192.0.2.1") as never);
    assert.not.ok(list.check("192.0.2.1"));
  },
);

Options.run();

const Shared = suite("omninet's BlockList shared with node:net (Node)");

Shared("cloneable exactly where node:net's lists are live-shared clones", () => {
  assert.is(shares, currentRuntime() === "node");
  const list = new net.BlockList();
  assert.is(list instanceof nodeNet.BlockList, shares);
});

if (shares) {
  Shared("structuredClone() gives a node:net list sharing the rules, both ways", () => {
    const list = new net.BlockList();
    list.addAddress("1.2.3.4");
    list.addSubnet("10.0.0.0", 8);
    list.addRange("2001:db8::1", "2001:db8::9", "ipv6");
    const before = list.rules;
    const clone = structuredClone(list) as NodeList;
    assert.ok(clone instanceof nodeNet.BlockList);
    assert.not.ok(clone instanceof net.BlockList);
    assert.equal(clone.rules, before);
    assert.equal(list.rules, before);
    assert.ok(clone.check("10.9.9.9"));
    assert.ok(clone.check("2001:db8::5", "ipv6"));
    clone.addAddress("9.9.9.9");
    assert.ok(list.check("9.9.9.9"));
    list.addSubnet("192.168.0.0", 16);
    assert.ok(clone.check("192.168.3.4"));
    assert.is(list.size, 5);
    assert.equal(JSON.parse(JSON.stringify(list)), list.rules);
    if (typeof clone.removeAddress === "function") {
      list.removeAddress("9.9.9.9");
      assert.not.ok(clone.check("9.9.9.9"));
      list.clear();
      assert.equal(clone.rules, []);
    } else {
      // Node 20's lists cannot remove: once shared, neither can omninet's.
      assert.is(codeOf(() => list.removeAddress("9.9.9.9")), "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
      assert.ok(clone.check("9.9.9.9"));
    }
  });

  Shared("a list not shared keeps its own index: another list's clone does not touch it", () => {
    const a = new net.BlockList();
    const b = new net.BlockList();
    a.addAddress("1.1.1.1");
    b.addAddress("2.2.2.2");
    structuredClone(a);
    assert.equal(b.rules, ["Address: IPv4 2.2.2.2"]);
    b.removeAddress("2.2.2.2");
    assert.equal(b.rules, []);
    assert.ok(a.check("1.1.1.1"));
  });

  Shared("postMessage() to a worker: the worker checks and adds to the same rules", async () => {
    const list = new net.BlockList();
    list.addAddress("5.5.5.5");
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
      parentPort.once("message", (list) => {
        const seen = list.check("5.5.5.5");
        list.addAddress("6.6.6.6");
        parentPort.postMessage(seen);
      });`,
      { eval: true },
    );
    try {
      const reply = waitFor(worker, "message", 20_000);
      worker.postMessage(list);
      assert.equal(await reply, [true]);
      assert.ok(list.check("6.6.6.6"));
    } finally {
      await worker.terminate();
    }
  });

  Shared("node:net's APIs take omninet's list as their own", async () => {
    const ours = new net.BlockList();
    ours.addAddress("127.0.0.2");
    const theirs = new nodeNet.BlockList();
    theirs.addAddress("127.0.0.2");
    // node:net's Server: accepted (or refused) as its own list is.
    assert.is(
      codeOf(() => nodeNet.createServer({ blockList: ours } as never).close()),
      codeOf(() => nodeNet.createServer({ blockList: theirs } as never).close()),
    );
    // dgram's sendBlockList (Node 24+; older Nodes ignore the option): the same outcome.
    const send = (list: unknown) =>
      new Promise<string | undefined>((resolve) => {
        const s = dgram.createSocket({ type: "udp4", sendBlockList: list } as never);
        s.send("x", 9, "127.0.0.2", (err) => {
          s.close();
          resolve((err as { code?: string } | null)?.code);
        });
      });
    assert.is(await send(ours), await send(theirs));
  });
}

Shared.run();
