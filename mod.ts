/**
 * Placeholder entry while the first modules land.
 * @module
 */
export { errnoOf } from "./core/errors.ts";
