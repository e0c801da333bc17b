/**
 * The idle timer behind `socket.setTimeout()`: one unref'd runtime timer per
 * socket, restarted with its `refresh()` on every read and write, as
 * `node:net` restarts its socket timers. A refresh moves the timer behind
 * every timer of the same period started or refreshed before it, so sockets
 * with the same timeout time out in the order of their last activity, as on
 * Node (a refresh costs about what reading the clock costs, on every runtime).
 * @module
 */
import { clearTimeout as _clearTimer, setTimeout as _setTimer } from "./builtins.ts";

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
  #timer: ReturnType<typeof _setTimer> | null = null;
  #onIdle: () => void;
  /**
   * Node's `kLastWriteQueueSize`: the bytes of a write still in flight when
   * last looked at (its size when handed over), 0 when none is.
   */
  queue = 0;

  /**
   * @param onIdle called when the period passes without activity
   */
  constructor(onIdle: () => void) {
    this.#onIdle = onIdle;
  }

  /**
   * (Re)starts the period from now; 0 disables.
   * @param ms the idle period in milliseconds
   */
  start(ms: number): void {
    this.stop();
    if (ms === 0) return;
    const t = _setTimer(this.#onIdle, ms);
    t.unref();
    this.#timer = t;
  }

  /**
   * Records activity: the period starts again from now. Also after the
   * timer fired (the socket times out again after another idle period), as
   * on Node; a no-op while disabled, and once a TLS socket over this one
   * cleared the timer (below), as on Node.
   */
  touch(): void {
    this.#timer?.refresh();
  }

  /**
   * The runtime timer while the period is set, else `null`: what the
   * runtime's own `node:net` keeps as a socket's timer. A TLS socket over the
   * socket restarts its parents' timers with `refresh()` when it reads or
   * writes, and clears them (`clearTimeout()`) when it is destroyed, as
   * Node's does.
   */
  get timer(): object | null {
    return this.#timer;
  }

  /** Clears the timer; `start()` sets a period again. */
  stop(): void {
    if (this.#timer !== null) {
      _clearTimer(this.#timer);
      this.#timer = null;
    }
  }
}
