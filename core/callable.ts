/**
 * Node's `net.Socket` and `net.Server` are function constructors: they work
 * without `new`, and pre-class code subclasses them with
 * `util.inherits(MySocket, net.Socket)` + `net.Socket.call(this, options)`.
 * omninet's are classes (typed, with private state, `class X extends` works),
 * so two small pieces restore the old calling styles:
 *
 * - {@link makeAdoptable} puts a stand-in between the class and its parent (`Duplex`,
 *   `EventEmitter`, both function constructors on every runtime). Normally it
 *   just runs the parent on the new object. When a call on an existing object
 *   is pending, it runs the parent on that object instead and returns it, so
 *   the class's constructor (fields, private state) initialises that object.
 * - {@link callable} wraps the class in a Proxy whose `apply` trap handles
 *   calls: on an object that inherits from the class it initialises that
 *   object in place; otherwise it constructs, like `new`. Construction and
 *   `extends` pass straight through to the class.
 * @module
 */

// The object a pending `Class.call(obj, ...)` initialises; taken by the first adoptingBase call.
let _adoptee: object | null = null;

/**
 * Puts a stand-in for `Parent` between `Class` and `Parent` (see the module
 * doc): `super()` in `Class` then can initialise an existing object. Only the
 * constructor's own prototype changes (`super()` looks it up when it runs);
 * statics and `Class.prototype`'s chain stay as they were.
 * @param Class a class declared as `class Class extends Parent`
 * @param Parent its parent, a function constructor (callable without `new`)
 * @example
 * ```ts
 * import { Duplex } from "node:stream";
 * class MyStream extends Duplex {}
 * makeAdoptable(MyStream, Duplex);
 * ```
 */
export function makeAdoptable(
  Class: abstract new (...args: never[]) => object,
  Parent: abstract new (options?: never) => object,
): void {
  const parent = Parent as unknown as (this: object, options?: unknown) => void;
  function Adopting(this: object, options?: unknown): object {
    const self = _adoptee ?? this;
    _adoptee = null;
    parent.call(self, options);
    return self;
  }
  Adopting.prototype = Parent.prototype;
  Object.setPrototypeOf(Adopting, Parent);
  Object.setPrototypeOf(Class, Adopting);
}

/** A class that can also be called, as Node's function constructors can. */
export type Callable<C extends abstract new (...args: never[]) => object> =
  & C
  & ((...args: ConstructorParameters<C>) => InstanceType<C>);

/**
 * Wraps a class (made adoptable with {@link makeAdoptable}) so it can be called:
 * `Class(...)` constructs, `Class.call(obj, ...)` initialises `obj` when it
 * inherits from `Class.prototype`. `new` and `extends` behave as on the class,
 * and `instance.constructor` is the wrapper.
 *
 * With `Native` (the runtime's own `node:net` class of the same name),
 * `value instanceof wrapper` also holds for that class's instances, as it
 * does for `node:net`'s: the sockets and servers that `node:http`,
 * `node:tls` and the rest make are `node:net` ones, and code that imports
 * omninet as its `net` asks `req.socket instanceof net.Socket` or
 * `httpServer instanceof net.Server` of them. Only the wrapper itself
 * answers so: subclasses, and omninet's own checks against the class, keep
 * the ordinary `instanceof`.
 * @param Class the class to wrap
 * @param Native the runtime's own class whose instances count as the wrapper's too
 * @returns the callable class
 * @example
 * ```ts
 * const Socket = callable(SocketClass);
 * const s = Socket(); // same as new Socket()
 * ```
 */
export function callable<C extends new (...args: never[]) => object>(
  Class: C,
  Native?: abstract new (...args: never[]) => object,
): Callable<C> {
  const wrapper = new Proxy(Class, {
    apply(target, thisArg: unknown, args: unknown[]): object {
      if (typeof thisArg === "object" && thisArg !== null && _ordinaryInstance(target, thisArg)) {
        _adoptee = thisArg;
        try {
          Reflect.construct(target, args, target);
        } finally {
          _adoptee = null;
        }
        return thisArg;
      }
      return Reflect.construct(target, args);
    },
  }) as Callable<C>;
  Object.defineProperty(Class.prototype, "constructor", {
    value: wrapper,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (Native !== undefined && Native !== (Class as unknown)) {
    Object.defineProperty(Class, Symbol.hasInstance, {
      value(this: unknown, value: unknown): boolean {
        return _ordinaryInstance(this, value) || (this === wrapper && value instanceof Native);
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return wrapper;
}

const _hasInstance = Function.prototype[Symbol.hasInstance];

/** `value instanceof C` as the language defines it without `C[Symbol.hasInstance]`. */
function _ordinaryInstance(C: unknown, value: unknown): boolean {
  return _hasInstance.call(C as () => void, value);
}
