// The public API, listed once: mod.ts re-exports it by name and as the
// default `net` namespace.
import { BlockList } from "./block_list.ts";
import {
  getDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
} from "./connect.ts";
import { isIP, isIPv4, isIPv6 } from "./ip.ts";
import { createServer, Server } from "./server.ts";
import { connect, createConnection, Socket } from "./socket.ts";
import { SocketAddress } from "./socket_address.ts";

export type { AddressInfo } from "../runtimes/types.ts";
export type { BlockListFamily } from "./block_list.ts";
export type { LookupFunction } from "./connect.ts";
export type { SystemError } from "./errors.ts";
export type { DropArgument, ListenOptions, ServerOpts } from "./server.ts";
export type {
  ConnectionOwner,
  IpcSocketConnectOpts,
  NetConnectOpts,
  SocketConnectOpts,
  SocketConstructorOpts,
  SocketReadyState,
  StreamCallback,
  StreamChunk,
  TcpSocketConnectOpts,
} from "./socket.ts";
export type {
  ParsedSocketAddress,
  SocketAddressInitOptions,
  SocketAddressJSON,
} from "./socket_address.ts";
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
  Server,
  setDefaultAutoSelectFamily,
  setDefaultAutoSelectFamilyAttemptTimeout,
  Socket,
  SocketAddress,
};
/** `net.Stream` is an alias of `net.Socket`, as in Node. */
export const Stream: typeof Socket = Socket;
