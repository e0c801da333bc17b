import { suite } from "uvu";
import * as assert from "uvu/assert";
import { errInvalidArgType, errnoOf, systemError } from "../core/errors.ts";
import { validateInteger, validatePort } from "../core/validators.ts";

const sys = suite("systemError()");

sys("connect errors print address:port and a negative errno", () => {
  const err = systemError({
    code: "ECONNREFUSED",
    syscall: "connect",
    address: "127.0.0.1",
    port: 9,
  });
  assert.instance(err, Error);
  assert.is(err.message, "connect ECONNREFUSED 127.0.0.1:9");
  assert.is(err.code, "ECONNREFUSED");
  assert.is(err.errno, -111);
  assert.is(err.syscall, "connect");
  assert.is(err.address, "127.0.0.1");
  assert.is(err.port, 9);
});

sys("listen errors carry libuv's description", () => {
  const err = systemError({
    code: "EADDRINUSE",
    syscall: "listen",
    address: "127.0.0.1",
    port: 8080,
    describe: true,
  });
  assert.is(err.message, "listen EADDRINUSE: address already in use 127.0.0.1:8080");
  assert.is(err.errno, -98);
});

sys("a Unix path prints without a port", () => {
  const err = systemError({ code: "ENOENT", syscall: "connect", address: "/tmp/x.sock" });
  assert.is(err.message, "connect ENOENT /tmp/x.sock");
  assert.is(err.port, undefined);
});

sys("getaddrinfo errors name the host and use libuv's errno", () => {
  const err = systemError({ code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "no.such.host" });
  assert.is(err.message, "getaddrinfo ENOTFOUND no.such.host");
  assert.is(errnoOf("ENOTFOUND"), -3008);
  assert.is(err.hostname, "no.such.host");
});

sys.run();

const val = suite("validators");

val("validatePort() accepts numeric strings and rejects the rest", () => {
  assert.is(validatePort("80"), 80);
  assert.is(validatePort(0), 0);
  for (const bad of [-1, 65536, 1.5, "", " ", "x", null, undefined, {}, NaN]) {
    try {
      validatePort(bad);
      assert.unreachable(`accepted ${String(bad)}`);
    } catch (e) {
      assert.instance(e, RangeError);
      assert.is((e as { code?: string }).code, "ERR_SOCKET_BAD_PORT");
    }
  }
});

val("validateInteger() gives ERR_INVALID_ARG_TYPE then ERR_OUT_OF_RANGE", () => {
  assert.throws(
    () => validateInteger("1", "n"),
    (e: { code?: string }) => e.code === "ERR_INVALID_ARG_TYPE",
  );
  assert.throws(
    () => validateInteger(1.5, "n"),
    (e: { code?: string }) => e.code === "ERR_OUT_OF_RANGE",
  );
  assert.throws(() => validateInteger(11, "n", 0, 10), RangeError);
});

val("a function is shown as Node shows it: `function name`, `function ` when anonymous", () => {
  function named(): void {}
  // Made nameless whatever a transpiler names it (Bun's names an arrow in an array).
  const anonymous = Object.defineProperty(() => {}, "name", { value: "" });
  assert.is(
    errInvalidArgType("fd", "of type number", named).message,
    'The "fd" argument must be of type number. Received function named',
  );
  assert.is(
    errInvalidArgType("fd", "of type number", anonymous).message,
    'The "fd" argument must be of type number. Received function ',
  );
});

val.run();
