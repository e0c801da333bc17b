/**
 * Picks the transport adapter once, at first use: Deno, then Bun, then Node.
 * On Node the libuv adapter (Node's own handles) is used where its bindings
 * check out, the `node:net` adapter otherwise.
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

/** Names of the built-in adapters. */
export type TransportName = "deno" | "bun" | "node" | "libuv";

let _current: Transport | undefined;

/** The runtime this code runs on, by its globals. */
export function detectRuntime(): "deno" | "bun" | "node" {
  const g = globalThis as { Deno?: { version?: { deno?: string } }; Bun?: unknown };
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (g.Bun !== undefined) return "bun";
  return "node";
}

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
      const t = detectRuntime() === "node" ? createLibuvTransport(createNodeTransport()) : null;
      if (t === null) throw new TypeError("The libuv transport needs Node's handle bindings");
      return t;
    }
    default:
      throw new TypeError(
        `OMNINET_TRANSPORT must be one of 'deno', 'bun', 'node', 'libuv'; received '${name}'`,
      );
  }
}

/** The forced adapter, else the runtime's own (on Node: libuv where it loads, else node:net). */
function _pick(): Transport {
  const forced = _forcedName();
  if (forced) return _create(forced);
  const runtime = detectRuntime();
  if (runtime !== "node") return _create(runtime);
  const net = createNodeTransport();
  return createLibuvTransport(net) ?? net;
}

/** The transport in use; chosen on the first call. */
export function getTransport(): Transport {
  return _current ??= _pick();
}

/**
 * Replaces the transport for everything created afterwards: a built-in
 * adapter by name, a custom transport, or `null` to choose again.
 */
export function setTransport(transport: Transport | TransportName | null): void {
  _current = transport === null
    ? undefined
    : typeof transport === "string"
    ? _create(transport)
    : transport;
}
