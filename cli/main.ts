/**
 * The `omninet` commands: listen, connect, check. Uses only the public API
 * of `mod.ts` plus `node:process` and `node:fs`, which Node, Deno and Bun
 * all ship, so the one file behaves the same on each.
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import { BlockList, connect, createServer, type Server, type Socket } from "../mod.ts";
import {
  type CheckCommand,
  type ConnectCommand,
  EXIT,
  HELP,
  type ListenCommand,
  parseArgs,
} from "./args.ts";
import { formatEndpoint, UsageError } from "./endpoint.ts";
import { buildBlockList, parseRule, parseRules, type Rule } from "./rules.ts";

/** The process streams and file access the commands use; tests substitute them. */
export interface CliIo {
  /** Bytes to send. */
  stdin: Readable;
  /** Where received bytes go. */
  stdout: Writable;
  /** Status lines and errors. */
  stderr: Writable;
  /** Reads a rules file as UTF-8. */
  readFile(path: string): string;
}

/** The real process streams. */
function _processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    readFile: (path) => readFileSync(path, "utf8"),
  };
}

const _HINTS: Record<string, string> = {
  ECONNREFUSED: "nothing is listening there",
  ECONNRESET: "the peer reset the connection",
  EADDRINUSE: "another process listens there",
  EACCES: "permission denied; ports below 1024 need privileges",
  ENOENT: "no such socket file",
  ENOTFOUND: "the host name does not resolve",
  EADDRNOTAVAIL: "that address is not on this machine",
};

function _describe(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const hint = e.code ? _HINTS[e.code] : undefined;
  return `${e.message ?? String(err)}${hint ? ` (${hint})` : ""}`;
}

/**
 * Runs `omninet` with the given arguments.
 * @param argv Arguments, as in `process.argv.slice(2)`.
 * @param io Process streams (the real ones by default).
 * @returns The exit code: 0 ok, 1 error, 2 `check` found no matching rule.
 * @example
 * ```ts
 * const code = await main(["check", "10.0.0.1", "--private"]);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = _processIo()): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.command) {
      case "help":
        io.stdout.write(HELP);
        return EXIT.OK;
      case "check":
        return runCheck(cmd, io);
      case "listen":
        return await runListen(cmd, io);
      case "connect":
        return await runConnect(cmd, io);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`omninet: ${err.message}\nTry 'omninet --help'.\n`);
    return EXIT.ERROR;
  }
}

/**
 * Builds the BlockList a `check` command describes.
 * @param cmd The parsed command.
 * @param readFile Reads a rules file.
 * @returns The list and how many rules it holds.
 * @example
 * ```ts
 * const { list } = checkList(parseArgs(["check", "10.0.0.1", "--private"]) as CheckCommand, readFile);
 * ```
 */
export function checkList(
  cmd: CheckCommand,
  readFile: (path: string) => string,
): { list: BlockList; count: number } {
  const rules: Rule[] = [];
  if (cmd.private) rules.push(...BlockList.PRIVATE_RANGES.map((cidr) => parseRule(cidr)));
  rules.push(...cmd.cidrs.map((text) => parseRule(text)));
  for (const file of cmd.ruleFiles) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read rules file '${file}': ${_describe(err)}`);
    }
    rules.push(...parseRules(text, file));
  }
  return { list: buildBlockList(rules), count: rules.length };
}

/**
 * `omninet check`: prints `<ip>: blocked` or `<ip>: allowed`.
 * @param cmd The parsed command.
 * @param io Process streams.
 * @returns 0 when blocked, 2 when allowed.
 * @example
 * ```ts
 * runCheck(parseArgs(["check", "8.8.8.8", "--private"]) as CheckCommand, io); // 2
 * ```
 */
export function runCheck(cmd: CheckCommand, io: CliIo): number {
  const { list, count } = checkList(cmd, io.readFile);
  const blocked = list.check(cmd.address, cmd.address.includes(":") ? "ipv6" : "ipv4");
  if (!cmd.quiet) {
    const plural = count === 1 ? "rule" : "rules";
    io.stdout.write(`${cmd.address}: ${blocked ? "blocked" : "allowed"} (${count} ${plural})\n`);
  }
  return blocked ? EXIT.OK : EXIT.NOT_MATCHED;
}

function _status(cmd: { quiet: boolean }, io: CliIo, line: string): void {
  if (!cmd.quiet) io.stderr.write(`omninet: ${line}\n`);
}

function _listen(server: Server, cmd: ListenCommand): void {
  const ep = cmd.endpoint;
  if (ep.kind === "unix") server.listen(ep.path);
  else if (ep.host === undefined) server.listen(ep.port);
  else server.listen(ep.port, ep.host);
}

/** Copies stdin to every open socket, pausing stdin while one of them is full. */
function _broadcast(io: CliIo, open: Set<Socket>): void {
  let waiting = 0;
  const resume = () => {
    if (--waiting === 0 && open.size > 0) io.stdin.resume();
  };
  io.stdin.on("data", (chunk: Uint8Array) => {
    for (const socket of open) {
      // A peer that ended has made its socket end too (no allowHalfOpen): nothing to send to.
      if (socket.writableEnded || socket.destroyed || socket.write(chunk)) continue;
      waiting++;
      io.stdin.pause();
      const done = () => {
        socket.off("drain", done).off("close", done);
        resume();
      };
      socket.on("drain", done).on("close", done);
    }
  });
  io.stdin.on("end", () => {
    for (const socket of open) if (!socket.writableEnded) socket.end();
  });
}

function _peerName(cmd: ListenCommand, socket: Socket): string {
  if (cmd.endpoint.kind === "unix") return "a Unix socket client";
  return formatEndpoint({ address: socket.remoteAddress, port: socket.remotePort });
}

interface _ListenState {
  open: Set<Socket>;
  failed: boolean;
  stdinEnded: boolean;
}

/** Wires one accepted connection to stdout, stdin or itself (`--echo`). */
function _serve(cmd: ListenCommand, io: CliIo, state: _ListenState, socket: Socket): void {
  _status(cmd, io, `connection from ${_peerName(cmd, socket)}`);
  state.open.add(socket);
  if (cmd.timeoutMs) {
    socket.setTimeout(cmd.timeoutMs, () => {
      _status(cmd, io, `idle for ${cmd.timeoutMs} ms, closing`);
      state.failed = true;
      socket.destroy();
    });
  }
  socket.pipe(io.stdout, { end: false });
  if (cmd.echo) socket.pipe(socket);
  else if (!state.stdinEnded) io.stdin.resume();
  socket.on("error", (err) => {
    state.failed = true;
    _status(cmd, io, _describe(err));
  });
  socket.on("close", () => {
    state.open.delete(socket);
    if (state.open.size === 0 && !cmd.echo && !state.stdinEnded) io.stdin.pause();
  });
}

/**
 * `omninet listen`: serves one connection (or many with `--keep`).
 * @param cmd The parsed command.
 * @param io Process streams.
 * @returns 0 after a clean single connection, 1 on an error.
 * @example
 * ```ts
 * await runListen(parseArgs(["listen", "127.0.0.1:0"]) as ListenCommand, io);
 * ```
 */
export function runListen(cmd: ListenCommand, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const state: _ListenState = { open: new Set(), failed: false, stdinEnded: false };
    // stdin is read only while a connection is open, so input typed or piped
    // early reaches the first client instead of being dropped.
    io.stdin.pause();
    io.stdin.once("end", () => (state.stdinEnded = true));
    if (!cmd.echo) _broadcast(io, state.open);
    const server = createServer((socket) => {
      _serve(cmd, io, state, socket);
      if (cmd.keep) return;
      server.close(); // one connection, as nc without -k
      socket.on("close", () => resolve(state.failed ? EXIT.ERROR : EXIT.OK));
    });
    server.on("listening", () => {
      const address = server.address();
      _status(cmd, io, `listening on ${address === null ? "?" : formatEndpoint(address)}`);
    });
    server.on("error", (err) => {
      io.stderr.write(`omninet: ${_describe(err)}\n`);
      resolve(EXIT.ERROR);
    });
    _listen(server, cmd);
  });
}

/**
 * `omninet connect`: stdin to the socket, the socket to stdout.
 * @param cmd The parsed command.
 * @param io Process streams.
 * @returns 0 when the connection closed cleanly, 1 on an error.
 * @example
 * ```ts
 * await runConnect(parseArgs(["connect", "127.0.0.1:7"]) as ConnectCommand, io);
 * ```
 */
export function runConnect(cmd: ConnectCommand, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const ep = cmd.endpoint;
    const socket = ep.kind === "unix" ? connect(ep.path) : connect(ep.port, ep.host ?? "localhost");
    let failed = false;
    socket.on("connect", () => {
      // The dialled address is the fallback: a peer that already closed may leave none to read.
      const where = ep.kind === "unix" ? ep.path : formatEndpoint({
        address: socket.remoteAddress ?? ep.host ?? "localhost",
        port: socket.remotePort ?? ep.port,
      });
      _status(cmd, io, `connected to ${where}`);
    });
    if (cmd.timeoutMs) {
      socket.setTimeout(cmd.timeoutMs, () => {
        io.stderr.write(`omninet: idle for ${cmd.timeoutMs} ms, closing\n`);
        failed = true;
        socket.destroy();
      });
    }
    io.stdin.pipe(socket);
    socket.pipe(io.stdout, { end: false });
    socket.on("error", (err) => {
      failed = true;
      io.stderr.write(`omninet: ${_describe(err)}\n`);
    });
    socket.on("close", () => {
      io.stdin.unpipe(socket);
      resolve(failed ? EXIT.ERROR : EXIT.OK);
    });
  });
}
