/**
 * Node's built-in `net` diagnostics channels (see Node's `diagnostics_channel`
 * docs, "Built-in channels"): `net.client.socket` when a socket starts
 * connecting, `net.server.socket` when a server hands out a connection, and
 * the `net.server.listen` tracing channel (`asyncStart` when `listen()` is
 * called, `asyncEnd` once bound, `error` when binding failed). Published
 * through the runtime's `node:diagnostics_channel`, only while subscribed.
 * @module
 */
import type { Channel, TracingChannel } from "node:diagnostics_channel";

interface _Channels {
  client: Channel;
  server: Channel;
  listen: TracingChannel;
}

let _channels: _Channels | null | undefined;

function _get(): _Channels | null {
  if (_channels !== undefined) return _channels;
  const dc = process.getBuiltinModule?.("node:diagnostics_channel") as
    | typeof import("node:diagnostics_channel")
    | undefined;
  _channels = dc === undefined || typeof dc.tracingChannel !== "function" ? null : {
    client: dc.channel("net.client.socket"),
    server: dc.channel("net.server.socket"),
    listen: dc.tracingChannel("net.server.listen"),
  };
  return _channels;
}

/**
 * Publishes `{ socket }` on `net.client.socket` (a socket starts connecting).
 * @param socket the connecting socket
 * @example
 * ```ts
 * publishClientSocket(socket);
 * ```
 */
export function publishClientSocket(socket: object): void {
  const c = _get();
  if (c !== null && c.client.hasSubscribers) c.client.publish({ socket });
}

/**
 * Publishes `{ socket }` on `net.server.socket` (a server accepted a connection).
 * @param socket the accepted socket, before `'connection'`
 * @example
 * ```ts
 * publishServerSocket(socket);
 * ```
 */
export function publishServerSocket(socket: object): void {
  const c = _get();
  if (c !== null && c.server.hasSubscribers) c.server.publish({ socket });
}

/**
 * Publishes on `tracing:net.server.listen:<kind>`: `asyncStart` with `{ server, options }`,
 * `asyncEnd` with `{ server }`, `error` with `{ server, error }`.
 * @param kind which of the tracing channel's events
 * @param message the message
 * @example
 * ```ts
 * publishListen("asyncEnd", { server });
 * ```
 */
export function publishListen(
  kind: "asyncStart" | "asyncEnd" | "error",
  message: { server: object; options?: unknown; error?: Error },
): void {
  const c = _get();
  if (c === null) return;
  const ch = c.listen[kind];
  if (ch.hasSubscribers) ch.publish(message);
}
