/**
 * The idle timer behind `socket.setTimeout()`: activity only stamps a time,
 * and the one timer re-arms itself when it fires before the socket has been
 * idle for the whole period (no timer churn per chunk).
 * @module
 */
import { clearTimeout as _clearTimer, setTimeout as _setTimer } from "node:timers";

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
    this.#timer = t;
  }
}
