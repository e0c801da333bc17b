/**
 * `net.BoundSocket` through the runtime's own `node:net`, where it has one
 * (Node 24.21+ and 26.10+; not Node 20, Deno 2.9 or Bun 1.4): the inner
 * BoundSocket binds, and the inner Server or Socket adopts it, so this
 * adapter serves it exactly as that Node does. The dial and listen steps
 * come from `mod.ts` as `NodeBoundOps` (no import cycle).
 * @module
 */
import * as nodeNet from "node:net";
import type {
  AddressInfo,
  BoundHandle,
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  TcpBindRequest,
  TcpConnectRequest,
} from "../types.ts";
import { mapError, type Where } from "./errors.ts";
import { nativeBound } from "./native_bound.ts";

/** The runtime's own BoundSocket, as this file uses it. */
interface _InnerBound {
  address(): AddressInfo | string;
  fd(): number;
  close(): void;
}

type _InnerBoundClass = new (options: Record<string, unknown>) => _InnerBound;

/** What `mod.ts` lends this file. */
export interface NodeBoundOps {
  /** Listens with `server.listen(opts)` (`opts.handle` is the inner BoundSocket). */
  listen(
    opts: Record<string, unknown>,
    events: ListenerEvents,
    cb: ListenCallback,
    where: Where,
    path?: string,
  ): void;
  /** Dials on a `node:net` Socket made with `{ handle }`. */
  dialTcp(req: TcpConnectRequest, cb: ConnectCallback, handle: unknown): Dial;
  /** Dials a Unix path on a `node:net` Socket made with `{ handle }`. */
  dialUnix(path: string, cb: ConnectCallback, handle: unknown): Dial;
}

class _NodeBound implements BoundHandle {
  readonly #b: _InnerBound;
  readonly #ops: NodeBoundOps;
  readonly #address: AddressInfo | string;

  constructor(b: _InnerBound, ops: NodeBoundOps) {
    this.#b = b;
    this.#ops = ops;
    this.#address = b.address();
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  fd(): number {
    return this.#b.fd();
  }

  close(): void {
    this.#b.close();
  }

  listen(backlog: number, events: ListenerEvents, cb: ListenCallback): void {
    const path = typeof this.#address === "string" ? this.#address : undefined;
    const where: Where = path === undefined
      ? { syscall: "listen" }
      : { syscall: "listen", address: path, unixListen: true };
    this.#ops.listen({ handle: this.#b, backlog }, events, cb, where, path);
  }

  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
    return this.#ops.dialTcp(req, cb, this.#b);
  }

  connectUnix(path: string, cb: ConnectCallback): Dial {
    return this.#ops.dialUnix(path, cb, this.#b);
  }

  // node:net's BoundSocket hands its handle out only through the symbols its own code calls:
  // the worker transfer list (a look, Node 26.10+) and the adopters' consume (taken).
  nativeHandle(): object {
    const list = nativeBound()!.transferList!;
    return (this.#b as unknown as Record<symbol, () => object[]>)[list]()[0];
  }

  release(): object {
    const consume = nativeBound()!.consume;
    return (this.#b as unknown as Record<symbol, () => object>)[consume]();
  }
}

/**
 * The `bindTcp`/`bindUnix` pair over the runtime's `node:net` BoundSocket,
 * or `null` where it has none.
 * @param ops the adapter's dial and listen steps
 * @returns the two methods, or `null`
 * @example
 * ```ts
 * const binders = nodeBinders(ops);
 * if (binders) Object.assign(transport, binders);
 * ```
 */
export function nodeBinders(ops: NodeBoundOps): {
  bindTcp(req: TcpBindRequest): BoundHandle;
  bindUnix(path: string): BoundHandle;
  adoptBound?(bound: object): BoundHandle;
} | null {
  const Inner = (nodeNet as unknown as { BoundSocket?: _InnerBoundClass }).BoundSocket;
  // Node 24.21 and 26 bind paths too (their BoundSocket has `isPipe`).
  if (typeof Inner !== "function" || !("isPipe" in Inner.prototype)) return null;
  return {
    // node:net's own BoundSocket is what this adapter holds anyway; one that is adopted or
    // closed throws node:net's ERR_SOCKET_HANDLE_ADOPTED from address().
    adoptBound: nativeBound() === null
      ? undefined
      : (bound: object): BoundHandle => new _NodeBound(bound as _InnerBound, ops),
    bindTcp(req: TcpBindRequest): BoundHandle {
      let b: _InnerBound;
      try {
        b = new Inner({
          host: req.address,
          port: req.port,
          ipv6Only: req.ipv6Only,
          reusePort: req.reusePort,
        });
      } catch (err) {
        throw mapError(err, { syscall: "bind", address: req.address, port: req.port });
      }
      return new _NodeBound(b, ops);
    },
    bindUnix(path: string): BoundHandle {
      let b: _InnerBound;
      try {
        b = new Inner({ path });
      } catch (err) {
        throw mapError(err, { syscall: "bind" });
      }
      return new _NodeBound(b, ops);
    },
  };
}
