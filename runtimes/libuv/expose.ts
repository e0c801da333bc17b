/**
 * A libuv stream handle shown to Node's and Deno's own stacks as a
 * `node:net` socket's `_handle` (see `sendableSocketPrototype` in
 * ../node/handoff.ts): what those stacks expect of a handle beyond what this
 * adapter does with it.
 *
 * - `handle[owner_symbol]` is the socket (Node's http Agent destroys a pooled
 *   socket through it when data arrives while it waits in the pool).
 * - The Agent puts its own read callback on a pooled socket's handle and,
 *   when it takes the socket back, sets `node:net`'s generic one
 *   (`onStreamRead`), which drives a `node:net` socket's internals: here that
 *   write gives the handle this adapter's callback back instead. Any other
 *   callback (a guard, http2's) is installed as given, and so is the generic
 *   one from a `node:net` Socket made on the handle (`new net.Socket({ handle })`
 *   names itself the owner first): that socket reads it from then on, as on Node.
 * - `_consumed` is set: `node:http`'s server reads such a handle through its
 *   native parser only if no one consumes it yet, so its requests go through
 *   the socket's stream, as with any other stream socket.
 * - Deno: `isStreamBase` is `false` on the handle. Deno's `node:http` writes
 *   a response's last string or buffer straight to a socket's handle that
 *   says it is a stream base, past the socket's stream, so the socket's
 *   `bytesWritten` would miss it (Deno's own sockets read the handle's
 *   count); with the flag off its responses go through the socket's stream,
 *   as with any other stream socket. Nothing else of Deno's reads the flag.
 *
 * `owner_symbol` and `onStreamRead` are internals of `node:net`: they are
 * read once from a `node:net` Socket built around a fresh handle (no
 * descriptor is opened), and nothing is changed if they are not found.
 * @module
 */
import { Socket as NodeSocket } from "node:net";
import type { RawStream } from "./bindings.ts";
import { uv } from "./bindings.ts";

interface _Internals {
  owner: symbol | null;
  genericRead: unknown;
  holder: object | null;
}

let _internals: _Internals | undefined;

function _discover(): _Internals {
  const h = new uv.TCP(uv.tcp.SOCKET) as unknown as Record<PropertyKey, unknown>;
  const probe = new NodeSocket({ handle: h, manualStart: true } as never);
  // Node names it `owner_symbol`, Deno `ownerSymbol`.
  const owner =
    Object.getOwnPropertySymbols(h).find((s) =>
      s.description === "owner_symbol" || s.description === "ownerSymbol"
    ) ?? null;
  const genericRead = h.onread;
  let holder: object | null = Object.getPrototypeOf(h);
  while (holder !== null && Object.getOwnPropertyDescriptor(holder, "onread") === undefined) {
    holder = Object.getPrototypeOf(holder);
  }
  probe.destroy();
  return { owner, genericRead, holder };
}

/**
 * Prepares `h` (read by `own` through `ownRead`) for Node's stacks, once.
 * @param h the handle about to be shown as `_handle`
 * @param owner the socket reading it
 * @param ownRead this adapter's read callback
 * @example
 * ```ts
 * exposeHandle(handle, socket, onRead);
 * ```
 */
export function exposeHandle(h: RawStream, owner: object, ownRead: RawStream["onread"]): void {
  const facts = (_internals ??= _discover());
  const target = h as unknown as Record<PropertyKey, unknown>;
  if (facts.owner !== null) target[facts.owner] = owner;
  target._consumed = true;
  if (uv.deno) {
    Object.defineProperty(h, "isStreamBase", { value: false, configurable: true, writable: true });
  }
  const holder = facts.holder;
  if (holder === null || typeof facts.genericRead !== "function") return;
  let current: unknown = h.onread;
  Object.defineProperty(h, "onread", {
    configurable: true,
    enumerable: false,
    get: () => current,
    set(this: RawStream, fn: unknown) {
      // node:net's reader given back by a stack (the Agent) is ours; given by a
      // node:net Socket that took the handle over (it names itself the owner
      // first), it is that socket's.
      const taken = facts.owner !== null && target[facts.owner] !== owner;
      current = fn === facts.genericRead && !taken ? ownRead : fn;
      // The native setter keeps it where the handle's C++ side reads it.
      Reflect.set(holder, "onread", current, this);
    },
  });
}

/**
 * Deno: the read callback of a `node:net` Socket that took `h` over after it
 * was shown for `owner` (`new net.Socket({ handle })` names itself the owner,
 * then sets its reader), `null` while `owner` has it. Deno's handle goes on
 * calling the callback its reads started with, where Node's calls the one set
 * last, so this adapter's callback passes such reads on.
 * @param h a handle shown for `owner`
 * @param owner the socket it was shown for
 * @returns the new owner's read callback, or `null`
 * @example
 * ```ts
 * const other = takenOverRead(handle, socket);
 * if (other !== null) other.call(handle, buf);
 * ```
 */
export function takenOverRead(h: RawStream, owner: object): RawStream["onread"] | null {
  const key = _internals?.owner ?? null;
  if (key === null) return null;
  const now = (h as unknown as Record<PropertyKey, unknown>)[key];
  return now !== owner && now != null && typeof h.onread === "function" ? h.onread : null;
}
