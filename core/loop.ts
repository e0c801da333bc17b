/**
 * Where in the event loop a handle's close reports back, for the paths whose
 * runtime releases a socket without going through the loop (Bun, `Deno.Conn`,
 * a connect that failed or was abandoned before it had a handle of its own):
 * Node's `'close'` comes from libuv's close callback, in the loop's closing
 * phase after that turn's immediates, and a closing handle keeps the process
 * alive until then (`'beforeExit'` waits for it).
 * @module
 */
import { setImmediate as _setImmediate } from "node:timers";

/**
 * Calls `cb` where libuv calls a handle's close callback: after the
 * immediates of the current turn (also those queued after this call), the
 * process kept alive until then.
 * @param cb the close callback
 * @example
 * ```ts
 * afterLoopTurn(() => console.log("closed"));
 * ```
 */
export function afterLoopTurn(cb: () => void): void {
  _setImmediate(_setImmediate, cb);
}

/**
 * Keeps the process alive until the event loop's next check phase, as a
 * closing libuv handle keeps it until its close callback: for a listener the
 * runtime releases within the call (a server's `'close'` itself comes on the
 * next tick, as Node's), so that a `'beforeExit'` listener added then runs.
 * @example
 * ```ts
 * holdLoopTurn();
 * ```
 */
export function holdLoopTurn(): void {
  _setImmediate(_noop);
}

function _noop(): void {}
