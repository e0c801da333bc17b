/**
 * The runtime's own `net.BoundSocket` (Node 24.21+ and 26.10+), as far as
 * omninet's BoundSocket stands in for it and takes its handles over. No
 * other imports, so that the adapters and core can both use it.
 * @module
 */
import * as nodeNetModule from "node:net";

/**
 * What omninet's `BoundSocket` needs to pass for the runtime's own
 * `net.BoundSocket` (Node 24.21+ and 26.10+): node:net's class, and the
 * symbols under which node:net's own code (a node:net Server or Socket
 * adopting one; `child_process` and worker messaging moving one on Node 26)
 * asks a BoundSocket for its handle.
 */
export interface NativeBoundFacts {
  /** node:net's BoundSocket class: omninet's prototype chain goes through its prototype. */
  readonly Class: abstract new (...args: never[]) => object;
  /** Takes the runtime handle out of a bound socket (it is adopted afterwards). */
  readonly consume: symbol;
  /** A getter: a Unix socket's bound path, `undefined` for TCP. */
  readonly path: symbol;
  /** Worker messaging (Node 26.10+): the handles a transfer moves. */
  readonly transferList: symbol | undefined;
  /** Worker messaging: detaches the handle and says how the other side rebuilds it. */
  readonly transfer: symbol | undefined;
  /** Worker messaging: fills a rebuilt bound socket (only node:net's own are rebuilt). */
  readonly deserialize: symbol | undefined;
  /**
   * A new object that node:net's constructor marked as transferable and
   * bound nothing (Node 26.10+; `null` elsewhere): omninet's BoundSocket is
   * built on it, as node:net marks only objects its constructor made.
   */
  readonly shell: (() => object) | null;
}

// node:net's own code calls a BoundSocket only under these symbols (by their descriptions).
const _BOUND_ROLES: Record<
  string,
  "consume" | "path" | "transferList" | "transfer" | "deserialize"
> = {
  kBoundSocketConsume: "consume",
  kBoundSocketPath: "path",
  messaging_transfer_list_symbol: "transferList",
  messaging_transfer_symbol: "transfer",
  messaging_deserialize_symbol: "deserialize",
};

let _nativeBound: NativeBoundFacts | null | undefined;

/**
 * The runtime's own `net.BoundSocket` facts, or `null` where it has none or
 * one with a member omninet's could not answer (node:net's methods read
 * private fields, so omninet's BoundSocket must shadow every one that
 * node:net's code calls; an unknown symbol-keyed member means a node:net
 * this code does not know). Asked once.
 * @returns the facts, or `null`
 * @example
 * ```ts
 * const facts = nativeBound();
 * if (facts) console.log(new (class {})() instanceof facts.Class);
 * ```
 */
export function nativeBound(): NativeBoundFacts | null {
  if (_nativeBound !== undefined) return _nativeBound;
  _nativeBound = null;
  const mod = nodeNetModule as unknown as {
    BoundSocket?: abstract new (...args: never[]) => object;
    _TransferredBoundSocket?: () => object;
  };
  const Class = mod.BoundSocket;
  if (typeof Class !== "function") return null;
  const found: Partial<Record<string, symbol>> = {};
  for (const sym of Object.getOwnPropertySymbols(Class.prototype)) {
    if (sym === Symbol.dispose) continue;
    const role = _BOUND_ROLES[sym.description ?? ""];
    if (role === undefined || found[role] !== undefined) return null;
    found[role] = sym;
  }
  if (found.consume === undefined || found.path === undefined) return null;
  const transfers = found.transfer !== undefined && found.transferList !== undefined &&
    typeof mod._TransferredBoundSocket === "function";
  const make = mod._TransferredBoundSocket;
  _nativeBound = {
    Class,
    consume: found.consume,
    path: found.path,
    transferList: found.transferList,
    transfer: found.transfer,
    deserialize: found.deserialize,
    shell: transfers ? () => make!() : null,
  };
  return _nativeBound;
}
