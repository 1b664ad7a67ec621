import type { QuickJSHandle } from 'quickjs-emscripten';

/**
 * What raw access (raw.ts) knows of a compiled QuickJS module: the members of quickjs-emscripten 0.32 it
 * reaches into, the value layout it relies on, and what it keeps per WebAssembly module.
 */

export type Ffi = {
  QTS_Call(ctx: number, fn: number, self: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_DupValuePointer(ctx: number, value: number): number;
  QTS_NewString(ctx: number, cString: number): number;
  QTS_NewObject(ctx: number): number;
  QTS_NewArray(ctx: number): number;
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
  QTS_GetFloat64(ctx: number, value: number): number;
  QTS_NewFloat64(ctx: number, value: number): number;
  QTS_GetString(ctx: number, value: number): number;
  QTS_FreeCString(ctx: number, cString: number): void;
  QTS_IsJobPending(rt: number): number;
  QTS_RuntimeComputeMemoryUsage(rt: number, ctx: number): number;
  QTS_ExecutePendingJob(rt: number, maxJobs: number, lastContextOut: number): number;
  QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  QTS_PromiseState(ctx: number, promise: number): number;
  QTS_PromiseResult(ctx: number, promise: number): number;
  /** A strdup'ed C string (free it with the module's `_free`). */
  QTS_Typeof(ctx: number, value: number): number;
};

export type EmscriptenModule = {
  HEAPU8: Uint8Array;
  /** QTS_NewFunction itself, taking the name as a C string (the ffi's wrapper converts a JS string per call). */
  _QTS_NewFunction(ctx: number, name: number, length: number, isConstructor: number, hostRef: number): number;
  /** QTS_Eval itself, taking the file name as a C string (the ffi's wrapper converts a JS string per call). */
  _QTS_Eval(ctx: number, code: number, codeBytes: number, filename: number, detectModule: number, flags: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, maxBytes: number): void;
  UTF8ToString(pointer: number): string;
  /**
   * Where the compiled module calls the host (quickjs-emscripten's module-wide dispatcher): each call goes
   * through an asyncify check, a closure and a context lookup before it reaches the context's own.
   */
  callbacks?: { callFunction(asyncify: unknown, ctx: number, self: number, argc: number, argv: number, id: number): number };
};

/** A context's host-call dispatcher (see raw-dispatch.ts). */
export type Dispatch = (ctx: number, self: number, argc: number, argv: number, id: number) => number;

export type Internals = {
  ffi: Ffi;
  ctx: { value: number };
  rt: { value: number };
  memory: { heapValueHandle(pointer: number): QuickJSHandle; copyJSValue(pointer: number): number; freeJSValue(pointer: number): void };
  module: EmscriptenModule;
  runtime: { hostRefs: { put(value: object): number; get(id: number): object; delete(id: number): void } };
  /** Where quickjs-emscripten dispatches the guest's calls of host functions made in this context. */
  cToHostCallbacks: { callFunction(ctx: number, self: number, argc: number, argv: number, id: number): number };
};

/** Call arguments fit in one array kept for the run; longer calls take the ordinary path. */
export const ARGV_SLOTS = 64;
/** Scratch words after the arguments: two for QTS_NewPromiseCapability's resolvers, one for a job's context. */
export const RESOLVERS_SLOT = ARGV_SLOTS;
export const JOB_CONTEXT_SLOT = ARGV_SLOTS + 2;
export const SCRATCH_BYTES = (ARGV_SLOTS + 3) * 4;
/** A buffer for the UTF-8 of short strings made into guest strings (a UTF-16 unit takes at most 3 bytes). */
export const TEXT_BYTES = 4096;

/**
 * The tag of a JSValue (quickjs.h). On wasm32 QuickJS NaN-boxes values: 8 bytes, the payload in the low
 * word and the tag in the high word, where any word outside FIRST..SHORT_BIG_INT is part of a double.
 * `Raw.for` checks this layout on values of its own before relying on it.
 */
export const Tag = { BIG_INT: -9, SYMBOL: -8, STRING: -7, STRING_ROPE: -6, OBJECT: -1, INT: 0, BOOL: 1, NULL: 2, UNDEFINED: 3, EXCEPTION: 6, SHORT_BIG_INT: 7, FLOAT64: 8 } as const;
export const FIRST_TAG = Tag.BIG_INT;
/** `typeof` by tag, for every tag but an object's (a function or not) and the engine's internal ones. */
export const TYPE_OF_TAG: Readonly<Record<number, string>> = {
  [Tag.INT]: 'number',
  [Tag.FLOAT64]: 'number',
  [Tag.STRING]: 'string',
  [Tag.STRING_ROPE]: 'string',
  [Tag.BOOL]: 'boolean',
  [Tag.UNDEFINED]: 'undefined',
  [Tag.NULL]: 'object',
  [Tag.SYMBOL]: 'symbol',
  [Tag.BIG_INT]: 'bigint',
  [Tag.SHORT_BIG_INT]: 'bigint',
};
/** JS_CLASS_OBJECT and JS_CLASS_ARRAY (quickjs.c): never callable. */
export const PLAIN_CLASSES = [1, 2];

/** How many names raw access keeps (see raw-names.ts). */
export const KEPT_NAMES = 4096;

/**
 * What raw access keeps per WebAssembly module across its runs (a module serves one run at a time): the
 * kept names, the scratch words (allocated by the first run, before the memory guard applies, and kept for
 * the module's life), the heap view, and whether the module passed the checks of `Raw.for`.
 */
export type Shared = {
  keys: Map<string, number>;
  scratch: number;
  text: number;
  heap: Int32Array;
  usable: boolean | undefined;
  /** Whether objects' classes can be read from memory (see `Raw.isFunction`). */
  classIds: boolean;
  undefined?: number;
  null?: number;
  dispatchers: Map<number, Dispatch>;
};
export const shared = new WeakMap<EmscriptenModule, Shared>();

/** The module-wide members raw access needs, checked once per module; makes the module's `Shared`. */
export function moduleUsable(internals: Partial<Internals>): boolean {
  const { ffi, module } = internals;
  if (!module) return false;
  const known = shared.get(module);
  if (known) return known.usable !== false;
  const usable =
    ffi !== undefined &&
    FFI_NAMES.every((name) => typeof ffi[name] === 'function') &&
    module.HEAPU8 instanceof Uint8Array &&
    typeof module._malloc === 'function' &&
    typeof module._free === 'function' &&
    typeof module._QTS_NewFunction === 'function' &&
    typeof module._QTS_Eval === 'function' &&
    typeof module.lengthBytesUTF8 === 'function' &&
    typeof module.stringToUTF8 === 'function' &&
    typeof module.UTF8ToString === 'function';
  const scratch = usable ? module._malloc(SCRATCH_BYTES) : 0;
  const text = scratch ? module._malloc(TEXT_BYTES) : 0;
  const heap = usable ? new Int32Array(module.HEAPU8.buffer) : new Int32Array(0);
  const dispatchers = new Map<number, Dispatch>();
  shared.set(module, { keys: new Map(), scratch, text, heap, usable: usable && scratch !== 0 ? undefined : false, classIds: false, dispatchers });
  if (usable) shortcutHostCalls(module, dispatchers);
  return usable && scratch !== 0;
}

/**
 * Sends the guest's host calls of contexts with raw access straight to their dispatcher, past
 * quickjs-emscripten's module-wide one (kept for every other context, and for asyncify builds), whose
 * layers cost as much as the rest of a crossing. Like it, a host exception that escapes the dispatcher is
 * logged and answered as `undefined`, never thrown into the engine.
 */
function shortcutHostCalls(module: EmscriptenModule, dispatchers: Map<number, Dispatch>): void {
  const callbacks = module.callbacks;
  if (typeof callbacks?.callFunction !== 'function') return;
  const fallback = callbacks.callFunction;
  callbacks.callFunction = (asyncify, ctx, self, argc, argv, id) => {
    const dispatch = asyncify ? undefined : dispatchers.get(ctx);
    if (!dispatch) return fallback(asyncify, ctx, self, argc, argv, id);
    try {
      return dispatch(ctx, self, argc, argv, id);
    } catch (error) {
      console.error('[C to host error: returning null]', error);
      return 0;
    }
  };
}

const FFI_NAMES: (keyof Ffi)[] = [
  'QTS_Call', 'QTS_ResolveException', 'QTS_FreeValuePointer', 'QTS_DupValuePointer', 'QTS_NewString', 'QTS_NewObject', 'QTS_NewArray', 'QTS_GetProp', 'QTS_GetPropNumber', 'QTS_SetProp', 'QTS_DefineProp',
  'QTS_NewPromiseCapability', 'QTS_GetUndefined', 'QTS_GetGlobalObject', 'QTS_NewObjectProto', 'QTS_GetNull', 'QTS_Throw', 'QTS_ArgvGetJSValueConstPointer', 'QTS_GetFloat64', 'QTS_NewFloat64',
  'QTS_GetString', 'QTS_FreeCString', 'QTS_IsJobPending', 'QTS_ExecutePendingJob', 'QTS_FreeValuePointerRuntime', 'QTS_PromiseState', 'QTS_PromiseResult', 'QTS_Typeof', 'QTS_RuntimeComputeMemoryUsage',
];
