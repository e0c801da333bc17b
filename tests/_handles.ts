/**
 * Bookkeeping for suites that drive transport handles directly: a timeout
 * guard for awaited callbacks, and tracking so every handle opened in a test
 * is closed at its end.
 * @module
 */

/** How long a test waits for any one callback. */
export const GUARD_MS = 15_000;

/** Rejects with `timed out waiting for <what>` unless `p` settles within `ms`. */
export function within<T>(p: Promise<T>, what: string, ms: number = GUARD_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((r) => setTimeout(r, ms));
}

type Closable = { close(cb: () => void): void };
const opened = new Set<Closable>();

/** Remembers `x` so `closeAll()` closes it. */
export function track<T extends Closable>(x: T): T {
  opened.add(x);
  return x;
}

/** Whether `x` is tracked (opened in this test and not closed by it). */
export function isTracked(x: Closable): boolean {
  return opened.has(x);
}

/** Forgets `x` (a test that closes it itself). */
export function untrack(x: Closable): void {
  opened.delete(x);
}

/** Closes one tracked handle or listener and waits for its close callback. */
export function closeOne(x: Closable): Promise<void> {
  opened.delete(x);
  return within(new Promise<void>((r) => x.close(r)), "close callback");
}

/** Closes everything still tracked. */
export async function closeAll(): Promise<void> {
  await Promise.all([...opened].map(closeOne));
}
