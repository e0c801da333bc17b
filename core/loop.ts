/**
 * Where in the event loop a handle's close reports back, for the paths whose
 * runtime releases a socket without going through the loop (Bun, `Deno.Conn`,
 * a connect that failed or was abandoned before it had a handle of its own):
 * Node's `'close'` comes from libuv's close callback, in the loop's closing
 * phase after that turn's immediates, and a closing handle keeps the process
 * alive until then (`'beforeExit'` waits for it).
 * @module
 */
import { setImmediate as _setImmediate } from "./builtins.ts";

/** The close callbacks asked for since the current batch began (see `afterLoopTurn`). */
let _closing: (() => void)[] | null = null;

/**
 * Calls `cb` where libuv calls a handle's close callback: after the
 * immediates of the current turn (also those queued after this call), the
 * process kept alive until then. The callbacks asked for in one turn run
 * together, the last asked for first, as libuv runs a turn's closing
 * handles (sockets destroyed in one turn report `'close'` in Node's order).
 * @param cb the close callback
 * @example
 * ```ts
 * afterLoopTurn(() => console.log("closed"));
 * ```
 */
export function afterLoopTurn(cb: () => void): void {
  if (_closing !== null) {
    _closing.push(cb);
    return;
  }
  _closing = [cb];
  _setImmediate(_sealClosing);
}

/** The turn's check phase: later callbacks make the next batch; this one runs after the turn. */
function _sealClosing(): void {
  const batch = _closing!;
  _closing = null;
  _setImmediate(_runClosing, batch);
}

function _runClosing(batch: (() => void)[]): void {
  let i = batch.length;
  try {
    while (i > 0) batch[--i]();
  } finally {
    // A callback threw: the ones after it still run, on the next immediate (the error goes on).
    if (i > 0) _setImmediate(_runClosing, batch.slice(0, i));
  }
}

/**
 * After a `'close'` the adapter did not bring from the event loop (a runtime
 * that releases a socket or listener within the call, as Bun's do): keeps the
 * process alive until the loop's next check phase, as a closing libuv handle
 * keeps it until its close callback, where that can be seen. It is seen only
 * by a `'beforeExit'` listener (`'beforeExit'` comes again only if the loop
 * ran), so only then is the turn held: a turn more for every close cost Bun's
 * connect-and-close rounds 3% (bench:net).
 * @example
 * ```ts
 * server.emit("close");
 * holdTurnForBeforeExit();
 * ```
 */
export function holdTurnForBeforeExit(): void {
  if (process.listenerCount("beforeExit") > 0) _setImmediate(_noop);
}

function _noop(): void {}
