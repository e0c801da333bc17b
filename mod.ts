/**
 * omninet: Node's `node:net` API — TCP and Unix-socket clients and servers,
 * `BlockList`, `SocketAddress`, `isIP` — with the same behaviour on Deno, Bun
 * and Node. Swap `import net from "node:net"` for
 * `import net from "@omninet/net"` and the program runs unchanged.
 *
 * @example Echo server and client
 * ```ts
 * import net, { type AddressInfo } from "@omninet/net";
 *
 * const server = net.createServer((socket) => socket.pipe(socket));
 * server.listen(0, "127.0.0.1", () => {
 *   const { port } = server.address() as AddressInfo;
 *   const client = net.connect(port, "127.0.0.1", () => client.end("hello"));
 *   client.on("data", (d) => console.log(String(d)));
 *   client.on("close", () => server.close());
 * });
 * ```
 * @module
 */
import { BlockList } from "./core/block_list.ts";
import {
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
} from "./core/connect.ts";
import { isIP, isIPv4, isIPv6 } from "./core/ip.ts";
import { type Callable, callable } from "./core/callable.ts";
import { createServer, Server as _Server } from "./core/server.ts";
import { connect, createConnection, Socket as _Socket } from "./core/socket.ts";
import { SocketAddress } from "./core/socket_address.ts";

export type { AddressInfo } from "./runtimes/types.ts";
export type { Callable } from "./core/callable.ts";
export type { OnReadOpts } from "./core/socket_onread.ts";
export type { BlockListFamily } from "./core/block_list.ts";
export type { LookupFunction } from "./core/connect.ts";
export type { SystemError } from "./core/errors.ts";
export type {
  DropArgument,
  ListenOptions,
  Server as ServerInstance,
  ServerOpts,
} from "./core/server.ts";
export type {
  ConnectionOwner,
  IpcSocketConnectOpts,
  NetConnectOpts,
  Socket as SocketInstance,
  SocketConnectOpts,
  SocketConstructorOpts,
  SocketReadyState,
  StreamCallback,
  StreamChunk,
  TcpSocketConnectOpts,
} from "./core/socket.ts";
export type {
  ParsedSocketAddress,
  SocketAddressInitOptions,
  SocketAddressJSON,
} from "./core/socket_address.ts";
export {
  BlockList,
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
export const Socket: Callable<typeof _Socket> = callable(_Socket);
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
export const Server: Callable<typeof _Server> = callable(_Server);
/** The server instance type. */
export type Server = _Server;

/** `net.Stream` is an alias of `net.Socket`, as in Node. */
export const Stream: typeof Socket = Socket;

/** The `node:net`-shaped namespace, for `import net from "@omninet/net"`. */
const net: {
  BlockList: typeof BlockList;
  connect: typeof connect;
  createConnection: typeof createConnection;
  createServer: typeof createServer;
  getDefaultAutoSelectFamily: typeof getDefaultAutoSelectFamily;
  getDefaultAutoSelectFamilyAttemptTimeout: typeof getDefaultAutoSelectFamilyAttemptTimeout;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
  Server: typeof Server;
  setDefaultAutoSelectFamily: typeof setDefaultAutoSelectFamily;
  setDefaultAutoSelectFamilyAttemptTimeout: typeof setDefaultAutoSelectFamilyAttemptTimeout;
  Socket: typeof Socket;
  SocketAddress: typeof SocketAddress;
  Stream: typeof Socket;
} = {
  BlockList,
  connect,
  createConnection,
  createServer,
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  isIP,
  isIPv4,
  isIPv6,
  Server,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
  Socket,
  SocketAddress,
  Stream,
};
export default net;
