/**
 * Shared helpers for the net.Socket / net.Server suites: loopback servers,
 * temp Unix socket paths, event waiting with a bound, and a transport whose
 * dials never complete.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as nodeNet from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearTimeout, setTimeout as sleepTimer } from "node:timers";
import { getTransport, setTransport } from "../runtimes/mod.ts";
import type { Transport } from "../runtimes/types.ts";
import { createServer, type Server } from "../core/server.ts";
import type { Socket } from "../core/socket.ts";
import { scriptCommand } from "./_runtime.ts";

/** A `lookup` option's function: `(host, options, callback)`, as `dns.lookup` calls back. */
export type Lookup = (host: string, opts: unknown, cb: (...a: unknown[]) => void) => void;

/**
 * A lookup that answers 127.0.0.1 after `ms` (or never, for -1), as
 * dns.lookup would (an array when asked for `all`).
 */
export function slowLookup(ms: number): Lookup {
  return (_host, opts, cb) => {
    if (ms < 0) return;
    const all = (opts as { all?: boolean }).all === true;
    sleepTimer(
      () => (all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)),
      ms,
    );
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => sleepTimer(r, ms));
}

/**
 * Waits for `event` on `emitter`, failing after `ms` (default 10 s). Unlike
 * `events.once()` it does not reject on 'error', so it can wait for 'close'.
 */
export function waitFor(
  emitter: NodeJS.EventEmitter,
  event: string,
  ms = 10_000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const on = (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args);
    };
    const t = sleepTimer(() => {
      emitter.off(event, on);
      reject(new Error(`timed out waiting for '${event}'`));
    }, ms);
    emitter.once(event, on);
  });
}

/** Waits for 'error' then 'close' (registered together: they arrive in one tick). */
export async function errorAndClose(
  emitter: NodeJS.EventEmitter,
): Promise<[Error & Record<string, unknown>, boolean]> {
  const [[err], [hadError]] = await Promise.all([
    waitFor(emitter, "error"),
    waitFor(emitter, "close"),
  ]);
  return [err as Error & Record<string, unknown>, hadError as boolean];
}

/** Listens on `host` (default 127.0.0.1), port 0; resolves with the port. */
export async function listen(server: Server, host = "127.0.0.1"): Promise<number> {
  server.listen(0, host);
  await waitFor(server, "listening");
  return (server.address() as { port: number }).port;
}

/**
 * A port nothing listens on, free on 127.0.0.1 and on ::1 (where the machine
 * has IPv6), below the kernel's ephemeral range (32768 and up on Linux): the
 * suites run side by side, and a port bound and released with listen(0)
 * could be taken by another suite's listen(0) before a test dials or binds
 * it (a dial expected to be refused then connected).
 * @returns the port
 */
export async function quietPort(): Promise<number> {
  for (let tries = 0;; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const held: Server[] = [];
    try {
      for (const host of ["127.0.0.1", "::1"]) {
        const s = createServer();
        const err = await new Promise<{ code?: string } | null>((resolve) => {
          s.once("error", resolve);
          s.listen(port, host, () => resolve(null));
        });
        if (err === null) held.push(s);
        else if (host === "127.0.0.1" || err.code !== "EADDRNOTAVAIL") throw err;
      }
      return port;
    } catch (err) {
      if (tries === 50) throw err;
    } finally {
      for (const s of held) await closeServer(s);
    }
  }
}

/** Closes `server` and waits for its 'close'. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const p = waitFor(server, "close");
  server.close();
  await p;
}

/** An echo server on 127.0.0.1 with its port; every accepted socket is tracked. */
export async function echoServer(
  opts: Record<string, unknown> = {},
): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer(opts, (s) => {
    sockets.push(s);
    s.on("error", () => {});
    s.pipe(s);
  });
  const port = await listen(server);
  return { server, port, sockets };
}

/** A fresh temp directory; remove it with {@link removeDir}. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "omninet-net-"));
}

/** Removes a temp directory made by {@link tempDir}. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs `fn` with a transport whose TCP and Unix dials never complete (but
 * record cancellation), then restores the previous transport.
 */
export async function withStalledDials(
  fn: (state: { cancelled: number; dials: number }) => Promise<void>,
): Promise<void> {
  const real = getTransport();
  const state = { cancelled: 0, dials: 0 };
  const stalled: Transport = {
    name: "stalled",
    features: real.features,
    connectTcp() {
      state.dials++;
      return { cancel: () => void state.cancelled++ };
    },
    connectUnix() {
      state.dials++;
      return { cancel: () => void state.cancelled++ };
    },
    listenTcp: (req, events, cb) => real.listenTcp(req, events, cb),
    listenUnix: (req, events, cb) => real.listenUnix(req, events, cb),
  };
  setTransport(stalled);
  try {
    await fn(state);
  } finally {
    setTransport(real);
  }
}

/** Collects everything a readable emits until 'end'. */
export function collect(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  socket.on("data", (d: Buffer) => parts.push(d));
  return waitFor(socket, "end", 60_000).then(() => Buffer.concat(parts));
}

/** The `code` of what `fn` throws, or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/**
 * What one connection to `target` reads before the far end closes it, made
 * with the runtime's own `node:net` (so that it tests the other side only);
 * `send`, when given, is written and the connection ended.
 */
export function answer(
  target: { port: number } | { path: string },
  send?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = nodeNet.connect({ ...target, host: "127.0.0.1" } as nodeNet.NetConnectOpts);
    let data = "";
    c.setEncoding("utf8");
    c.on("data", (d: string) => (data += d));
    c.on("error", reject);
    c.on("close", () => resolve(data));
    if (send !== undefined) c.end(send);
  });
}

/** A child process with an IPC channel (see {@link startIpcChild}). */
export interface IpcChild {
  /** The process. */
  proc: ChildProcess;
  /** Its next message (fails after 20 s). */
  next(): Promise<Record<string, unknown>>;
  /** Asks it to exit (`"exit"`), killing it if it has not within 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts a fixture script with an IPC channel and waits for its first
 * message, `{ ready: true }`; it is killed after 30 s whatever happens.
 * @param script the fixture, as `scriptCommand` takes it
 * @param args its arguments
 * @returns the child
 */
export async function startIpcChild(script: string, args: string[] = []): Promise<IpcChild> {
  const [cmd, argv] = scriptCommand(script, args);
  const proc = spawn(cmd, argv, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const kill = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  const child: IpcChild = {
    proc,
    next: async () => (await waitFor(proc, "message", 20_000))[0] as Record<string, unknown>,
    stop: async () => {
      if (proc.connected) proc.send("exit");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
      clearTimeout(kill);
    },
  };
  try {
    const first = await child.next();
    if (first.ready !== true) throw new Error(`unexpected first message ${JSON.stringify(first)}`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
