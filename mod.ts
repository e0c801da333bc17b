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

// The types of `api`, under the same object (a namespace of types only merges
// with the constant). tests/module_object.test.ts checks that none is missing.
declare namespace net {
  export type AcceptingServer = api.AcceptingServer;
  export type AddressInfo = api.AddressInfo;
  export type BlockList = api.BlockList;
  export type BlockListFamily = api.BlockListFamily;
  export type BlockListLike = api.BlockListLike;
  export type BoundSocket = api.BoundSocket;
  export type BoundSocketOptions = api.BoundSocketOptions;
  export type Callable<C extends abstract new (...args: never[]) => object> = api.Callable<C>;
  export type ConnectionOwner = api.ConnectionOwner;
  export type DropArgument = api.DropArgument;
  export type IpcSocketConnectOpts = api.IpcSocketConnectOpts;
  export type ListenOptions = api.ListenOptions;
  export type LookupFunction = api.LookupFunction;
  export type NetConnectOpts = api.NetConnectOpts;
  export type OnReadOpts = api.OnReadOpts;
  export type ParsedSocketAddress = api.ParsedSocketAddress;
  export type Server = api.Server;
  export type ServerInstance = api.ServerInstance;
  export type ServerOpts = api.ServerOpts;
  export type SetKeepAliveOptions = api.SetKeepAliveOptions;
  export type Socket = api.Socket;
  export type SocketAddress = api.SocketAddress;
  export type SocketAddressInitOptions = api.SocketAddressInitOptions;
  export type SocketAddressJSON = api.SocketAddressJSON;
  export type SocketConnectOpts = api.SocketConnectOpts;
  export type SocketConstructorOpts = api.SocketConstructorOpts;
  export type SocketInstance = api.SocketInstance;
  export type SocketReadyState = api.SocketReadyState;
  export type StreamCallback = api.StreamCallback;
  export type StreamChunk = api.StreamChunk;
  export type SystemError = api.SystemError;
  export type TcpSocketConnectOpts = api.TcpSocketConnectOpts;
}

export default net;
