/**
 * What a runtime's `child_process` needs to send an omninet Server to
 * another process (`subprocess.send(message, server)`, `process.send`).
 *
 * Node's, Deno's and Bun's `child_process` all recognise a sendable server
 * the same way: it is an instance of their own `node:net` Server (an
 * `instanceof` check, nothing else), and its `_handle` is the runtime's
 * listening handle, which goes to the other process with the message; that
 * process gets a `node:net` Server listening on the same socket. So
 * omninet's Server has `node:net`'s `Server.prototype` in its prototype
 * chain (none of node:net's code runs through it: omninet's Server defines
 * every public method itself) and answers `_handle` with its listener's
 * handle (`ListenerHandle.nativeHandle`). Node's built-ins stay untouched.
 * @module
 */
import { Server } from "node:net";

/**
 * The runtime's own `node:net` `Server.prototype`, which omninet's Server
 * inherits from so that the runtime's `child_process` takes it as a handle.
 * @returns `node:net`'s `Server.prototype`
 * @example
 * ```ts
 * class MyServer {}
 * Object.setPrototypeOf(MyServer.prototype, sendableServerPrototype());
 * ```
 */
export function sendableServerPrototype(): object {
  return Server.prototype;
}
