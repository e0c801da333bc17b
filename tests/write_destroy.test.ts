// write() and then destroy() at once: the bytes written reach the peer, as
// with Node's sockets, whose write hands the bytes to the kernel within the
// call (and the kernel sends its buffer after close). On Deno the handles
// write asynchronously; omninet's close waits for those writes (bounded).
import * as nodeNet from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { closeServer, listen, waitFor } from "./_net.ts";

const test = suite("write() then destroy()");

/** Everything a node:net client reads from `port` until the connection closes. */
async function readAll(port: number, send?: string): Promise<Buffer> {
  const c = nodeNet.connect(port, "127.0.0.1");
  const parts: Buffer[] = [];
  c.on("data", (d: Buffer) => parts.push(d));
  c.on("error", () => {});
  if (send !== undefined) c.write(send);
  await waitFor(c, "close");
  return Buffer.concat(parts);
}

for (const size of [6, 64 * 1024, 1024 * 1024]) {
  test(`an accepted socket's ${size} bytes, written and destroyed in 'connection'`, async () => {
    const payload = Buffer.alloc(size, 0x61);
    const server = net.createServer((s) => {
      s.write(payload);
      s.destroy();
    });
    try {
      const port = await listen(server);
      const got = await readAll(port);
      assert.is(got.length, size);
    } finally {
      await closeServer(server);
    }
  });
}

test("two writes (the second after the first's callback) and destroy(): both arrive", async () => {
  const server = net.createServer((s) => {
    s.write("hello ", () => {
      s.write("world");
      s.destroy();
    });
  });
  try {
    const port = await listen(server);
    assert.is(String(await readAll(port)), "hello world");
  } finally {
    await closeServer(server);
  }
});

test("a client's write and destroy() right after 'connect'", async () => {
  let got = "";
  const server = nodeNet.createServer((s) => {
    s.setEncoding("utf8");
    s.on("data", (d: string) => (got += d));
    s.on("error", () => {});
  });
  try {
    const port = await listen(server as unknown as net.Server);
    const ended = new Promise<void>((resolve) =>
      server.once("connection", (s) => s.on("close", resolve))
    );
    const c = net.connect(port, "127.0.0.1", () => {
      c.write("from the client");
      c.destroy();
    });
    await waitFor(c, "close");
    await ended;
    assert.is(got, "from the client");
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("answering a request and destroying in the same 'data' callback", async () => {
  const server = net.createServer((s) => {
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      for (const line of d.split("\n").filter(Boolean)) s.write(`${line.toUpperCase()}\n`);
      s.destroy();
    });
  });
  try {
    const port = await listen(server);
    assert.is(String(await readAll(port, "one\ntwo\n")), "ONE\nTWO\n");
  } finally {
    await closeServer(server);
  }
});

test.run();
