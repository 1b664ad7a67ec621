import { Lifetime, WeakLifetime, type QuickJSContext, type QuickJSHandle, type VmFunctionImplementation } from 'quickjs-emscripten';
import type { Ops } from './ops.ts';

/**
 * The run's few hot paths into the engine, without quickjs-emscripten's per-operation overhead.
 *
 * quickjs-emscripten wraps every value in a `Lifetime` object, copies call arguments into a freshly
 * malloc'ed array, turns every property name into a new guest string through a malloc'ed C string, and so
 * on: 0.2 to 1 µs per operation, several times what the engine itself spends, and a run makes a hundred of
 * them. `Raw` calls the same C functions (QTS_*) directly on plain pointers. It reaches into members that
 * quickjs-emscripten 0.32 keeps private; `Raw.for` checks they are what this version has and answers
 * null otherwise, and every user falls back to the public API then.
 *
 * Pointers answered by `Raw` are owned by the caller: free them with `free`, or hand them to
 * `handle` (a managed QuickJSHandle that frees it when disposed).
 */

/** A guest call's outcome: the value it returned or the value it threw; either handle is the caller's. */
export type CallResult = { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined };

type Ffi = {
  QTS_Call(ctx: number, fn: number, self: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_DupValuePointer(ctx: number, value: number): number;
  QTS_NewString(ctx: number, cString: number): number;
  QTS_NewObject(ctx: number): number;
  QTS_NewObjectProto(ctx: number, prototype: number): number;
  QTS_GetNull(): number;
  QTS_GetProp(ctx: number, self: number, key: number): number;
  QTS_GetPropNumber(ctx: number, self: number, index: number): number;
  QTS_SetProp(ctx: number, self: number, key: number, value: number): void;
  QTS_DefineProp(ctx: number, self: number, key: number, value: number, get: number, set: number, configurable: boolean, enumerable: boolean, hasValue: boolean): void;
  QTS_NewPromiseCapability(ctx: number, resolversOut: number): number;
  QTS_GetUndefined(): number;
  QTS_GetGlobalObject(ctx: number): number;
  QTS_Throw(ctx: number, error: number): number;
  QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
};

type EmscriptenModule = {
  HEAPU8: Uint8Array;
  /** QTS_NewFunction itself, taking the name as a C string (the ffi's wrapper converts a JS string per call). */
  _QTS_NewFunction(ctx: number, name: number, length: number, isConstructor: number, hostRef: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, maxBytes: number): void;
};

type Internals = {
  ffi: Ffi;
  ctx: { value: number };
  memory: { heapValueHandle(pointer: number): QuickJSHandle; copyJSValue(pointer: number): number; freeJSValue(pointer: number): void };
  module: EmscriptenModule;
  runtime: { hostRefs: { put(value: object): number; get(id: number): object; delete(id: number): void } };
  /** Where quickjs-emscripten dispatches the guest's calls of host functions made in this context. */
  cToHostCallbacks: { callFunction(ctx: number, self: number, argc: number, argv: number, id: number): number };
};

/** Call arguments fit in one array kept for the run; longer calls take the ordinary path. */
const ARGV_SLOTS = 64;

/**
 * Property and function names as C strings, made once per WebAssembly module and kept: the sandbox's own
 * names and the host functions' are a small set. Past KEPT_NAMES, names are converted on each use.
 */
const KEPT_NAMES = 4096;
const keyStrings = new WeakMap<EmscriptenModule, Map<string, number>>();

export class Raw implements Ops<number> {
  readonly #context: QuickJSContext;
  readonly #ffi: Ffi;
  readonly #ctx: number;
  readonly #memory: Internals['memory'];
  readonly #module: EmscriptenModule;
  readonly #hostRefs: Internals['runtime']['hostRefs'];
  readonly #keys: Map<string, number>;
  /** Guest strings for property names, made on first use and kept until `releaseNames`. */
  readonly #keyValues = new Map<string, number>();
  /** ARGV_SLOTS pointers, then two more for QTS_NewPromiseCapability's resolvers. */
  #scratch: number;
  #heap: Int32Array;
  readonly undefined: number;
  readonly null: number;
  readonly global: number;

  private constructor(context: QuickJSContext, internals: Internals) {
    this.#context = context;
    this.#ffi = internals.ffi;
    this.#ctx = internals.ctx.value;
    this.#memory = internals.memory;
    this.#module = internals.module;
    this.#hostRefs = internals.runtime.hostRefs;
    let keys = keyStrings.get(this.#module);
    if (!keys) keyStrings.set(this.#module, (keys = new Map()));
    this.#keys = keys;
    // Allocated when the run starts, before the memory guard's ceiling applies.
    this.#scratch = this.#module._malloc((ARGV_SLOTS + 2) * 4);
    this.#heap = new Int32Array(this.#module.HEAPU8.buffer);
    this.undefined = this.#ffi.QTS_GetUndefined();
    this.null = this.#ffi.QTS_GetNull();
    this.global = this.#ffi.QTS_GetGlobalObject(this.#ctx);
  }

  /**
   * What runs when the guest calls a host function: the same contract as quickjs-emscripten's own
   * dispatcher (arguments and `this` as handles that die with the call; a returned handle is duplicated
   * for the guest and disposed; `{ error }` or a thrown handle is thrown in the guest, any other thrown
   * value as a guest Error), without its generators and scopes, which cost more than the call itself.
   */
  #dispatch(context: QuickJSContext, internals: Internals): Internals['cToHostCallbacks']['callFunction'] {
    const { ffi, memory, runtime } = internals;
    const { copyJSValue, freeJSValue } = memory;
    const hostRefs = runtime.hostRefs;
    return (ctx, selfPointer, argc, argv, id) => {
      const fn = hostRefs.get(id) as VmFunctionImplementation<QuickJSHandle>;
      const self = new WeakLifetime(selfPointer, copyJSValue, freeJSValue, runtime) as unknown as QuickJSHandle;
      const args = new Array<QuickJSHandle>(argc);
      for (let i = 0; i < argc; i++) args[i] = new WeakLifetime(ffi.QTS_ArgvGetJSValueConstPointer(argv, i), copyJSValue, freeJSValue, runtime) as unknown as QuickJSHandle;
      try {
        const result = fn.apply(self, args);
        if (!result) return 0;
        if ('error' in result && result.error) throw result.error;
        const handle = result instanceof Lifetime ? (result as QuickJSHandle) : (result as { value: QuickJSHandle }).value;
        try {
          return ffi.QTS_DupValuePointer(ctx, handle.value as unknown as number);
        } finally {
          handle.dispose();
        }
      } catch (error) {
        const handle = error instanceof Lifetime ? (error as QuickJSHandle) : context.newError(error as Error);
        try {
          return ffi.QTS_Throw(ctx, handle.value as unknown as number);
        } finally {
          handle.dispose();
        }
      } finally {
        self.dispose();
        for (const arg of args) arg.dispose();
      }
    };
  }

  /** Raw access to `context`, or null when quickjs-emscripten's internals are not what this code expects. */
  static for(context: QuickJSContext): Raw | null {
    const internals = context as unknown as Partial<Internals>;
    const { ffi, ctx, memory, module, runtime } = internals;
    const names: (keyof Ffi)[] = ['QTS_Call', 'QTS_ResolveException', 'QTS_FreeValuePointer', 'QTS_DupValuePointer', 'QTS_NewString', 'QTS_NewObject', 'QTS_GetProp', 'QTS_GetPropNumber', 'QTS_SetProp', 'QTS_DefineProp', 'QTS_NewPromiseCapability', 'QTS_GetUndefined', 'QTS_GetGlobalObject', 'QTS_NewObjectProto', 'QTS_GetNull', 'QTS_Throw', 'QTS_ArgvGetJSValueConstPointer'];
    const usable =
      ffi !== undefined &&
      names.every((name) => typeof ffi[name] === 'function') &&
      typeof ctx?.value === 'number' &&
      typeof memory?.heapValueHandle === 'function' &&
      module?.HEAPU8 instanceof Uint8Array &&
      typeof module._malloc === 'function' &&
      typeof module._free === 'function' &&
      typeof module._QTS_NewFunction === 'function' &&
      typeof module.lengthBytesUTF8 === 'function' &&
      typeof module.stringToUTF8 === 'function' &&
      typeof memory.copyJSValue === 'function' &&
      typeof memory.freeJSValue === 'function' &&
      typeof runtime?.hostRefs?.put === 'function' &&
      typeof runtime.hostRefs.get === 'function' &&
      typeof internals.cToHostCallbacks?.callFunction === 'function';
    if (!usable) return null;
    const raw = new Raw(context, internals as Internals);
    if (!raw.#scratch) return null;
    internals.cToHostCallbacks!.callFunction = raw.#dispatch(context, internals as Internals);
    return raw;
  }

  /** Frees the guest strings made for property names (they are made again if needed). */
  releaseNames(): void {
    for (const value of this.#keyValues.values()) this.#ffi.QTS_FreeValuePointer(this.#ctx, value);
    this.#keyValues.clear();
  }

  /** Frees what the run kept: call it before the context is disposed. */
  dispose(): void {
    this.releaseNames();
    if (this.#scratch) this.#module._free(this.#scratch);
    this.#scratch = 0;
    this.#ffi.QTS_FreeValuePointer(this.#ctx, this.global);
  }

  #words(): Int32Array {
    // The heap's buffer is replaced whenever WebAssembly memory grows.
    if (this.#heap.buffer !== this.#module.HEAPU8.buffer) this.#heap = new Int32Array(this.#module.HEAPU8.buffer);
    return this.#heap;
  }

  /** `fn.call(self, ...args)`, on pointers; the answer (value or thrown) is the caller's to free. */
  call(fn: number, self: number, args: readonly number[]): { value: number; error?: undefined } | { error: number; value?: undefined } {
    if (args.length > ARGV_SLOTS) {
      const [fnHandle, selfHandle, ...handles] = [fn, self, ...args].map((value) => this.handle(this.dup(value)));
      try {
        const result = this.#context.callFunction(fnHandle!, selfHandle!, ...handles);
        return result.error ? { error: this.#take(result.error) } : { value: this.#take(result.value) };
      } finally {
        for (const handle of [fnHandle!, selfHandle!, ...handles]) handle.dispose();
      }
    }
    const heap = this.#words();
    const base = this.#scratch >> 2;
    for (let i = 0; i < args.length; i++) heap[base + i] = args[i]!;
    // QTS_Call copies the argument values before it runs anything, so a nested call may reuse the array.
    const result = this.#ffi.QTS_Call(this.#ctx, fn, self, args.length, this.#scratch);
    const error = this.#ffi.QTS_ResolveException(this.#ctx, result);
    if (error) {
      this.#ffi.QTS_FreeValuePointer(this.#ctx, result);
      return { error };
    }
    return { value: result };
  }

  /** The pointer out of a handle the caller owned; the handle is spent. */
  #take(handle: QuickJSHandle): number {
    const pointer = this.#ffi.QTS_DupValuePointer(this.#ctx, handle.value as unknown as number);
    handle.dispose();
    return pointer;
  }

  /** A managed handle that owns `pointer`. */
  handle(pointer: number): QuickJSHandle {
    return this.#memory.heapValueHandle(pointer);
  }

  free(pointer: number): void {
    this.#ffi.QTS_FreeValuePointer(this.#ctx, pointer);
  }

  /** A new reference to the same value. */
  dup(pointer: number): number {
    return this.#ffi.QTS_DupValuePointer(this.#ctx, pointer);
  }

  /** Runs `use` with `name` as a C string: kept for the module (up to KEPT_NAMES of them), else temporary. */
  #withCString<T>(name: string, use: (cString: number) => T): T {
    let cString = this.#keys.get(name);
    if (cString !== undefined) return use(cString);
    const bytes = this.#module.lengthBytesUTF8(name) + 1;
    cString = this.#module._malloc(bytes);
    // Only when the memory guard refused the heap room to grow (the run fails for it): never write to 0.
    if (!cString) throw new RangeError('sandbox: out of memory');
    this.#module.stringToUTF8(name, cString, bytes);
    if (this.#keys.size < KEPT_NAMES) {
      this.#keys.set(name, cString);
      return use(cString);
    }
    try {
      return use(cString);
    } finally {
      this.#module._free(cString);
    }
  }

  #key(name: string): number {
    let value = this.#keyValues.get(name);
    if (value === undefined) {
      value = this.#withCString(name, (cString) => this.#ffi.QTS_NewString(this.#ctx, cString));
      this.#keyValues.set(name, value);
    }
    return value;
  }

  /** A guest string for `name`, alive until `releaseNames` (do not free it). */
  name(name: string): number {
    return this.#key(name);
  }

  get(self: number, key: string | number): number {
    return typeof key === 'number' ? this.#ffi.QTS_GetPropNumber(this.#ctx, self, key) : this.#ffi.QTS_GetProp(this.#ctx, self, this.#key(key));
  }

  /** `self[key] = value` (an assignment: the guest must not have run yet, or setters could). */
  set(self: number, key: string, value: number): void {
    this.#ffi.QTS_SetProp(this.#ctx, self, this.#key(key), value);
  }

  /** Object.defineProperty with `value` given; writable is left as it was (false for a new property). */
  define(self: number, key: string, value: number, options: { configurable?: boolean; enumerable?: boolean } = {}): void {
    this.#ffi.QTS_DefineProp(this.#ctx, self, this.#key(key), value, this.undefined, this.undefined, !!options.configurable, !!options.enumerable, true);
  }

  defineGetter(self: number, key: string, getter: number): void {
    this.#ffi.QTS_DefineProp(this.#ctx, self, this.#key(key), this.undefined, getter, this.undefined, false, false, false);
  }

  object(prototype?: number): number {
    return prototype === undefined ? this.#ffi.QTS_NewObject(this.#ctx) : this.#ffi.QTS_NewObjectProto(this.#ctx, prototype);
  }

  /** A native guest function backed by `fn`, like `context.newFunction`. */
  fn(name: string, fn: VmFunctionImplementation<QuickJSHandle>, isConstructor = false): number {
    const id = this.#hostRefs.put(fn);
    return this.#withCString(name, (cString) => this.#module._QTS_NewFunction(this.#ctx, cString, fn.length, isConstructor ? 1 : 0, id));
  }

  /** A guest promise and its resolving functions, like `context.newPromise()`. */
  promise(): { promise: number; resolve: number; reject: number } {
    const out = this.#scratch + ARGV_SLOTS * 4;
    const promise = this.#ffi.QTS_NewPromiseCapability(this.#ctx, out);
    const heap = this.#words();
    return { promise, resolve: heap[out >> 2]!, reject: heap[(out >> 2) + 1]! };
  }
}

const raws = new WeakMap<QuickJSContext, Raw>();

let rawAllowed = true;

/** For tests: runs made while this is false use quickjs-emscripten's public API only (the fallback path). */
export function allowRawAccess(allowed: boolean): void {
  rawAllowed = allowed;
}

/** Gives `context` raw access for the run, when this version of quickjs-emscripten allows it. */
export function attachRaw(context: QuickJSContext): Raw | null {
  const raw = rawAllowed ? Raw.for(context) : null;
  if (raw) raws.set(context, raw);
  return raw;
}

/** Ends raw access to `context` and frees what it kept: before the context is disposed. */
export function detachRaw(context: QuickJSContext): void {
  raws.get(context)?.dispose();
  raws.delete(context);
}

export function rawOf(context: QuickJSContext): Raw | undefined {
  return raws.get(context);
}

/** `context.callFunction`, through raw access when the context has it. */
export function guestCall(context: QuickJSContext, fn: QuickJSHandle, self: QuickJSHandle, ...args: QuickJSHandle[]): CallResult {
  const raw = raws.get(context);
  if (raw) {
    const result = raw.call(fn.value as unknown as number, self.value as unknown as number, args.map((arg) => arg.value as unknown as number));
    return result.error !== undefined ? { error: raw.handle(result.error) } : { value: raw.handle(result.value) };
  }
  const result = context.callFunction(fn, self, ...args);
  return result.error ? { error: result.error } : { value: result.value };
}
