/**
 * Picks the transport adapter once, at first use: Deno, then Bun, then Node.
 * On Node and on Deno the libuv adapter (the TCP and Pipe handles each
 * runtime's own `node:net` is built on) is used where its bindings check
 * out; otherwise the `node:net` adapter on Node and the `Deno.connect`/
 * `Deno.listen` adapter on Deno.
 *
 * Why the handles on Deno: they do everything Deno's `node:net` does (local
 * bind, RST on any socket, descriptors, reusePort without `--unstable-net`),
 * hold no read buffer on an idle connection (a read allocates when bytes
 * arrive), complete writes synchronously when the kernel takes them, and
 * read at most 64 KiB at a time, as on Node. Measurements in the README.
 *
 * `OMNINET_TRANSPORT=node` (or `deno`, `bun`, `libuv`) in the environment
 * forces an adapter, so tests and benchmarks can run the `node:net` adapter
 * on every runtime. `setTransport()` does the same from code and also
 * accepts a custom transport (tests use one whose dials never complete).
 * @module
 */
import type { Transport } from "./types.ts";
import { createDenoTransport } from "./deno/mod.ts";
import { createBunTransport } from "./bun/mod.ts";
import { createNodeTransport } from "./node/mod.ts";
import { createLibuvTransport } from "./libuv/mod.ts";
import { withClusterSharing } from "./cluster.ts";

/** Names of the built-in adapters. */
export type TransportName = "deno" | "bun" | "node" | "libuv";

let _current: Transport | undefined;

import { detectRuntime } from "./_shared.ts";

export { detectRuntime };

function _forcedName(): string | undefined {
  const g = globalThis as {
    Deno?: {
      permissions?: { querySync?(d: { name: string; variable: string }): { state: string } };
      env?: { get(k: string): string | undefined };
    };
    process?: { env?: Record<string, string | undefined> };
  };
  if (g.Deno?.env) {
    // Reading the environment without permission would prompt or throw on Deno.
    const state = g.Deno.permissions?.querySync?.({ name: "env", variable: "OMNINET_TRANSPORT" })
      .state;
    return state === "granted" ? g.Deno.env.get("OMNINET_TRANSPORT") : undefined;
  }
  return g.process?.env?.OMNINET_TRANSPORT;
}

function _create(name: string): Transport {
  switch (name) {
    case "deno":
      return createDenoTransport();
    case "bun":
      return createBunTransport();
    case "node":
      return createNodeTransport();
    case "libuv": {
      const t = detectRuntime() !== "bun" ? createLibuvTransport(createNodeTransport()) : null;
      if (t === null) {
        throw new TypeError("The libuv transport needs Node's or Deno's handle bindings");
      }
      return t;
    }
    default:
      throw new TypeError(
        `OMNINET_TRANSPORT must be one of 'deno', 'bun', 'node', 'libuv'; received '${name}'`,
      );
  }
}

/**
 * The forced adapter, else the runtime's own: libuv where it loads, else
 * node:net on Node and Deno.connect/listen on Deno; Bun.connect/listen on Bun.
 */
function _pick(): Transport {
  const forced = _forcedName();
  if (forced) return _create(forced);
  const runtime = detectRuntime();
  if (runtime === "bun") return _create(runtime);
  const net = createNodeTransport();
  return createLibuvTransport(net) ?? (runtime === "deno" ? createDenoTransport() : net);
}

/**
 * What `transport` leaves to the runtime's `node:net`, through one `node:net`
 * adapter made when first needed: a `handle` for `new Socket()` where the
 * adapter has no `openHandle` of its own (Bun, `Deno.connect`; every runtime's
 * `node:net` Socket takes one, so omninet's does too), and a cluster worker's
 * shared listening (`withClusterSharing`).
 */
function _withNodeNet(transport: Transport): Transport {
  let net: Transport | undefined;
  const viaNodeNet = (): Transport => net ??= createNodeTransport();
  if (transport.openHandle === undefined) {
    transport.openHandle = (h) => viaNodeNet().openHandle!(h);
  }
  return withClusterSharing(transport, viaNodeNet);
}

/** The transport in use; chosen on the first call. */
export function getTransport(): Transport {
  return _current ??= _withNodeNet(_pick());
}

/**
 * Replaces the transport for everything created afterwards: a built-in
 * adapter by name, a custom transport, or `null` to choose again.
 */
export function setTransport(transport: Transport | TransportName | null): void {
  _current = transport === null
    ? undefined
    : typeof transport === "string"
    ? _withNodeNet(_create(transport))
    : transport;
}
