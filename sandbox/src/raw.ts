import type { QuickJSContext, QuickJSHandle, VmFunctionImplementation } from 'quickjs-emscripten';
import type { HostFunctionEnds, Ops } from './ops.ts';
import { hostCallDispatcher } from './raw-dispatch.ts';
import { RawNames } from './raw-names.ts';
import {
  ARGV_SLOTS,
  FIRST_TAG,
  JOB_CONTEXT_SLOT,
  moduleUsable,
  PLAIN_CLASSES,
  RESOLVERS_SLOT,
  shared,
  Tag,
  TEXT_BYTES,
  TYPE_OF_TAG,
  type EmscriptenModule,
  type Ffi,
  type Internals,
  type Shared,
} from './raw-module.ts';

export { Tag } from './raw-module.ts';

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

/**
 * Where the guest strings of property names can outlive a run: a kept runtime's (kept-runtime.ts), whose
 * `keep` makes each one and counts what it took.
 */
export type NameStore = { readonly names: Map<string, number>; keep(make: () => number): number };

/** See `Raw.rawFn`. */
export type RawImplementation = (argc: number, argv: number, self: number) => number;

export class Raw implements Ops<number> {
  readonly #context: QuickJSContext;
  readonly #ffi: Ffi;
  readonly #ctx: number;
  readonly #rt: number;
  readonly #memory: Internals['memory'];
  readonly #module: EmscriptenModule;
  readonly #hostRefs: Internals['runtime']['hostRefs'];
  readonly #shared: Shared;
  readonly #names: RawNames;
  /** The raw functions of this context, by host reference id (quickjs-emscripten's map holds them too). */
  readonly #rawFunctions = new Map<number, RawImplementation>();
  /** ARGV_SLOTS pointers, then the out-parameters (see SCRATCH_BYTES). */
  readonly #scratch: number;
  readonly undefined: number;
  readonly null: number;
  readonly global: number;

  private constructor(context: QuickJSContext, internals: Internals, moduleShared: Shared, keptNames: NameStore | null) {
    this.#context = context;
    this.#ffi = internals.ffi;
    this.#ctx = internals.ctx.value;
    this.#rt = internals.rt.value;
    this.#memory = internals.memory;
    this.#module = internals.module;
    this.#hostRefs = internals.runtime.hostRefs;
    this.#shared = moduleShared;
    this.#names = new RawNames(this.#ffi, this.#ctx, this.#module, moduleShared.keys, keptNames);
    this.#scratch = moduleShared.scratch;
    // Pointers to static values of the module, the same for every context.
    this.undefined = moduleShared.undefined ??= this.#ffi.QTS_GetUndefined();
    this.null = moduleShared.null ??= this.#ffi.QTS_GetNull();
    this.global = this.#ffi.QTS_GetGlobalObject(this.#ctx);
  }

  /** Raw access to `context`, or null when quickjs-emscripten's internals are not what this code expects. */
  static for(context: QuickJSContext, keptNames: NameStore | null = null): Raw | null {
    const internals = context as unknown as Partial<Internals>;
    const { ctx, memory, module, runtime } = internals;
    const usable =
      typeof ctx?.value === 'number' &&
      typeof internals.rt?.value === 'number' &&
      typeof memory?.heapValueHandle === 'function' &&
      typeof memory.copyJSValue === 'function' &&
      typeof memory.freeJSValue === 'function' &&
      typeof runtime?.hostRefs?.put === 'function' &&
      typeof runtime.hostRefs.get === 'function' &&
      typeof internals.cToHostCallbacks?.callFunction === 'function' &&
      module !== undefined &&
      moduleUsable(internals);
    if (!usable) return null;
    const moduleShared = shared.get(module)!;
    const raw = new Raw(context, internals as Internals, moduleShared, keptNames);
    if (moduleShared.usable === undefined) {
      moduleShared.usable = raw.#tagsAsExpected();
      moduleShared.classIds = moduleShared.usable && raw.#classIdsAsExpected();
    }
    if (!moduleShared.usable) {
      raw.dispose();
      return null;
    }
    const dispatch = hostCallDispatcher(context, internals as Internals, raw.#rawFunctions);
    internals.cToHostCallbacks!.callFunction = dispatch;
    moduleShared.dispatchers.set(raw.#ctx, dispatch);
    return raw;
  }

  /** Frees the guest strings made for property names for this run (they are made again if needed). */
  releaseNames(): void {
    this.#names.release();
  }

  /** Frees what the run kept: call it before the context is disposed. */
  dispose(): void {
    this.releaseNames();
    this.#shared.dispatchers.delete(this.#ctx);
    this.#ffi.QTS_FreeValuePointer(this.#ctx, this.global);
  }

  #words(): Int32Array {
    const moduleShared = this.#shared;
    // The heap's buffer is replaced whenever WebAssembly memory grows.
    if (moduleShared.heap.buffer !== this.#module.HEAPU8.buffer) moduleShared.heap = new Int32Array(this.#module.HEAPU8.buffer);
    return moduleShared.heap;
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
    return this.#resolve(this.#ffi.QTS_Call(this.#ctx, fn, self, args.length, this.#scratch));
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

  /** The value's tag (see `Tag`); every double answers FLOAT64. */
  tag(pointer: number): number {
    const tag = this.#words()[(pointer >> 2) + 1]!;
    return tag >= FIRST_TAG && tag < Tag.FLOAT64 ? tag : Tag.FLOAT64;
  }

  /** `typeof` of the value, as QuickJS answers it (through QTS_Typeof only for objects: a function or not). */
  typeOf(pointer: number): string {
    const known = TYPE_OF_TAG[this.tag(pointer)];
    if (known) return known;
    const cString = this.#ffi.QTS_Typeof(this.#ctx, pointer);
    try {
      return this.#module.UTF8ToString(cString);
    } finally {
      this.#module._free(cString);
    }
  }

  /**
   * A pointer to entry `index` (a JSValue) of an array of JSValues that the context's `JSContext` points to at
   * byte `offset` (see function-prototypes.ts). Borrowed: valid while the context lives, never to be freed.
   */
  contextArrayEntry(offset: number, index: number): number {
    return this.#words()[(this.#ctx + offset) >> 2]! + index * 8;
  }

  /** Whether `typeof` the value is 'function'. */
  isFunction(pointer: number): boolean {
    if (this.tag(pointer) !== Tag.OBJECT) return false;
    // Plain objects and arrays, what JSON mostly meets, are told by their class without asking QuickJS.
    if (this.#shared.classIds && PLAIN_CLASSES.includes(this.#classId(pointer))) return false;
    const cString = this.#ffi.QTS_Typeof(this.#ctx, pointer);
    try {
      // 'function' is the only answer that starts with an f.
      return this.#module.HEAPU8[cString] === 0x66;
    } finally {
      this.#module._free(cString);
    }
  }

  /** An object's class (JSObject.class_id, the 16 bits at byte 6 of the object; checked by `#classIdsAsExpected`). */
  #classId(pointer: number): number {
    const object = this.#words()[pointer >> 2]!;
    return this.#module.HEAPU8[object + 6]! | (this.#module.HEAPU8[object + 7]! << 8);
  }

  /** Whether `#classId` reads a new object's class as JS_CLASS_OBJECT and a new array's as JS_CLASS_ARRAY. */
  #classIdsAsExpected(): boolean {
    const object = this.#ffi.QTS_NewObject(this.#ctx);
    const array = this.#ffi.QTS_NewArray(this.#ctx);
    try {
      return this.#classId(object) === PLAIN_CLASSES[0] && this.#classId(array) === PLAIN_CLASSES[1];
    } finally {
      this.free(object);
      this.free(array);
    }
  }

  /** The layout `tag` reads, checked on values whose tags are known. */
  #tagsAsExpected(): boolean {
    const probe = (make: () => number, tag: number) => {
      const value = make();
      if (!value) return false;
      try {
        return this.tag(value) === tag;
      } finally {
        this.free(value);
      }
    };
    return (
      this.tag(this.undefined) === Tag.UNDEFINED &&
      this.tag(this.null) === Tag.NULL &&
      this.tag(this.global) === Tag.OBJECT &&
      probe(() => this.#ffi.QTS_NewFloat64(this.#ctx, 0.5), Tag.FLOAT64) &&
      probe(() => this.#names.withCString('x', (cString) => this.#ffi.QTS_NewString(this.#ctx, cString)), Tag.STRING)
    );
  }

  /** A number (INT or FLOAT64) as a double. */
  number(pointer: number): number {
    return this.#ffi.QTS_GetFloat64(this.#ctx, pointer);
  }

  /** A guest string as a host string (a lone surrogate comes out as U+FFFD). */
  string(pointer: number): string {
    const cString = this.#ffi.QTS_GetString(this.#ctx, pointer);
    if (!cString) throw new RangeError('sandbox: out of memory');
    try {
      return this.#module.UTF8ToString(cString);
    } finally {
      this.#ffi.QTS_FreeCString(this.#ctx, cString);
    }
  }

  /** A new guest string (owned). */
  newString(text: string): number {
    const module = this.#module;
    // Most strings the host makes (JSON of a host call's answer, of the input) fit the module's text buffer.
    if (text.length <= TEXT_BYTES / 3 && this.#shared.text) {
      module.stringToUTF8(text, this.#shared.text, TEXT_BYTES);
      return this.#ffi.QTS_NewString(this.#ctx, this.#shared.text);
    }
    return this.#names.withCString(text, (cString) => this.#ffi.QTS_NewString(this.#ctx, cString), false);
  }

  /** Evaluates `code` (QTS_Eval with `flags`, see quickjs.h JS_EVAL_*); the answer is the caller's to free. */
  eval(code: string, filename: string, flags: number): { value: number; error?: undefined } | { error: number; value?: undefined } {
    const module = this.#module;
    const codeBytes = module.lengthBytesUTF8(code);
    const nameBytes = module.lengthBytesUTF8(filename) + 1;
    // One allocation for both strings; it is made inside the run's heap, so the memory guard may refuse it.
    const buffer = module._malloc(codeBytes + 1 + nameBytes);
    if (!buffer) throw new RangeError('sandbox: out of memory');
    try {
      module.stringToUTF8(code, buffer, codeBytes + 1);
      module.stringToUTF8(filename, buffer + codeBytes + 1, nameBytes);
      return this.#resolve(module._QTS_Eval(this.#ctx, buffer, codeBytes, buffer + codeBytes + 1, 0, flags));
    } finally {
      module._free(buffer);
    }
  }

  /** The outcome of a QTS_* call answering a value or the exception marker. */
  #resolve(result: number): { value: number; error?: undefined } | { error: number; value?: undefined } {
    // Only the exception marker needs QuickJS to fetch the exception.
    if (this.tag(result) !== Tag.EXCEPTION) return { value: result };
    const error = this.#ffi.QTS_ResolveException(this.#ctx, result);
    if (!error) return { value: result };
    this.#ffi.QTS_FreeValuePointer(this.#ctx, result);
    return { error };
  }

  /** QuickJS's report of the runtime's memory, made in this context (owned). */
  memoryUsage(): number {
    return this.#ffi.QTS_RuntimeComputeMemoryUsage(this.#rt, this.#ctx);
  }

  hasPendingJob(): boolean {
    return this.#ffi.QTS_IsJobPending(this.#rt) !== 0;
  }

  /** Runs the pending promise jobs until none is left or one throws: null, or what it threw (owned). */
  executePendingJobs(): number | null {
    const out = this.#scratch + JOB_CONTEXT_SLOT * 4;
    this.#words()[out >> 2] = 0;
    const result = this.#ffi.QTS_ExecutePendingJob(this.#rt, -1, out);
    if (this.#words()[out >> 2] === 0) {
      this.#ffi.QTS_FreeValuePointerRuntime(this.#rt, result);
      return null;
    }
    // The count of jobs run is a number; anything else is what the failing job threw (as quickjs-emscripten reads it).
    const tag = this.tag(result);
    if (tag === Tag.INT || tag === Tag.FLOAT64) {
      this.free(result);
      return null;
    }
    return result;
  }

  /** -1 for a value that is not a promise, else 0 pending, 1 fulfilled, 2 rejected (JSPromiseStateEnum). */
  promiseState(pointer: number): number {
    return this.#ffi.QTS_PromiseState(this.#ctx, pointer);
  }

  /** A settled promise's value or reason (owned). */
  promiseResult(pointer: number): number {
    return this.#ffi.QTS_PromiseResult(this.#ctx, pointer);
  }

  /** A guest string for `name`, alive at least until `releaseNames` (do not free it). */
  name(name: string): number {
    return this.#names.key(name);
  }

  get(self: number, key: string | number): number {
    return typeof key === 'number' ? this.#ffi.QTS_GetPropNumber(this.#ctx, self, key) : this.#ffi.QTS_GetProp(this.#ctx, self, this.#names.key(key));
  }

  /** `self[key]`, with what a getter or a proxy on the way threw as `error`; either answer is owned. */
  tryGet(self: number, key: string): { value: number; error?: undefined } | { error: number; value?: undefined } {
    return this.#resolve(this.#ffi.QTS_GetProp(this.#ctx, self, this.#names.key(key)));
  }

  /** `self[key] = value` (an assignment: the guest must not have run yet, or setters could). */
  set(self: number, key: string, value: number): void {
    this.#ffi.QTS_SetProp(this.#ctx, self, this.#names.key(key), value);
  }

  /** Object.defineProperty with `value` given; writable is left as it was (false for a new property). */
  define(self: number, key: string, value: number, options: { configurable?: boolean; enumerable?: boolean } = {}): void {
    this.#ffi.QTS_DefineProp(this.#ctx, self, this.#names.key(key), value, this.undefined, this.undefined, !!options.configurable, !!options.enumerable, true);
  }

  defineGetter(self: number, key: string, getter: number): void {
    this.#ffi.QTS_DefineProp(this.#ctx, self, this.#names.key(key), this.undefined, getter, this.undefined, false, false, false);
  }

  object(prototype?: number): number {
    return prototype === undefined ? this.#ffi.QTS_NewObject(this.#ctx) : this.#ffi.QTS_NewObjectProto(this.#ctx, prototype);
  }

  /** A native guest function backed by `fn`, like `context.newFunction`. */
  fn(name: string, fn: VmFunctionImplementation<QuickJSHandle>, isConstructor = false): number {
    const id = this.#hostRefs.put(fn);
    return this.#names.withCString(name, (cString) => this.#module._QTS_NewFunction(this.#ctx, cString, fn.length, isConstructor ? 1 : 0, id));
  }

  hostFunction(name: string, ends: HostFunctionEnds): number {
    return this.rawFn(name, ends.raw);
  }

  /**
   * A native guest function whose calls reach `fn` with the argument count and array (read them with `arg`)
   * and `this`, without a handle per argument. `fn` answers an owned value, which the guest gets, or `throw(…)`'s
   * answer; a host exception it throws reaches the guest as an Error.
   */
  rawFn(name: string, fn: RawImplementation): number {
    const id = this.#hostRefs.put(fn);
    // The context's functions live as long as it does, so their ids are not reused while it lives.
    this.#rawFunctions.set(id, fn);
    return this.#names.withCString(name, (cString) => this.#module._QTS_NewFunction(this.#ctx, cString, 0, 0, id));
  }

  /** Argument `index` of a raw function's call (a pointer valid during the call; not owned). */
  arg(argv: number, index: number): number {
    // A JSValue takes 8 bytes (the NaN-boxed layout `tag` relies on).
    return argv + index * 8;
  }

  /** What a raw function answers to throw `error` (owned; spent here) in the guest. */
  throw(error: number): number {
    const marker = this.#ffi.QTS_Throw(this.#ctx, error);
    this.free(error);
    return marker;
  }

  /** A guest promise and its resolving functions, like `context.newPromise()`. */
  promise(): { promise: number; resolve: number; reject: number } {
    const out = this.#scratch + RESOLVERS_SLOT * 4;
    const promise = this.#ffi.QTS_NewPromiseCapability(this.#ctx, out);
    const heap = this.#words();
    return { promise, resolve: heap[out >> 2]!, reject: heap[(out >> 2) + 1]! };
  }
}
