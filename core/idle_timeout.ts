/**
 * The idle timer behind `socket.setTimeout()`: activity only stamps a time,
 * and the one timer re-arms itself when it fires before the socket has been
 * idle for the whole period (no timer churn per chunk).
 * @module
 */
import { clearTimeout as _clearTimer, setTimeout as _setTimer } from "node:timers";

const _OWNER = Symbol("omninet.idle");
type _Owned = { [_OWNER]: IdleTimeout; refresh(): unknown };

/** A timer's `refresh()` records activity on its idle timer instead (see `IdleTimeout.timer`). */
function _refreshOwner(this: _Owned): _Owned {
  this[_OWNER].touch();
  return this;
}

/**
 * One socket's idle timer; `onIdle` runs once the socket saw no activity for `ms`.
 * @example
 * ```ts
 * const idle = new IdleTimeout(() => socket.emit("timeout"));
 * idle.start(3000);
 * idle.touch(); // on every read or write
 * ```
 */
export class IdleTimeout {
  /** The period in milliseconds; 0 when disabled. */
  ms = 0;
  #timer: ReturnType<typeof _setTimer> | null = null;
  #lastActive = 0;
  #fire: () => void;

  /**
   * @param onIdle called when the period passes without activity
   */
  constructor(onIdle: () => void) {
    this.#fire = () => {
      this.#timer = null;
      if (this.ms === 0) return;
      const idle = performance.now() - this.#lastActive;
      if (idle + 1 < this.ms) {
        this.#arm(Math.ceil(this.ms - idle));
        return;
      }
      onIdle();
    };
  }

  /**
   * (Re)starts the period from now; 0 disables.
   * @param ms the idle period in milliseconds
   */
  start(ms: number): void {
    this.stop();
    this.ms = ms;
    if (ms === 0) return;
    this.#lastActive = performance.now();
    this.#arm(ms);
  }

  /** Records activity (a no-op while disabled). */
  touch(): void {
    if (this.ms === 0) return;
    this.#lastActive = performance.now();
    if (this.#timer === null) this.#arm(this.ms);
  }

  /**
   * The runtime timer while one is armed, else `null`: what the runtime's
   * own `node:net` keeps as a socket's timer. A TLS socket over the socket
   * restarts its parents' timers with `refresh()` when it reads or writes,
   * which records activity here, and clears them (`clearTimeout()`) when it
   * is destroyed, as Node's does.
   */
  get timer(): object | null {
    return this.#timer;
  }

  /** Clears the pending timer; the period stays set for a later `touch()`. */
  stop(): void {
    if (this.#timer !== null) {
      _clearTimer(this.#timer);
      this.#timer = null;
    }
  }

  #arm(ms: number): void {
    const t = _setTimer(this.#fire, ms);
    t.unref();
    const owned = t as unknown as _Owned;
    owned[_OWNER] = this;
    owned.refresh = _refreshOwner;
    this.#timer = t;
  }
}
