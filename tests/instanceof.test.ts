// `instanceof net.Socket` / `net.Server` with omninet imported as `net`: as
// with node:net, the sockets and servers the runtime's node:http (and the
// rest of its stacks) make count too where they are node:net's (on Node and
// Deno all of them; Bun's http.Server is not a node:net Server, for Bun's own
// node:net either); omninet's own count as before; subclasses keep the
// ordinary check.
import http from "node:http";
import * as nodeNet from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { closeServer, listen, sleep, waitFor } from "./_net.ts";

const test = suite("instanceof with omninet as net");

test("node:http's server, its request sockets and its client sockets are net.Server / net.Socket", async () => {
  const seen: boolean[] = [];
  const expected: boolean[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.socket instanceof net.Socket, req.socket instanceof net.Stream);
    expected.push(
      req.socket instanceof nodeNet.Socket,
      req.socket instanceof (nodeNet as unknown as { Stream: typeof nodeNet.Socket }).Stream,
    );
    res.end("ok");
  });
  assert.is(server instanceof net.Server, server instanceof nodeNet.Server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as { port: number }).port;
    const res = await new Promise<http.IncomingMessage>((r) =>
      http.get({ port, host: "127.0.0.1", agent: false }, r)
    );
    seen.push(res.socket instanceof net.Socket);
    expected.push(res.socket instanceof nodeNet.Socket);
    res.resume();
    await waitFor(res, "end");
    assert.equal(seen, expected);
    // Node and Deno: each one is node:net's.
    assert.equal(seen.includes(false), false);
  } finally {
    await closeServer(server as unknown as net.Server);
  }
});

test("node:net's own objects are net.Socket / net.Server; plain objects and streams are not", () => {
  const s = new nodeNet.Socket();
  assert.ok(s instanceof net.Socket);
  assert.ok(new nodeNet.Server() instanceof net.Server);
  assert.not.ok(s instanceof net.Server);
  assert.not.ok({} instanceof net.Socket);
  assert.not.ok(Object.create(null) instanceof net.Socket);
  assert.not.ok((42 as unknown) instanceof net.Socket);
  s.destroy();
});

test("omninet's own sockets and servers, and their subclasses, as before", () => {
  class Sub extends net.Socket {}
  class SubServer extends net.Server {}
  const mine = new net.Socket();
  const sub = new Sub();
  assert.ok(mine instanceof net.Socket);
  assert.ok(sub instanceof net.Socket);
  assert.ok(sub instanceof Sub);
  assert.not.ok(mine instanceof Sub);
  const theirs = new nodeNet.Socket();
  assert.not.ok(theirs instanceof Sub);
  assert.ok(new SubServer() instanceof net.Server);
  assert.not.ok(new nodeNet.Server() instanceof SubServer);
  for (const s of [mine, sub, theirs]) s.destroy();
});

test("net.Socket.call() on a node:net socket constructs a new omninet socket, leaving it alone", () => {
  const theirs = new nodeNet.Socket();
  const made = (net.Socket as unknown as (this: unknown) => net.Socket).call(theirs);
  assert.ok(made !== (theirs as unknown));
  assert.is(Object.getPrototypeOf(made), net.Socket.prototype);
  assert.is(Object.getPrototypeOf(theirs), nodeNet.Socket.prototype);
  made.destroy();
  theirs.destroy();
});

test("pause(), resume() and reads are the stream's, not node:net's, and leave the handle alone", async () => {
  // Where omninet's Socket.prototype sits on node:net's (Node, Deno, Bun), node:net's pause()
  // and resume() stop and start reads on `_handle` themselves (Deno's always, Node's with
  // `onread`): omninet's go through Duplex's, and its adapter alone drives the handle.
  const server = net.createServer();
  const accepted = new Promise<net.Socket>((r) => server.once("connection", r));
  const port = await listen(server);
  const client = net.connect(port, "127.0.0.1");
  const [socket] = await Promise.all([accepted, waitFor(client, "connect")]);
  const own = Object.getOwnPropertyDescriptor(net.Socket.prototype, "_handle")!;
  let reads = 0;
  Object.defineProperty(net.Socket.prototype, "_handle", {
    ...own,
    get(this: net.Socket) {
      reads++;
      return own.get!.call(this);
    },
  });
  try {
    const got: string[] = [];
    socket.on("data", (d: Buffer) => got.push(String(d)));
    socket.pause();
    client.write("one");
    await sleep(20);
    assert.equal(got, [], "paused: nothing delivered");
    socket.resume();
    await new Promise<void>((r) => socket.once("data", () => r()));
    socket.pause();
    socket.resume();
    client.write("two");
    await new Promise<void>((r) => socket.once("data", () => r()));
    assert.is(got.join(""), "onetwo");
    assert.is(reads, 0, "_handle read by pause()/resume()");
  } finally {
    Object.defineProperty(net.Socket.prototype, "_handle", own);
    client.destroy();
    socket.destroy();
    await closeServer(server);
  }
});

test.run();
