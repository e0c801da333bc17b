/**
 * Counters of the direct socket-to-socket `pipeTo()` route, for tests; not
 * part of the public API.
 * @module
 */

/** What `pipeTo()` calls on omninet socket readables did. */
export const pipeStats: {
  /** Pipes that moved bytes straight from handle to handle. */
  direct: number;
  /** Pipes that went through the standard web-streams `pipeTo`. */
  standard: number;
  /** Times a direct pipe stopped its source's reads because its queue was full. */
  pauses: number;
  /** The most bytes a direct pipe held unwritten (read, not yet given to the handle). */
  maxQueued: number;
} = { direct: 0, standard: 0, pauses: 0, maxQueued: 0 };
