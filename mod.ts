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
export * from "./core/api.ts";
import * as api from "./core/api.ts";

/**
 * The whole module as one object, for `import net from "@omninet/net"` and
 * `require("@omninet/net")` (one object for both): like Node's `node:net`
 * module object it holds every function and class and can be patched
 * (`net.connect = wrapped`, `sinon.stub(net, "connect")`,
 * `jest.spyOn(net, "createConnection")`), which reaches code that calls
 * through it but not named imports, as with Node's built-in. In TypeScript it
 * also names every type (`net.Socket`, `net.Server`, `net.AddressInfo` in type
 * positions), as `import net from "node:net"` does under @types/node.
 *
 * @example
 * ```ts
 * import net from "@omninet/net";
 *
 * const server: net.Server = net.createServer((socket: net.Socket) => socket.end());
 * server.listen(0, () => {
 *   const { port } = server.address() as net.AddressInfo;
 *   console.log(port);
 *   server.close();
 * });
 * ```
 */
const net: typeof api = { ...api };
// `require()` of the package returned the module namespace before, whose
// `default` was this object: kept (not enumerable), so that such code runs on.
Object.defineProperty(net, "default", { value: net, writable: true, configurable: true });

// A namespace of types only merges with the constant. tests/module_object.test.ts
// checks that none is missing.
/**
 * Every type of the module under the default export's name, so that
 * `net.Socket`, `net.AddressInfo` and the rest name types after
 * `import net from "@omninet/net"`, as after `import net from "node:net"`.
 */
declare namespace net {
  /** `net.AcceptingServer` in type positions: the `AcceptingServer` type of this module. */
  export type AcceptingServer = api.AcceptingServer;
  /** `net.AddressInfo` in type positions: the `AddressInfo` type of this module. */
  export type AddressInfo = api.AddressInfo;
  /** `net.AnySocketAddress` in type positions: the `AnySocketAddress` type of this module. */
  export type AnySocketAddress = api.AnySocketAddress;
  /** `net.BlockList` in type positions: the `BlockList` type of this module. */
  export type BlockList = api.BlockList;
  /** `net.BlockListFamily` in type positions: the `BlockListFamily` type of this module. */
  export type BlockListFamily = api.BlockListFamily;
  /** `net.BlockListLike` in type positions: the `BlockListLike` type of this module. */
  export type BlockListLike = api.BlockListLike;
  /** `net.BlockListOption` in type positions: the `BlockListOption` type of this module. */
  export type BlockListOption = api.BlockListOption;
  /** `net.BoundSocket` in type positions: the `BoundSocket` type of this module. */
  export type BoundSocket = api.BoundSocket;
  /** `net.BoundSocketOptions` in type positions: the `BoundSocketOptions` type of this module. */
  export type BoundSocketOptions = api.BoundSocketOptions;
  /** `net.Callable` in type positions: the `Callable` type of this module. */
  export type Callable<C extends abstract new (...args: never[]) => object> = api.Callable<C>;
  /** `net.ConnectionOwner` in type positions: the `ConnectionOwner` type of this module. */
  export type ConnectionOwner = api.ConnectionOwner;
  /** `net.ConnectOpts` in type positions: the `ConnectOpts` type of this module. */
  export type ConnectOpts = api.ConnectOpts;
  /** `net.DropArgument` in type positions: the `DropArgument` type of this module. */
  export type DropArgument = api.DropArgument;
  /** `net.IPVersion` in type positions: the `IPVersion` type of this module. */
  export type IPVersion = api.IPVersion;
  /** `net.IpcNetConnectOpts` in type positions: the `IpcNetConnectOpts` type of this module. */
  export type IpcNetConnectOpts = api.IpcNetConnectOpts;
  /** `net.IpcSocketConnectOpts` in type positions: the `IpcSocketConnectOpts` type of this module. */
  export type IpcSocketConnectOpts = api.IpcSocketConnectOpts;
  /** `net.ListenOptions` in type positions: the `ListenOptions` type of this module. */
  export type ListenOptions = api.ListenOptions;
  /** `net.LookupFunction` in type positions: the `LookupFunction` type of this module. */
  export type LookupFunction = api.LookupFunction;
  /** `net.NetConnectOpts` in type positions: the `NetConnectOpts` type of this module. */
  export type NetConnectOpts = api.NetConnectOpts;
  /** `net.OnReadOpts` in type positions: the `OnReadOpts` type of this module. */
  export type OnReadOpts = api.OnReadOpts;
  /** `net.ParsedSocketAddress` in type positions: the `ParsedSocketAddress` type of this module. */
  export type ParsedSocketAddress = api.ParsedSocketAddress;
  /** `net.Server` in type positions: the `Server` type of this module. */
  export type Server = api.Server;
  /** `net.ServerEventMap` in type positions: the `ServerEventMap` type of this module. */
  export type ServerEventMap = api.ServerEventMap;
  /** `net.ServerInstance` in type positions: the `ServerInstance` type of this module. */
  export type ServerInstance = api.ServerInstance;
  /** `net.ServerOpts` in type positions: the `ServerOpts` type of this module. */
  export type ServerOpts = api.ServerOpts;
  /** `net.SetKeepAliveOptions` in type positions: the `SetKeepAliveOptions` type of this module. */
  export type SetKeepAliveOptions = api.SetKeepAliveOptions;
  /** `net.Socket` in type positions: the `Socket` type of this module. */
  export type Socket = api.Socket;
  /** `net.SocketAddress` in type positions: the `SocketAddress` type of this module. */
  export type SocketAddress = api.SocketAddress;
  /** `net.SocketAddressInitOptions` in type positions: the `SocketAddressInitOptions` type of this module. */
  export type SocketAddressInitOptions = api.SocketAddressInitOptions;
  /** `net.SocketAddressJSON` in type positions: the `SocketAddressJSON` type of this module. */
  export type SocketAddressJSON = api.SocketAddressJSON;
  /** `net.SocketConnectOpts` in type positions: the `SocketConnectOpts` type of this module. */
  export type SocketConnectOpts = api.SocketConnectOpts;
  /** `net.SocketConstructorOpts` in type positions: the `SocketConstructorOpts` type of this module. */
  export type SocketConstructorOpts = api.SocketConstructorOpts;
  /** `net.SocketEventMap` in type positions: the `SocketEventMap` type of this module. */
  export type SocketEventMap = api.SocketEventMap;
  /** `net.SocketInstance` in type positions: the `SocketInstance` type of this module. */
  export type SocketInstance = api.SocketInstance;
  /** `net.SocketReadyState` in type positions: the `SocketReadyState` type of this module. */
  export type SocketReadyState = api.SocketReadyState;
  /** `net.StreamCallback` in type positions: the `StreamCallback` type of this module. */
  export type StreamCallback = api.StreamCallback;
  /** `net.StreamChunk` in type positions: the `StreamChunk` type of this module. */
  export type StreamChunk = api.StreamChunk;
  /** `net.SystemError` in type positions: the `SystemError` type of this module. */
  export type SystemError = api.SystemError;
  /** `net.TcpNetConnectOpts` in type positions: the `TcpNetConnectOpts` type of this module. */
  export type TcpNetConnectOpts = api.TcpNetConnectOpts;
  /** `net.TcpSocketConnectOpts` in type positions: the `TcpSocketConnectOpts` type of this module. */
  export type TcpSocketConnectOpts = api.TcpSocketConnectOpts;
}

export default net;
