// The public API, listed once: mod.ts re-exports it by name and as the
// default `net` namespace.
import { Server as NodeServer, Socket as NodeSocket } from "node:net";
import { BlockList } from "./block_list.ts";
import { BoundSocket } from "./bound_socket.ts";
import {
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
} from "./connect.ts";
import { isIP, isIPv4, isIPv6 } from "./ip.ts";
import { type Callable, callable } from "./callable.ts";
import { normalizeArgs } from "./args.ts";
import { createServer, Server as _Server } from "./server.ts";
import { connect, createConnection, Socket as _Socket } from "./socket.ts";
import { SocketAddress } from "./socket_address.ts";

export type { AddressInfo } from "../runtimes/types.ts";
export type { BlockListFamily } from "./block_list.ts";
export type { BoundSocketOptions } from "./bound_socket.ts";
export type { BlockListLike, BlockListOption } from "./socket_types.ts";
export type { Callable } from "./callable.ts";
export type { OnReadOpts } from "./socket_onread.ts";
export type { LookupFunction } from "./connect.ts";
export type { SystemError } from "./errors.ts";
export type {
  DropArgument,
  ListenOptions,
  Server as ServerInstance,
  ServerEventMap,
  ServerOpts,
} from "./server.ts";
export type {
  AcceptingServer,
  ConnectionOwner,
  ConnectOpts,
  IpcNetConnectOpts,
  IpcSocketConnectOpts,
  NetConnectOpts,
  SetKeepAliveOptions,
  SocketConnectOpts,
  SocketConstructorOpts,
  SocketReadyState,
  StreamCallback,
  StreamChunk,
  TcpNetConnectOpts,
  TcpSocketConnectOpts,
} from "./socket_types.ts";
export type { Socket as SocketInstance, SocketEventMap } from "./socket.ts";
export type {
  AnySocketAddress,
  IPVersion,
  ParsedSocketAddress,
  SocketAddressInitOptions,
  SocketAddressJSON,
} from "./socket_address.ts";
export {
  BlockList,
  BoundSocket,
  connect,
  createConnection,
  createServer,
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  isIP,
  isIPv4,
  isIPv6,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
  SocketAddress,
};

/**
 * A TCP or Unix domain stream socket: Node's `net.Socket`. Like Node's, it
 * also works without `new`, and `net.Socket.call(this, options)` initialises
 * an object of a `util.inherits` subclass; `class X extends Socket` works.
 * @example
 * ```ts
 * import { Socket } from "@omninet/net";
 * const socket = new Socket();
 * socket.connect(80, "example.com", () => socket.end("GET / HTTP/1.0\r\n\r\n"));
 * ```
 */
export const Socket: Callable<typeof _Socket> = callable(_Socket, NodeSocket);
/** The socket instance type. */
export type Socket = _Socket;

/**
 * A TCP or Unix domain socket server: Node's `net.Server`. Like Node's, it
 * also works without `new` and with `net.Server.call(this, ...)`.
 * @example
 * ```ts
 * import { Server } from "@omninet/net";
 * const server = new Server((socket) => socket.end("hello\n"));
 * server.listen(8080, "127.0.0.1");
 * ```
 */
export const Server: Callable<typeof _Server> = callable(_Server, NodeServer);
/** The server instance type. */
export type Server = _Server;

/**
 * `net._normalizeArgs`, undocumented in Node but exported by its `node:net`
 * and called by some libraries: the arguments of `connect()`/`listen()`
 * (`(port[, host][, cb])`, `(path[, cb])` or `(options[, cb])`) as
 * `[options, callback | null]`, marked so that `socket.connect(pair)` takes
 * them as they are (a plain array there throws `ERR_MISSING_ARGS`, as in Node).
 * @example
 * ```ts
 * import net from "@omninet/net";
 * const [options, cb] = net._normalizeArgs([80, "example.com"]); // { port: 80, host: "example.com" }, null
 * ```
 */
export const _normalizeArgs: (
  args: unknown[],
) => [Record<string, unknown>, ((...args: never[]) => unknown) | null] = normalizeArgs;

/** `net.Stream` is an alias of `net.Socket`, as in Node. */
export const Stream: typeof Socket = Socket;
