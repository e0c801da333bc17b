/**
 * Errors of the `node:net` adapter: the inner socket's error rebuilt with
 * `systemError()`, repairing what some runtimes' `node:net` get wrong.
 * @module
 */
import { type SystemError, systemError } from "../../core/errors.ts";
import { connectErrorLocal } from "../../core/sys_errors.ts";
import { RUNTIME } from "../_shared.ts";

/** Runtime error fields as the inner `node:net` reports them. */
interface RawError {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
  message?: unknown;
  localAddress?: unknown;
  localPort?: unknown;
}

/** Where an error happened: the syscall and endpoint the adapter was working on. */
export interface Where {
  syscall: string;
  address?: string;
  port?: number;
  /** The local address a dial binds, if any. */
  localAddress?: string;
  /** A Unix socket path is being listened on. */
  unixListen?: boolean;
}

/** Running on Deno (its `node:net`). */
export const onDeno: boolean = RUNTIME === "deno";
/** Running on Bun (its `node:net`). */
export const onBun: boolean = RUNTIME === "bun";

/** Repairs codes and syscalls some runtimes' node:net get wrong. */
function _fixup(code: string, syscall: string, where: Where): [string, string] {
  // Bun blames EPIPE on `read`; a broken pipe only ever shows on a write.
  if (code === "EPIPE") return [code, "write"];
  // Deno's node:net reports EADDRNOTAVAIL from bind() as EINVAL.
  if (
    onDeno && code === "EINVAL" && (syscall === "listen" || syscall === "bind") &&
    !where.unixListen && !/^fe80:/i.test(where.localAddress ?? where.address ?? "")
  ) return ["EADDRNOTAVAIL", syscall];
  return [code, syscall];
}

/** A system error rebuilt from the inner socket's error and where it happened. */
export function mapError(raw: unknown, where: Where): SystemError {
  const e = (raw ?? {}) as RawError;
  const [code, syscall] = _fixup(
    typeof e.code === "string" ? e.code : "EIO",
    typeof e.syscall === "string" ? e.syscall : where.syscall,
    where,
  );
  const stream = syscall === "read" || syscall === "write" || syscall === "shutdown";
  const err = systemError({
    code,
    syscall,
    address: stream ? undefined : where.address,
    port: stream ? undefined : where.port,
    local: syscall === "connect" ? _localOf(e, code, where) : undefined,
    cause: raw,
  });
  // Node's error of a bound dial that failed later names the local end in fields too.
  if (syscall === "connect" && typeof e.localAddress === "string") {
    Object.assign(err, { localAddress: e.localAddress, localPort: e.localPort });
  }
  return err;
}

/**
 * Node's ` - Local (...)` detail of a connect error: the one the inner socket's message has
 * (Node's), else by the code for a TCP dial (the other runtimes' `node:net` leave it out).
 */
function _localOf(e: RawError, code: string, where: Where): string | undefined {
  const m = typeof e.message === "string" ? / - Local \((.*)\)$/.exec(e.message) : null;
  if (m !== null) return m[1];
  if (where.port === undefined || where.address === undefined) return undefined;
  return connectErrorLocal(code, where.address, where.localAddress);
}
