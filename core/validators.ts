/**
 * Argument validation with Node's error codes, shared by every public API.
 * Each validator throws before any runtime call is made.
 * @module
 */
import {
  errInvalidArgType,
  errInvalidArgValue,
  errOutOfRange,
  errSocketBadPort,
} from "./errors.ts";

/** Throws `ERR_INVALID_ARG_TYPE` unless `value` is a string. */
export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw errInvalidArgType(name, "of type string", value);
}

/**
 * Throws `ERR_INVALID_ARG_TYPE` unless `value` is a string, and
 * `ERR_INVALID_ARG_VALUE` if it holds a NUL character.
 */
export function validateStringWithoutNullBytes(
  value: unknown,
  name: string,
): asserts value is string {
  validateString(value, name);
  if (value.includes("\0")) {
    throw errInvalidArgValue(name, value, "must be a string without null bytes");
  }
}

/** Throws `ERR_INVALID_ARG_TYPE` unless `value` is a boolean. */
export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== "boolean") throw errInvalidArgType(name, "of type boolean", value);
}

/** Throws `ERR_INVALID_ARG_TYPE` unless `value` is a function. */
export function validateFunction(
  value: unknown,
  name: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") throw errInvalidArgType(name, "of type function", value);
}

/** Throws `ERR_INVALID_ARG_TYPE` unless `value` is a non-null, non-array object. */
export function validateObject(
  value: unknown,
  name: string,
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw errInvalidArgType(name, "of type object", value);
  }
}

/**
 * Throws `ERR_INVALID_ARG_TYPE` unless `value` is a number, and
 * `ERR_OUT_OF_RANGE` if it lies outside `[min, max]` (or is NaN).
 */
export function validateNumber(
  value: unknown,
  name: string,
  min?: number,
  max?: number,
): asserts value is number {
  if (typeof value !== "number") throw errInvalidArgType(name, "of type number", value);
  if (
    (min !== undefined && value < min) || (max !== undefined && value > max) ||
    ((min !== undefined || max !== undefined) && Number.isNaN(value))
  ) {
    const range = min !== undefined && max !== undefined
      ? `>= ${min} && <= ${max}`
      : min !== undefined
      ? `>= ${min}`
      : `<= ${max}`;
    throw errOutOfRange(name, range, value);
  }
}

/** Throws unless `value` is an integer in `[min, max]` (Node's `validateInteger`). */
export function validateInteger(
  value: unknown,
  name: string,
  min: number = Number.MIN_SAFE_INTEGER,
  max: number = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== "number") throw errInvalidArgType(name, "of type number", value);
  if (!Number.isInteger(value)) throw errOutOfRange(name, "an integer", value);
  if (value < min || value > max) throw errOutOfRange(name, `>= ${min} && <= ${max}`, value);
}

/** Throws unless `value` is a 32-bit signed integer (optionally positive). */
export function validateInt32(
  value: unknown,
  name: string,
  min = -2147483648,
  max = 2147483647,
): asserts value is number {
  validateInteger(value, name, min, max);
}

/** Throws unless `value` is a 32-bit unsigned integer (`positive` excludes 0). */
export function validateUint32(
  value: unknown,
  name: string,
  positive = false,
): asserts value is number {
  validateInteger(value, name, positive ? 1 : 0, 4294967295);
}

/** Throws `ERR_INVALID_ARG_VALUE` unless `value` is one of `allowed`. */
export function validateOneOf<T>(
  value: unknown,
  name: string,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    const list = allowed.map((v) => (typeof v === "string" ? `'${v}'` : String(v))).join(", ");
    throw errInvalidArgValue(name, value, `must be one of: ${list}`);
  }
}

/** Throws `ERR_INVALID_ARG_TYPE` unless `value` is an `AbortSignal` (or undefined). */
export function validateAbortSignal(value: unknown, name: string): void {
  if (
    value !== undefined &&
    (value === null || typeof value !== "object" || !("aborted" in value))
  ) {
    throw errInvalidArgType(name, "an instance of AbortSignal", value);
  }
}

/**
 * Node's `validatePort`: a number or numeric string in 0..65535 (1..65535 when
 * `allowZero` is false). Returns the port as a number.
 */
export function validatePort(port: unknown, name = "Port", allowZero = true): number {
  if (
    (typeof port !== "number" && typeof port !== "string") ||
    (typeof port === "string" && port.trim().length === 0) ||
    +port !== (+port >>> 0) ||
    +port > 0xffff ||
    (+port === 0 && !allowZero)
  ) {
    throw errSocketBadPort(name, port, allowZero);
  }
  return +port | 0;
}
