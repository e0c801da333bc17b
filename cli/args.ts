/**
 * Command-line parsing for `omninet`. Pure: takes `argv`, returns a command
 * description or throws `UsageError`; nothing here touches the network.
 * @module
 */
import { isIP } from "../mod.ts";
import { type Endpoint, parseEndpoint, UsageError } from "./endpoint.ts";

/** `omninet listen`. */
export interface ListenCommand {
  /** Discriminant. */
  command: "listen";
  /** Where to listen. */
  endpoint: Endpoint;
  /** Send every connection's bytes back to it. */
  echo: boolean;
  /** Keep accepting after the first connection (otherwise serve one and exit). */
  keep: boolean;
  /** Idle timeout per connection in milliseconds, 0 for none. */
  timeoutMs: number;
  /** No status lines on stderr. */
  quiet: boolean;
}

/** `omninet connect`. */
export interface ConnectCommand {
  /** Discriminant. */
  command: "connect";
  /** Where to connect. */
  endpoint: Endpoint;
  /** Idle timeout in milliseconds, 0 for none. */
  timeoutMs: number;
  /** No status lines on stderr. */
  quiet: boolean;
}

/** `omninet check`. */
export interface CheckCommand {
  /** Discriminant. */
  command: "check";
  /** The IP address to test. */
  address: string;
  /** Rule files to load. */
  ruleFiles: string[];
  /** Rules given inline with `--cidr`. */
  cidrs: string[];
  /** Add `BlockList.PRIVATE_RANGES`. */
  private: boolean;
  /** Print nothing; the exit code tells. */
  quiet: boolean;
}

/** `omninet --help`. */
export interface HelpCommand {
  /** Discriminant. */
  command: "help";
}

/** Any parsed command line. */
export type Command = ListenCommand | ConnectCommand | CheckCommand | HelpCommand;

/** Exit codes, documented in `--help` and the README. */
export const EXIT: { readonly OK: 0; readonly ERROR: 1; readonly NOT_MATCHED: 2 } = {
  OK: 0,
  ERROR: 1,
  NOT_MATCHED: 2,
};

/** The `--help` text. */
export const HELP: string =
  `omninet - a small netcat on Node's net API, the same on Node, Deno and Bun

Usage:
  omninet listen  [options] [host:]port | [ipv6]:port | path
  omninet connect [options] host:port | [ipv6]:port | port | path
  omninet check   <ip> [--private] [--cidr <rule>]... [--rules <file>]...

listen   Accepts one connection (more with --keep), prints what arrives to
         stdout and sends stdin to it. EOF on stdin half-closes the open
         connections. Without a host it listens on all interfaces; port 0
         picks a free port. The bound address is printed on stderr.
connect  Connects, copies stdin to the socket and the socket to stdout.
         EOF on stdin half-closes; it exits when the peer closes. A port
         alone connects to localhost.
check    Tests an IP address against a BlockList built from rules.
         A rule is 10.0.0.1, 10.0.0.0/8, 10.0.0.1-10.0.0.9 or the IPv6 forms;
         rule files hold one per line, '#' starts a comment.

Options:
  -e, --echo            listen: send each connection's data back to it
  -k, --keep            listen: keep accepting connections after the first
  -t, --timeout <ms>    listen/connect: close a connection idle for <ms>
  -q, --quiet           no status lines on stderr (check: no output at all)
      --private         check: add BlockList.PRIVATE_RANGES (RFC 1918,
                        loopback, link-local, ULA)
      --cidr <rule>     check: add a rule (repeatable)
      --rules <file>    check: add the rules in <file> (repeatable)
  -h, --help            show this help

Exit codes:
  0  success; for check: the address is blocked (matches a rule)
  1  error: bad arguments, bad address or port, refused or reset
     connection, address in use, idle timeout, unreadable rules file
  2  check only: the address matches no rule

Examples:
  omninet listen 8080                      # print what one client sends
  omninet listen --echo --keep 127.0.0.1:7 # an echo server
  echo hello | omninet connect localhost:7 # prints hello
  omninet listen /tmp/app.sock             # a Unix socket server
  omninet connect /tmp/app.sock < request.bin > reply.bin
  omninet check 10.1.2.3 --private         # exit 0: blocked
  omninet check 2001:db8::1 --rules deny.txt --cidr 203.0.113.0/24

Runs the same on every runtime:
  npx omninet ...   deno run -A jsr:@omninet/net/cli ...   bunx omninet ...
`;

interface _Raw {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

const _BOOLEAN: Record<string, string> = {
  "-e": "echo",
  "--echo": "echo",
  "-k": "keep",
  "--keep": "keep",
  "-q": "quiet",
  "--quiet": "quiet",
  "--private": "private",
  "-h": "help",
  "--help": "help",
};
const _VALUED: Record<string, string> = {
  "-t": "timeout",
  "--timeout": "timeout",
  "--cidr": "cidr",
  "--rules": "rules",
};

function _split(argv: readonly string[]): _Raw {
  const raw: _Raw = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      raw.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      raw.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (_BOOLEAN[name] && eq === -1) {
      raw.flags.add(_BOOLEAN[name]);
    } else if (_VALUED[name]) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`option ${name} needs a value`);
      const key = _VALUED[name];
      raw.values.set(key, [...(raw.values.get(key) ?? []), value]);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return raw;
}

function _only(raw: _Raw, command: string, allowed: string[]): void {
  for (const name of [...raw.flags, ...raw.values.keys()]) {
    if (!allowed.includes(name)) {
      throw new UsageError(`option --${name} does not apply to '${command}'`);
    }
  }
}

function _one(raw: _Raw, command: string, what: string): string {
  if (raw.positional.length !== 2) {
    throw new UsageError(`'${command}' takes exactly one ${what}`);
  }
  return raw.positional[1];
}

function _timeout(raw: _Raw): number {
  const text = raw.values.get("timeout")?.at(-1);
  if (text === undefined) return 0;
  const ms = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(ms >= 1 && ms <= 2 ** 31 - 1)) {
    throw new UsageError(`bad timeout '${text}': must be milliseconds from 1 to 2147483647`);
  }
  return ms;
}

/**
 * Parses the command line (without the runtime and script path).
 * @param argv Arguments, as in `process.argv.slice(2)`.
 * @returns The command to run.
 * @example
 * ```ts
 * parseArgs(["listen", "--echo", "127.0.0.1:7000"]).command; // "listen"
 * ```
 */
export function parseArgs(argv: readonly string[]): Command {
  const raw = _split(argv);
  const command = raw.positional[0];
  if (raw.flags.has("help") || command === "help") return { command: "help" };
  const quiet = raw.flags.has("quiet");
  switch (command) {
    case "listen":
      _only(raw, command, ["echo", "keep", "timeout", "quiet"]);
      return {
        command,
        endpoint: parseEndpoint(_one(raw, command, "address"), "listen"),
        echo: raw.flags.has("echo"),
        keep: raw.flags.has("keep"),
        timeoutMs: _timeout(raw),
        quiet,
      };
    case "connect":
      _only(raw, command, ["timeout", "quiet"]);
      return {
        command,
        endpoint: parseEndpoint(_one(raw, command, "address"), "connect"),
        timeoutMs: _timeout(raw),
        quiet,
      };
    case "check":
      return _check(raw, quiet);
    case undefined:
      throw new UsageError("missing command: listen, connect or check");
    default:
      throw new UsageError(`unknown command '${command}': expected listen, connect or check`);
  }
}

function _check(raw: _Raw, quiet: boolean): CheckCommand {
  _only(raw, "check", ["private", "cidr", "rules", "quiet"]);
  const address = _one(raw, "check", "IP address");
  if (isIP(address) === 0) throw new UsageError(`bad address '${address}': not an IP address`);
  const cmd: CheckCommand = {
    command: "check",
    address,
    ruleFiles: raw.values.get("rules") ?? [],
    cidrs: raw.values.get("cidr") ?? [],
    private: raw.flags.has("private"),
    quiet,
  };
  if (!cmd.private && cmd.ruleFiles.length === 0 && cmd.cidrs.length === 0) {
    throw new UsageError("'check' needs rules: --private, --cidr <rule> or --rules <file>");
  }
  return cmd;
}
