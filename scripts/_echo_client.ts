// The echo client the socket benchmarks share: writes `bytes` in `chunkSize`
// writes as fast as the socket takes them and resolves, with the elapsed
// milliseconds, once all of it came back.
import { Buffer } from "node:buffer";
import type * as nodeNet from "node:net";

/** What the client needs of a `net` module: `connect(port, host)`. */
export interface Connector {
  connect(port: number, host: string): nodeNet.Socket;
}

/**
 * Echoes `bytes` through a server on 127.0.0.1:`port`.
 * @param net the module whose `connect()` dials (node:net or omninet)
 * @param port the echo server's port
 * @param bytes how much to send
 * @param chunkSize the size of each write
 * @returns milliseconds from the dial to the last byte back
 */
export async function echoRun(
  net: Connector,
  port: number,
  bytes: number,
  chunkSize: number,
): Promise<number> {
  const chunk = Buffer.alloc(chunkSize, 7);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1");
    let sent = 0, got = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunkSize;
        if (!c.write(chunk)) return;
      }
    };
    c.on("connect", pump);
    c.on("drain", pump);
    c.on("data", (d: Buffer) => {
      got += d.length;
      if (got >= bytes) c.destroy();
    });
    c.on("close", () => resolve());
    c.on("error", reject);
  });
  return performance.now() - t0;
}
