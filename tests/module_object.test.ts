// The default export is a module object as Node's `node:net` is: every export,
// patchable the ways test tools and instrumentation patch `net` (assignment,
// sinon's and jest's property replacement), with named imports unchanged. And
// in TypeScript it names every type that core/api.ts exports.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { createServer as nodeCreateServer, type Server as NodeServer } from "node:net";
import { fileURLToPath } from "node:url";
import net, { connect, createConnection } from "../mod.ts";
import * as star from "../mod.ts";
import * as api from "../core/api.ts";

const test = suite("module object");

test("holds every export of the module, the same values, and nothing else enumerable", () => {
  const named = Object.keys(api).sort();
  assert.equal(Object.keys(net).sort(), named);
  for (const key of named) {
    assert.is((net as Record<string, unknown>)[key], (api as Record<string, unknown>)[key], key);
    assert.is((net as Record<string, unknown>)[key], (star as Record<string, unknown>)[key], key);
  }
  assert.is(star.default, net);
});

test("is a plain extensible object whose properties can be replaced and deleted", () => {
  assert.is(Object.getPrototypeOf(net), Object.prototype);
  assert.ok(Object.isExtensible(net));
  for (const key of Object.keys(net)) {
    const d = Object.getOwnPropertyDescriptor(net, key);
    assert.ok(d && d.writable && d.configurable && d.enumerable, key);
  }
  // What `require()` of the package gave before: its namespace, whose
  // `default` was this object.
  const d = Object.getOwnPropertyDescriptor(net, "default");
  assert.ok(d && d.value === net && !d.enumerable);
});

function listen(): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const server = nodeCreateServer((s) => s.end("ok")).once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function reply(socket: ReturnType<typeof connect>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.setEncoding("utf8").on("data", (d: string) => (text += d)).once("error", reject);
    socket.once("close", () => resolve(text));
  });
}

test("an assigned wrapper is called through the object, named imports keep the original", async () => {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  const original = net.connect;
  const seen: unknown[] = [];
  try {
    net.connect = function (this: unknown, ...args: unknown[]) {
      seen.push(args[0]);
      return (original as (...a: unknown[]) => ReturnType<typeof connect>).apply(this, args);
    } as typeof net.connect;
    assert.is.not(net.connect, original);
    assert.is(connect, original, "the named export is not patched");
    assert.is(await reply(net.connect(port, "127.0.0.1")), "ok");
    assert.equal(seen, [port]);
    assert.is(await reply(connect(port, "127.0.0.1")), "ok");
    assert.equal(seen, [port], "a named import does not go through the patch");
  } finally {
    net.connect = original;
    server.close();
  }
  assert.is(net.connect, connect);
});

test("sinon- and jest-style replacement: defineProperty, then the descriptor restored", async () => {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  const saved = Object.getOwnPropertyDescriptor(net, "createConnection")!;
  let calls = 0;
  try {
    Object.defineProperty(net, "createConnection", {
      ...saved,
      value: (...args: Parameters<typeof createConnection>) => {
        calls++;
        return createConnection(...args);
      },
    });
    assert.is(await reply(net.createConnection({ port, host: "127.0.0.1" })), "ok");
    assert.is(calls, 1);
  } finally {
    Object.defineProperty(net, "createConnection", saved);
    server.close();
  }
  assert.is(net.createConnection, createConnection);
  // Deleting and putting back, as some spies restore.
  const loose = net as Record<string, unknown>;
  const socketClass = loose.Socket;
  assert.ok(delete loose.Socket);
  assert.not.ok("Socket" in net);
  loose.Socket = socketClass;
  assert.is(net.Socket, api.Socket);
  assert.equal(Object.keys(net).sort(), Object.keys(api).sort());
});

// The sources, from tests/ (Deno, Bun) or dist/tests/ (Node).
function source(name: string): string {
  const file = [new URL(`../${name}`, import.meta.url), new URL(`../../${name}`, import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`${name} not found`);
  return readFileSync(file, "utf8");
}

test("names in TypeScript every type core/api.ts exports, and each class", () => {
  const text = source("core/api.ts");
  const exported = new Set<string>();
  // `export type { A, B as C } from` lists, and classes exported as values.
  for (const m of text.matchAll(/^export type \{([^}]*)\}/gm)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).at(-1);
      if (name) exported.add(name);
    }
  }
  for (const m of text.matchAll(/^export type (\w+)\s*=/gm)) exported.add(m[1]);
  for (const key of Object.keys(api)) {
    const value = (api as Record<string, unknown>)[key];
    // Classes (Socket and Server are callable classes); `Stream` is a
    // value alias only, as in @types/node's `net`.
    if (typeof value === "function" && /^[A-Z]/.test(key) && key !== "Stream") exported.add(key);
  }
  assert.ok(exported.size > 25, `only ${exported.size} types found in core/api.ts`);
  const mod = source("mod.ts");
  const block = mod.slice(mod.indexOf("declare namespace net {"));
  const declared = new Set([...block.matchAll(/^\s*export type (\w+)/gm)].map((m) => m[1]));
  assert.equal([...exported].filter((n) => !declared.has(n)).sort(), [], "missing from mod.ts");
  assert.equal([...declared].filter((n) => !exported.has(n)).sort(), [], "not exported by api");
});

test.run();
