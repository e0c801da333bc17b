// omninet's BlockList and the runtime's own node:net lists and addresses: omninet's
// options and BlockList.isBlockList() take the runtime's lists, as Node's take its own, and
// omninet's BlockList takes the runtime's SocketAddress objects. The other way (an omninet
// list in node:net's own APIs, or cloned) is refused as the README says.
import * as nodeNet from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { codeOf, waitFor } from "./_net.ts";

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

const Native = suite("omninet's BlockList in node:net's own APIs and clones");

// Node recognises its lists by the native list its constructor attaches (README, Differences
// from Node): an omninet list is refused loudly where node:net checks, never taken with an
// empty native list that would pass every address.
Native(
  "node:net's blockList option refuses an omninet list exactly where it checks the type",
  () => {
    const theirs = codeOf(() => nodeNet.createServer({ blockList: {} } as never).close());
    const ours = codeOf(() =>
      nodeNet.createServer({ blockList: new net.BlockList() } as never).close()
    );
    // Node 24+ and Bun validate (ERR_INVALID_ARG_TYPE for both); Node 20 and Deno take anything.
    assert.is(ours, theirs);
  },
);

Native("a clone of an omninet list is a plain object, never a list that passes everything", () => {
  const list = new net.BlockList();
  list.addAddress("1.2.3.4");
  const copy = structuredClone(list) as unknown;
  assert.not.ok(net.BlockList.isBlockList(copy));
  assert.not.ok(copy instanceof nodeNet.BlockList);
  assert.ok(list.check("1.2.3.4"));
});

Native.run();
