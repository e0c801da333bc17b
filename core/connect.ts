/**
 * TCP connect planning: option validation, name resolution and Happy
 * Eyeballs (RFC 8305, the way Node does it) on top of a transport's
 * `connectTcp`. `core/socket.ts` calls `normalizeTcpConnect()` then
 * `startTcpConnect()` and receives events through a `ConnectSink`.
 *
 * Node's family autoselection is sequential: one dial is in flight at a
 * time; when `autoSelectFamilyAttemptTimeout` passes, that dial is abandoned
 * (an `ETIMEDOUT` error is recorded) and the next address is tried. The last
 * address gets no timer. This module reproduces that, event for event.
 * @module
 */
import type { BlockList } from "./block_list.ts";
import {
  codedError,
  codedRangeError,
  codedTypeError,
  errInvalidArgType,
  errInvalidArgValue,
  type NodeErrorLike,
  systemError,
} from "./errors.ts";
import { isIP } from "./ip.ts";
import { AI, defaultLookup, type LookupFunction } from "./lookup.ts";
import { blockListOption } from "./options.ts";
import {
  validateBoolean,
  validateFunction,
  validateInt32,
  validateNumber,
  validateOneOf,
  validatePort,
  validateStringWithoutNullBytes,
} from "./validators.ts";
import type { AddressInfo, StreamHandle, TcpConnectRequest, Transport } from "../runtimes/types.ts";
import { dialTcp, failsAtOnce, refusedConnect } from "./sys_errors.ts";
import { checkLocalBind } from "./features.ts";

export type { LookupFunction } from "./lookup.ts";

/** A validated TCP connect request, ready for `startTcpConnect()`. */
export interface TcpConnectPlan {
  /** Host name or IP literal (`'localhost'` when none was given). */
  host: string;
  /** Remote port. */
  port: number;
  /** Local IP to bind (validated IP literal). */
  localAddress?: string;
  /** Local port to bind. */
  localPort?: number;
  /** Address family asked for: 0 (any), 4 or 6. */
  family: 0 | 4 | 6;
  /** getaddrinfo hints passed to the lookup (platform values, as Node's `dns` constants). */
  hints: number;
  /** Custom resolver; `node:dns` `lookup` when absent. */
  lookup?: LookupFunction;
  /** Whether Happy Eyeballs is used for names with several addresses. */
  autoSelectFamily: boolean;
  /** Milliseconds each attempt gets before the next address is tried (>= 10). */
  autoSelectFamilyAttemptTimeout: number;
  /** Addresses the socket may not connect to. */
  blockList?: BlockList;
  /** The `family` value exactly as the lookup receives it (Node passes custom lookups anything). */
  lookupFamily?: unknown;
}

/** Where `startTcpConnect()` reports: implemented by the connecting Socket. */
export interface ConnectSink {
  /**
   * The socket's `emit` (`lookup`, `connectionAttempt*` events). Returns
   * false once the socket has abandoned this connect (a listener destroyed
   * or reconnected it), which stops the connect. Two events still arrive
   * after `cancel()`, as in Node: a single-address lookup's answer, and
   * `connectionAttemptFailed` (`ECANCELED`) for a Happy Eyeballs dial that
   * was in flight (on a later tick).
   */
  emit(event: string, ...args: unknown[]): boolean;
  /** `emit` of an event with three arguments, where the sink has it (no rest array). */
  emit3?(event: string, a: unknown, b: unknown, c: unknown): boolean;
  /** `emit` of an event with four arguments, where the sink has it (no rest array). */
  emit4?(event: string, a: unknown, b: unknown, c: unknown, d: unknown): boolean;
  /** Happy Eyeballs starts (before any attempt): `autoSelectFamilyAttemptedAddresses` becomes `[]`. */
  startMulti(): void;
  /** Appends to `socket.autoSelectFamilyAttemptedAddresses` (always after `startMulti()`). */
  recordAttempt(ipPort: string): void;
  /**
   * The current dial's local end as bound, which the socket shows while it
   * connects, as Node's handle has it; `null` for the next attempt's new handle.
   */
  boundTo?(local: AddressInfo | null): void;
  /**
   * The runtime handle the next dial runs on (`Transport.dialHandle`), where
   * the socket shows one while it connects; `undefined`: the adapter makes its own.
   */
  dialHandle?(): object | undefined;
  /**
   * Happy Eyeballs moves on to another address: the socket takes a new
   * handle for it before the attempt is announced, as Node's does.
   */
  renewDialHandle?(): void;
  /**
   * A single dial failed (not a Happy Eyeballs attempt): the socket stops
   * connecting before `'connectionAttemptFailed'`, as Node's `afterConnect`
   * clears `connecting` first (the socket reads `'open'` in that listener).
   */
  dialFailed?(): void;
  /** Called once on success with the connected handle. */
  connected(handle: StreamHandle): void;
  /** Called once on failure with a Node-shaped error. */
  failed(err: Error): void;
}

const _MIN_ATTEMPT_TIMEOUT = 10;

/** The part of the runtime's `node:net` that holds the process-wide defaults. */
interface _NetDefaults {
  getDefaultAutoSelectFamily(): boolean;
  setDefaultAutoSelectFamily(value: boolean): void;
  getDefaultAutoSelectFamilyAttemptTimeout(): number;
  setDefaultAutoSelectFamilyAttemptTimeout(value: number): void;
}

// Used only where the runtime has no `node:net` with these functions.
let _ownAutoSelectFamily = true;
let _ownAttemptTimeout = 500;
let _shared: _NetDefaults | null | undefined;

/**
 * The runtime's `node:net`, whose two defaults omninet shares: Node keeps one
 * value of each per process, which every `net` user reads (`node:http` too),
 * so a program or library that sets them through either module sets them for
 * both, and Node's command-line options (`--[no-]network-family-autoselection`,
 * `--network-family-autoselection-attempt-timeout`, also from `NODE_OPTIONS`)
 * reach omninet through it. `null` where there is no such `node:net`.
 */
function _sharedDefaults(): _NetDefaults | null {
  if (_shared !== undefined) return _shared;
  let net: Partial<_NetDefaults> | undefined;
  try {
    net = process.getBuiltinModule?.("node:net") as Partial<_NetDefaults> | undefined;
  } catch {
    net = undefined;
  }
  const ok = net !== undefined && typeof net.getDefaultAutoSelectFamily === "function" &&
    typeof net.setDefaultAutoSelectFamily === "function" &&
    typeof net.getDefaultAutoSelectFamilyAttemptTimeout === "function" &&
    typeof net.setDefaultAutoSelectFamilyAttemptTimeout === "function";
  return (_shared = ok ? net as _NetDefaults : null);
}

/**
 * The current default of the `autoSelectFamily` connect option: one value per
 * process, shared with the runtime's `node:net`.
 * @returns `true` unless changed with `setDefaultAutoSelectFamily()` (here or
 *   on `node:net`) or, on Node, with `--no-network-family-autoselection`.
 * @example
 * ```ts
 * import { getDefaultAutoSelectFamily } from "@omninet/net";
 * getDefaultAutoSelectFamily(); // true
 * ```
 */
export function getDefaultAutoSelectFamily(): boolean {
  const net = _sharedDefaults();
  return net === null ? _ownAutoSelectFamily : net.getDefaultAutoSelectFamily();
}

/**
 * Sets the default of the `autoSelectFamily` connect option, for omninet and
 * the runtime's `node:net` alike (one value per process, as in Node).
 * @param value The new default; must be a boolean.
 * @example
 * ```ts
 * import { setDefaultAutoSelectFamily } from "@omninet/net";
 * setDefaultAutoSelectFamily(false);
 * ```
 */
export function setDefaultAutoSelectFamily(value: boolean): void {
  validateBoolean(value, "value");
  const net = _sharedDefaults();
  if (net === null) _ownAutoSelectFamily = value;
  else net.setDefaultAutoSelectFamily(value);
}

/**
 * The current default of the `autoSelectFamilyAttemptTimeout` connect option:
 * one value per process, shared with the runtime's `node:net`.
 * @returns Milliseconds: the runtime's initial value unless changed (Node 26,
 *   Deno and Bun: 500; Node 20 and 24: 250), or on Node the value of
 *   `--network-family-autoselection-attempt-timeout`.
 * @example
 * ```ts
 * import { getDefaultAutoSelectFamilyAttemptTimeout } from "@omninet/net";
 * getDefaultAutoSelectFamilyAttemptTimeout(); // 500 on Node 26
 * ```
 */
export function getDefaultAutoSelectFamilyAttemptTimeout(): number {
  const net = _sharedDefaults();
  return net === null ? _ownAttemptTimeout : net.getDefaultAutoSelectFamilyAttemptTimeout();
}

/**
 * Sets the default of the `autoSelectFamilyAttemptTimeout` connect option, for
 * omninet and the runtime's `node:net` alike (one value per process, as in Node).
 * @param value A positive 32-bit integer; values below 10 become 10.
 * @example
 * ```ts
 * import { setDefaultAutoSelectFamilyAttemptTimeout } from "@omninet/net";
 * setDefaultAutoSelectFamilyAttemptTimeout(100);
 * ```
 */
export function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void {
  validateInt32(value, "value", 1);
  const ms = Math.max(value, _MIN_ATTEMPT_TIMEOUT);
  const net = _sharedDefaults();
  if (net === null) _ownAttemptTimeout = ms;
  else net.setDefaultAutoSelectFamilyAttemptTimeout(ms);
}

/** `ERR_INVALID_IP_ADDRESS`. */
function _errInvalidIp(value: unknown): TypeError & NodeErrorLike {
  return codedTypeError(
    "ERR_INVALID_IP_ADDRESS",
    process.getBuiltinModule("node:util").format("Invalid IP address: %s", value),
  );
}

/** `ERR_INVALID_ADDRESS_FAMILY`, with `host` and `port` as Node sets them. */
function _errAddressFamily(family: unknown, host: string, port: number): RangeError {
  const err = codedRangeError(
    "ERR_INVALID_ADDRESS_FAMILY",
    `Invalid address family: ${String(family)} ${host}:${port}`,
  ) as RangeError & NodeErrorLike & { host: string; port: number };
  err.host = host;
  err.port = port;
  return err;
}

/** `ERR_IP_BLOCKED`. */
function _errBlocked(ip: string): NodeErrorLike {
  return codedError("ERR_IP_BLOCKED", `IP(${ip}) is blocked by net.BlockList`);
}

function _dnsFamily(family: unknown): unknown {
  if (family === "IPv4") return 4;
  if (family === "IPv6") return 6;
  return family;
}

/** What `dns.lookup` itself would reject, checked up front in its order. */
function _validateDnsOptions(family: unknown, hints: unknown): void {
  if (hints != null) {
    validateNumber(hints, "options.hints");
    const bits = hints >>> 0;
    if ((bits & ~(AI.ADDRCONFIG | AI.V4MAPPED | AI.ALL)) !== 0) {
      throw errInvalidArgValue("hints", bits);
    }
  }
  if (family != null) validateOneOf(family, "options.family", [0, 4, 6]);
}

function _validateLocal(options: Record<string, unknown>): void {
  const { localAddress, localPort } = options;
  if (localAddress && !isIP(localAddress)) throw _errInvalidIp(localAddress);
  if (localPort) validateNumber(localPort, "options.localPort");
}

function _validatePortOption(port: unknown): number {
  // Node dials port 0 when only an empty path was given ({ path: "" }).
  if (port === undefined) return 0;
  if (typeof port !== "number" && typeof port !== "string") {
    throw errInvalidArgType("options.port", "one of type number or string", port);
  }
  return validatePort(port);
}

function _attemptTimeoutOption(value: unknown): number {
  if (value == null) return getDefaultAutoSelectFamilyAttemptTimeout();
  validateInt32(value, "options.autoSelectFamilyAttemptTimeout", 1);
  return Math.max(value, _MIN_ATTEMPT_TIMEOUT);
}

/**
 * Validates TCP connect options in Node's order and with Node's errors
 * (`options.host`, `localAddress`, `localPort`, `port`, `autoSelectFamily`,
 * `autoSelectFamilyAttemptTimeout`, then, only when a name will be resolved,
 * `lookup` and the `dns.lookup` checks of `family` and `hints`).
 * @param options The user's normalised connect options.
 * @returns The plan `startTcpConnect()` executes.
 * @example
 * ```ts
 * const plan = normalizeTcpConnect({ host: "localhost", port: 80 });
 * plan.autoSelectFamily; // true by default
 * ```
 */
export function normalizeTcpConnect(options: Record<string, unknown>): TcpConnectPlan {
  const blockList = blockListOption(options.blockList);
  const host = (options.host || "localhost") as string;
  validateStringWithoutNullBytes(host, "options.host");
  _validateLocal(options);
  const port = _validatePortOption(options.port);
  const autoSelectFamily = options.autoSelectFamily == null
    ? getDefaultAutoSelectFamily()
    : (validateBoolean(options.autoSelectFamily, "options.autoSelectFamily"),
      options.autoSelectFamily);
  const autoSelectFamilyAttemptTimeout = _attemptTimeoutOption(
    options.autoSelectFamilyAttemptTimeout,
  );
  const lookupFamily = _dnsFamily(options.family);
  let hints = (options.hints || 0) as number;
  let lookup: LookupFunction | undefined;
  if (!isIP(host)) {
    if (options.lookup != null) {
      validateFunction(options.lookup, "options.lookup");
      lookup = options.lookup as unknown as LookupFunction;
    } else _validateDnsOptions(lookupFamily, hints);
    if (lookupFamily !== 4 && lookupFamily !== 6 && hints === 0 && process.platform !== "win32") {
      hints = AI.ADDRCONFIG;
    }
  }
  return {
    host,
    port,
    localAddress: (options.localAddress as string | undefined) || undefined,
    localPort: (options.localPort as number | undefined) || undefined,
    family: lookupFamily === 4 || lookupFamily === 6 ? lookupFamily : 0,
    hints,
    lookup,
    autoSelectFamily,
    autoSelectFamilyAttemptTimeout,
    blockList,
    lookupFamily,
  };
}

// ---------------------------------------------------------------------------
// The connect state machine.

interface _Address {
  address: string;
  family: 4 | 6;
}

class _Connect {
  done = false;
  dial: { cancel(): void } | undefined;
  /** The Happy Eyeballs target being dialled (`undefined` on the single-dial paths). */
  inflight: _Address | undefined;
  /**
   * The current dial binds a local end and its attempt is announced once
   * bound (`TcpConnectRequest.bound`): not yet announced.
   */
  unannounced = false;
  timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    readonly transport: Transport,
    readonly plan: TcpConnectPlan,
    readonly sink: ConnectSink,
  ) {}

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this._clearTimer();
    const dial = this.dial;
    const target = this.inflight;
    this.dial = undefined;
    this.inflight = undefined;
    if (dial === undefined) return;
    dial.cancel();
    // Node reports the aborted Happy Eyeballs dial once destroy() has returned.
    if (target !== undefined) process.nextTick(_emitCancelled, this, target);
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this._clearTimer();
    this.sink.failed(err);
  }

  succeed(handle: StreamHandle): void {
    this.done = true;
    this.dial = undefined;
    this.sink.connected(handle);
  }

  /**
   * Emits an event of three arguments through the sink; false once the
   * connect was cancelled (a listener may destroy). Fixed arities, not rest
   * arguments: no array per event on the path every connection takes.
   */
  emit3(event: string, a: unknown, b: unknown, c: unknown): boolean {
    if (this.done) return false;
    // Without a cancel function yet (synchronous lookup), the socket says so here.
    const sink = this.sink;
    const more = sink.emit3 === undefined ? sink.emit(event, a, b, c) : sink.emit3(event, a, b, c);
    if (!more) this.cancel();
    return !this.done;
  }

  /** As {@link _Connect.emit3}, for an event of four arguments. */
  emit4(event: string, a: unknown, b: unknown, c: unknown, d: unknown): boolean {
    if (this.done) return false;
    const sink = this.sink;
    const more = sink.emit4 === undefined
      ? sink.emit(event, a, b, c, d)
      : sink.emit4(event, a, b, c, d);
    if (!more) this.cancel();
    return !this.done;
  }

  /** Fails on the next tick, as Node defers lookup failures (listeners may not exist yet). */
  failSoon(err: Error): void {
    process.nextTick(() => this.fail(err));
  }

  _clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether dials bind a local end first (`localAddress` or `localPort`). */
  _binds(): boolean {
    const { localAddress, localPort } = this.plan;
    return Boolean(localAddress || localPort);
  }

  _localFor(family: 4 | 6): { localAddress?: string; localPort?: number } {
    if (!this._binds()) return _NO_LOCAL;
    const { localAddress, localPort } = this.plan;
    return { localAddress: localAddress || (family === 4 ? "0.0.0.0" : "::"), localPort };
  }

  /**
   * Dials `address` on the transport; unless cancelled, the outcome goes to
   * `multi` (Happy Eyeballs, with its `target`) or to `_singleSettled`. One
   * closure per dial: the outcome handlers are methods, not closures made per
   * connection; the closure holds scalars and the shared local end, not the
   * request (garbage once the adapter took it) or an address record, which
   * a dialling socket would otherwise keep for the whole dial.
   *
   * A dial with a local end announces its attempt once the adapter has bound
   * it (`TcpConnectRequest.bound`), as Node binds before it emits
   * `connectionAttempt`: a bind that fails is no attempt. An adapter that
   * calls back without saying so has it announced then, unless the error is
   * the bind's.
   */
  dialOne(address: string, family: 4 | 6, multi: _Multi | null, target?: _Address): void {
    const { port } = this.plan;
    const local = this._localFor(family);
    const handle = this.sink.dialHandle?.();
    const req: TcpConnectRequest = local === _NO_LOCAL ? { address, port, family, handle } : {
      address,
      port,
      family,
      handle,
      ...local,
      bound: (end?: AddressInfo) => this._announce(address, family, end),
    };
    this.unannounced = local !== _NO_LOCAL;
    const dial = dialTcp(this.transport, req, (err, handle) => {
      this.dial = undefined;
      if (this.done) {
        // Adapters should not call back after cancel(); make sure nothing leaks if one does.
        if (handle) handle.close(_noop);
        return;
      }
      const e = err ? _withLocal(err, local.localAddress, local.localPort) : null;
      if (this.unannounced) {
        this.unannounced = false;
        if (e !== null && (e as { syscall?: unknown }).syscall === "bind") {
          // Node moves on to the next address without an event, or fails the single dial.
          if (multi === null) this.fail(e);
          else multi._unbound(e);
          return;
        }
        if (!this._announce(address, family)) {
          if (handle) handle.close(_noop);
          return;
        }
      }
      if (multi === null) this._singleSettled(address, family, e, handle);
      else multi._settled(target!, e, handle);
    });
    // A listener of an attempt announced within connectTcp() abandoned the connect.
    if (this.done) dial.cancel();
    else this.dial = dial;
  }

  /**
   * Announces the current dial's attempt (its `connectionAttempt`; under
   * Happy Eyeballs also the address in the attempted list), with its local
   * end where it was bound.
   * @returns false once a listener abandoned the connect
   */
  _announce(address: string, family: 4 | 6, local?: AddressInfo): boolean {
    this.unannounced = false;
    const { port } = this.plan;
    if (local !== undefined) this.sink.boundTo?.(local);
    if (!this.emit3("connectionAttempt", address, port, family)) return false;
    if (this.inflight !== undefined) this.sink.recordAttempt(`${address}:${port}`);
    return true;
  }

  /** A single dial, as Node's non-autoselect path: connectionAttempt, then connect or fail. */
  connectSingle(address: string, family: 4 | 6): void {
    const { port, blockList } = this.plan;
    if (this.dial === undefined && this._binds() && !blockList?.check(address, `ipv${family}`)) {
      // Announced once bound (see dialOne); a blocked address is announced, then refused unbound.
      this.dialOne(address, family, null);
      return;
    }
    if (!this.emit3("connectionAttempt", address, port, family)) return;
    if (this.dial !== undefined) {
      // A lookup that answered twice: Node dials again on the handle, which the kernel refuses.
      this.fail(refusedConnect("EALREADY", address, port));
      return;
    }
    if (blockList?.check(address, `ipv${family}`)) {
      this.fail(_errBlocked(address));
      return;
    }
    this.dialOne(address, family, null);
  }

  _singleSettled(address: string, family: 4 | 6, err: Error | null, handle?: StreamHandle): void {
    if (err === null) this.succeed(handle!);
    else if (failsAtOnce(err)) this.fail(err);
    else {
      this.sink.dialFailed?.();
      if (this.emit4("connectionAttemptFailed", address, this.plan.port, family, err)) {
        this.fail(err);
      }
    }
  }
}

function _noop(): void {}

/** `_localFor`'s answer for a dial with no local end: one shared object, not one per dial. */
const _NO_LOCAL: { localAddress?: string; localPort?: number } = Object.freeze({});

/** The deferred dial of an IP literal (`nextTick` arguments, not a closure per connection). */
function _dialLiteral(c: _Connect, family: 4 | 6): void {
  if (!c.done) c.connectSingle(c.plan.host, family);
}

function _emitCancelled(c: _Connect, target: _Address): void {
  const { port } = c.plan;
  const err = systemError({ code: "ECANCELED", syscall: "connect", address: target.address, port });
  c.sink.emit("connectionAttemptFailed", target.address, port, target.family, err);
}

/** Appends Node's ` - Local (ip:port)` detail to connect errors of a bound dial. */
function _withLocal(err: Error, localAddress?: string, localPort?: number): Error {
  const e = err as Error & { syscall?: string; localAddress?: string; localPort?: number };
  if (!localAddress || !localPort || e.syscall !== "connect" || e.localAddress) return err;
  // A connect call that failed at once names its local end already (Node's message has one).
  if (e.message.includes(" - Local (")) return err;
  e.message += ` - Local (${localAddress}:${localPort})`;
  e.localAddress = localAddress;
  e.localPort = localPort;
  return err;
}

/** Happy Eyeballs over `list` (at least two addresses): one dial at a time, Node's events. */
class _Multi {
  index = 0;
  errors: Error[] = [];
  constructor(readonly c: _Connect, readonly list: _Address[]) {}

  next(): void {
    const c = this.c;
    c._clearTimer();
    if (c.done) return;
    if (this.index === this.list.length) {
      c.fail(_aggregate(this.errors));
      return;
    }
    const target = this.list[this.index++];
    const { port, blockList, autoSelectFamilyAttemptTimeout } = c.plan;
    if (blockList?.check(target.address, `ipv${target.family}`)) {
      const err = _errBlocked(target.address);
      this.errors.push(err);
      if (c.emit4("connectionAttemptFailed", target.address, port, target.family, err)) this.next();
      return;
    }
    if (this.index > 1) {
      c.sink.renewDialHandle?.();
      c.sink.boundTo?.(null);
    }
    c.inflight = target;
    if (!c._binds() && !c._announce(target.address, target.family)) return;
    c.dialOne(target.address, target.family, this, target);
    if (c.done) return;
    if (this.index < this.list.length) {
      c.timer = setTimeout(() => this._timedOut(target), autoSelectFamilyAttemptTimeout);
    }
  }

  _settled(target: _Address, err: Error | null, handle?: StreamHandle): void {
    const c = this.c;
    c._clearTimer();
    c.inflight = undefined;
    if (!err) {
      c.succeed(handle!);
      return;
    }
    this.errors.push(err);
    if (c.emit4("connectionAttemptFailed", target.address, c.plan.port, target.family, err)) {
      this.next();
    }
  }

  /** The dial's bind failed: Node moves on without an event for the address. */
  _unbound(err: Error): void {
    const c = this.c;
    c._clearTimer();
    c.inflight = undefined;
    this.errors.push(err);
    this.next();
  }

  _timedOut(target: _Address): void {
    const c = this.c;
    c.timer = undefined;
    c.inflight = undefined;
    const dial = c.dial;
    c.dial = undefined;
    dial?.cancel();
    const { port } = c.plan;
    this.errors.push(
      systemError({ code: "ETIMEDOUT", syscall: "connect", address: target.address, port }),
    );
    if (c.emit3("connectionAttemptTimeout", target.address, port, target.family)) this.next();
  }
}

/** Node's `AggregateError` for an exhausted address list: empty message, first error's code. */
function _aggregate(errors: Error[]): Error {
  if (errors.length === 0) {
    return codedError("ERR_SOCKET_CONNECTION_TIMEOUT", "Socket connection timeout");
  }
  const err = new AggregateError(errors) as AggregateError & { code?: unknown };
  err.code = (errors[0] as { code?: unknown }).code;
  return err;
}

/** Orders addresses Node's way: dedupe, then alternate families starting with the first one's. */
function _interleave(entries: ArrayLike<unknown>): _Address[] {
  const groups: [_Address[], _Address[]] = [[], []];
  let firstFamily = 0;
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as { address?: unknown; family?: unknown } | undefined;
    const ip = e?.address;
    const family = e?.family;
    if (typeof ip !== "string" || !isIP(ip) || (family !== 4 && family !== 6)) continue;
    firstFamily ||= family;
    if (seen.has(`${family}/${ip}`)) continue;
    seen.add(`${family}/${ip}`);
    groups[family === firstFamily ? 0 : 1].push({ address: ip as string, family });
  }
  const out: _Address[] = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) out.push(groups[0][i]);
    if (i < groups[1].length) out.push(groups[1][i]);
  }
  return out;
}

/** Calls the lookup; like Node, a synchronous answer is acted on inside connect(). */
function _callLookup(
  plan: TcpConnectPlan,
  options: { family?: number; hints?: number; all?: boolean },
  cb: (err: Error | null, address: unknown, family?: unknown) => void,
): void {
  (plan.lookup ?? defaultLookup)(plan.host, options, cb as Parameters<LookupFunction>[2]);
}

function _resolveOne(c: _Connect): void {
  const { plan } = c;
  const opts = { family: plan.lookupFamily as number, hints: plan.hints };
  _callLookup(plan, opts, (err, ip, family) => {
    if (c.done) {
      // Node emits a single lookup's answer even on a socket destroyed meanwhile.
      c.sink.emit("lookup", err, ip, family, plan.host);
      return;
    }
    if (!c.emit4("lookup", err, ip, family, plan.host)) return;
    if (err) c.failSoon(err);
    // Only a string reaches a handle: Node's isIP() coerces, a native dial would not.
    else if (typeof ip !== "string" || !isIP(ip)) c.failSoon(_errInvalidIp(ip));
    else if (family !== 4 && family !== 6) {
      c.failSoon(_errAddressFamily(family, plan.host, plan.port));
    } else c.connectSingle(ip as string, family);
  });
}

function _resolveAll(c: _Connect): void {
  const { plan } = c;
  const opts = { family: plan.lookupFamily as number, hints: plan.hints, all: true };
  _callLookup(plan, opts, (err, addresses) => {
    if (c.done) return;
    if (err) {
      if (c.emit4("lookup", err, undefined, undefined, plan.host)) c.failSoon(err);
      return;
    }
    const list = (addresses ?? []) as ArrayLike<{ address?: unknown; family?: unknown }>;
    for (let i = 0; i < list.length; i++) {
      if (!c.emit4("lookup", err, list[i]?.address, list[i]?.family, plan.host)) return;
    }
    const ordered = _interleave(list);
    if (ordered.length === 0) {
      const first = list[0];
      const ip = first?.address;
      if (typeof ip !== "string" || !isIP(ip)) c.failSoon(_errInvalidIp(ip));
      else c.failSoon(_errAddressFamily(first?.family, plan.host, plan.port));
    } else if (ordered.length === 1) c.connectSingle(ordered[0].address, ordered[0].family);
    else {
      c.sink.startMulti();
      new _Multi(c, ordered).next();
    }
  });
}

/**
 * Starts resolving and dialing as Node's `socket.connect()` does. A user
 * `lookup` is invoked synchronously (as in Node), so an exception it throws
 * propagates to the caller, and when it answers synchronously the sink is
 * called before this returns (its `lookup` events, the first
 * `connectionAttempt`, even `failed` if every address is blocked), so a
 * sink must cope with calls made before it holds the cancel function.
 * Otherwise sink calls happen after this returns.
 * @param transport The adapter that dials.
 * @param plan The validated options from `normalizeTcpConnect()`.
 * @param sink The connecting socket.
 * @returns A cancel function: pending dials are cancelled and timers cleared; afterwards the sink only receives the two late events `ConnectSink.emit` lists.
 * @example
 * ```ts
 * const cancel = startTcpConnect(getTransport(), normalizeTcpConnect({ port: 80 }), sink);
 * cancel(); // socket destroyed while connecting
 * ```
 */
export function startTcpConnect(
  transport: Transport,
  plan: TcpConnectPlan,
  sink: ConnectSink,
): () => void {
  checkLocalBind(transport, plan);
  const c = new _Connect(transport, plan, sink);
  const literal = isIP(plan.host);
  if (literal) process.nextTick(_dialLiteral, c, literal);
  else if (
    plan.lookupFamily !== 4 && plan.lookupFamily !== 6 && !plan.localAddress &&
    plan.autoSelectFamily
  ) {
    _resolveAll(c);
  } else {
    _resolveOne(c);
  }
  // A bound method: no closure context per connect for the function the socket keeps.
  return c.cancel.bind(c);
}
