/**
 * An omninet `net.Socket` over a connected transport handle: what TLS runs
 * on and what `toNetSocket()` returns. The handle is adopted the way a
 * server adopts an accepted connection.
 * @module
 */
import { getDefaultHighWaterMark } from "node:stream";
import { acceptSocket, type Socket as NetSocket } from "../core/socket.ts";
import type { StreamHandle } from "../runtimes/types.ts";

// The adopted socket reports its end to an owner; nothing here needs to know.
const _noOwner = { _connectionClosed(): void {} };

/** A connected `net.Socket` over `handle` (which it now owns). */
export function netSocketFromHandle(handle: StreamHandle, allowHalfOpen: boolean): NetSocket {
  const remote = handle.remoteAddress();
  const socket = acceptSocket(handle, _noOwner, {
    allowHalfOpen,
    pauseOnConnect: false,
    highWaterMark: getDefaultHighWaterMark(false),
    noDelay: false,
    keepAlive: false,
    keepAliveInitialDelay: 0,
    isUnix: typeof remote === "string" || typeof handle.localAddress() === "string",
  });
  // Not accepted by a server: `server` stays null as on any client socket.
  socket.server = null;
  return socket;
}
