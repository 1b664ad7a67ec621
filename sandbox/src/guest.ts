import fs from 'node:fs';
import type { DisposableResult, QuickJSContext, QuickJSHandle, QuickJSWASMModule, Scope, VmFunctionImplementation } from 'quickjs-emscripten';
import type { RunState } from './run-state.ts';
import { apiOps, type HostFunctionEnds, type Ops } from './ops.ts';
import { EvalFlag, evalIn, guestCall, rawOf } from './engine.ts';
import type { FunctionPrototypes } from './function-prototypes.ts';
import { strictReplacer, type StrictReplacer } from './strict-json.ts';
import { SCRIPT_INTRINSICS } from './intrinsics.ts';
import type { CallResult, Raw } from './raw.ts';

/** Guest source shipped beside this file, with its comment lines dropped (they would be parsed every run). */
export function guestSource(name: string): string {
  const text = fs.readFileSync(new URL(`./guest/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
}

/**
 * A function of each kind with a code-compiling constructor of its own (async, generator, async generator),
 * whose prototypes are where those constructors are reached from. Compiled into the guest only when the
 * prototypes cannot be read from the context directly (see function-prototypes.ts): QuickJS compiles afresh
 * in every context, at the cost of dozens of API steps for even a line. Being compiled anyway, the source
 * also deletes `eval`, for less than the API steps that otherwise do (see `build`).
 */
const EXAMPLES_SOURCE = 'delete globalThis.eval, [async () => {}, function* () {}, async function* () {}]';

/** What opening a guest needs to know of its build, the same for every context of it. */
export type GuestBuild = {
  /** Names a host function may not take (see `globalNames`). */
  globals: ReadonlySet<string>;
  /** Where contexts keep the function-kind prototypes, or null when unproven. */
  prototypes: FunctionPrototypes | null;
};

/** The file name the sandbox's own frames show in guest stack traces. */
export const SANDBOX_FILENAME = '<sandbox>';

const CODE_GENERATION_REFUSED = 'Code generation from strings is disabled in scripts.';

/**
 * Guest functions the host keeps for the whole run, all taken before the script could replace them: the
 * `strict` JSON replacer (strict-json.ts), and the built-ins the host calls into the guest with.
 */
export type GuestHelpers = {
  strict: QuickJSHandle;
  /** Runs a function with a byte budget (or none) for what `strict` serializes meanwhile (see strict-json.ts). */
  strictWithin: StrictReplacer['within'];
  parse: QuickJSHandle;
  stringify: QuickJSHandle;
  slice: QuickJSHandle;
  /** `Array.of`, called with `Array` as `this`: makes an array of handles without running any setter. */
  arrayOf: QuickJSHandle;
  array: QuickJSHandle;
  arrayPrototype: QuickJSHandle;
};

/** What entering the guest gave: a value, a thrown value, or nothing because the engine was damaged. */
export type Outcome = { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined } | null;

/** Enters the guest through `state.slice`; the handle it answers belongs to `scope`. */
export function enter(state: RunState, scope: Scope, fn: () => CallResult | DisposableResult<QuickJSHandle, QuickJSHandle>): Outcome {
  const result = state.slice(fn);
  if (!result) return null;
  if (result.error) return { error: scope.manage(result.error) };
  return { value: scope.manage(result.value) };
}

/** Calls a guest function with `this` undefined. */
export function call(context: QuickJSContext, state: RunState, scope: Scope, fn: QuickJSHandle, ...args: QuickJSHandle[]): Outcome {
  return enter(state, scope, () => guestCall(context, fn, context.undefined, ...args));
}

/** `JSON.stringify(value, strict)` with the captured built-ins; `value` must not be `undefined`. Enters the guest. */
export function strictJson(context: QuickJSContext, helpers: GuestHelpers, value: QuickJSHandle): CallResult {
  return guestCall(context, helpers.stringify, context.undefined, value, helpers.strict);
}

/** What the guest is given: its console (one function per level) and the granted host functions by name. */
export type GuestGrants = {
  /** Made when the script first reads `console`. */
  console: () => Readonly<Record<'log' | 'info' | 'warn' | 'error', VmFunctionImplementation<QuickJSHandle>>>;
  hostFunctions: ReadonlyMap<string, HostFunctionEnds>;
};

/**
 * Every name `name in globalThis` is true for in a fresh context of `module` (own and inherited), plus
 * `console`: what a host function may not be called. The same for every context of a build, so it is read
 * once, in a context of its own, instead of asking each run's guest.
 */
export function globalNames(module: QuickJSWASMModule): ReadonlySet<string> {
  const context = module.newContext({ intrinsics: SCRIPT_INTRINSICS });
  try {
    const code = 'const n = []; for (let o = globalThis; o; o = Object.getPrototypeOf(o)) n.push(...Object.getOwnPropertyNames(o)); JSON.stringify(n)';
    const names = context.unwrapResult(context.evalCode(code)).consume((handle) => JSON.parse(context.getString(handle)) as string[]);
    return new Set([...names, 'console']);
  } finally {
    context.dispose();
  }
}

/**
 * Prepares a fresh context for the script: through the API (raw.ts: quickjs-emscripten's internals when
 * they are as expected, its public API otherwise), makes the `strict` replacer, installs the
 * host functions as frozen functions in frozen namespaces and `console` (made on first read, frozen), each
 * locked onto `globalThis` by a getter, replaces every Function constructor with one that throws, and
 * deletes `eval`. Answers the helpers. A thrown outcome (out of memory under a tiny limit, say) is answered as is,
 * for the caller to classify; a name that would shadow a global of the guest (`globals`, see
 * `globalNames`) is the host's mistake and is answered as `{ shadows }`.
 */
export function openGuest(context: QuickJSContext, state: RunState, scope: Scope, grants: GuestGrants, build: GuestBuild): GuestHelpers | Outcome | { shadows: string } {
  for (const name of grants.hostFunctions.keys()) {
    const root = name.split('.', 1)[0]!;
    if (build.globals.has(root)) return { shadows: `host function ${root} would shadow the guest's global ${root}` };
  }
  const raw = rawOf(context);
  const prototypes = raw && build.prototypes ? functionPrototypesOf(raw, build.prototypes) : null;
  const examples = prototypes ? null : enter(state, scope, () => evalIn(context, EXAMPLES_SOURCE, SANDBOX_FILENAME, EvalFlag.GLOBAL | EvalFlag.STRICT));
  if (!prototypes && !examples?.value) return examples;
  const installed = state.slice(() => {
    if (raw) {
      try {
        return install(context, raw, scope, prototypes ?? { examples: raw.dup(examples!.value!.value as unknown as number) }, grants);
      } catch (error) {
        // raw.ts could not allocate: the memory guard refused, and `slice` reports that when this returns.
        if (error instanceof RangeError && error.message === 'sandbox: out of memory') return null;
        throw error;
      } finally {
        raw.releaseNames();
      }
    }
    const ops = apiOps(context);
    try {
      return install(context, ops, scope, { examples: examples!.value!.dup() }, grants);
    } finally {
      ops.dispose();
    }
  });
  // Undefined: the engine faulted; the memory guard may also have refused the heap room to grow.
  if (!installed || state.failure) return null;
  return installed;
}

/** Thrown inside `install` when the guest refused a step (out of memory, under a tiny limit): its exception. */
class Refused<V> {
  readonly error: V;
  constructor(error: V) {
    this.error = error;
  }
}

/**
 * The prototypes whose `constructor` must refuse: read from the context (borrowed pointers), or to be taken
 * from the compiled examples (EXAMPLES_SOURCE's array, owned: freed by `install`).
 */
type FunctionKindPrototypes<V> = V[] | { examples: V };

/** The three prototypes in `raw`'s context, as pointers into its array of built-in prototypes (not owned). */
function functionPrototypesOf(raw: Raw, layout: FunctionPrototypes): number[] {
  return layout.entries.map((entry) => raw.contextArrayEntry(layout.classProtoOffset, entry));
}

/**
 * The work of `openGuest` on `ops` values. Every value made here is freed before it returns (the guest keeps
 * what it references), except the helpers, which become handles of `scope`.
 */
function install<V>(context: QuickJSContext, ops: Ops<V>, scope: Scope, prototypes: FunctionKindPrototypes<V>, grants: GuestGrants): GuestHelpers | Outcome {
  const owned: V[] = Array.isArray(prototypes) ? [] : [prototypes.examples];
  const own = (value: V) => (owned.push(value), value);
  try {
    return build(context, ops, scope, prototypes, grants, own);
  } catch (error) {
    if (error instanceof Refused) return { error: scope.manage(ops.handle(error.error as V)) };
    throw error;
  } finally {
    for (const value of owned) ops.free(value);
  }
}

function build<V>(context: QuickJSContext, ops: Ops<V>, scope: Scope, prototypes: FunctionKindPrototypes<V>, grants: GuestGrants, own: (value: V) => V): GuestHelpers {
  const global = ops.global;
  const get = (self: V, key: string | number) => own(ops.get(self, key));
  const invoke = (fn: V, self: V, ...args: V[]): V => {
    const result = ops.call(fn, self, args);
    if (result.value === undefined) throw new Refused(result.error);
    return own(result.value);
  };
  // Values the host keeps for the run: `value` stays usable as a V while the handle is alive.
  const keep = (value: V): [V, QuickJSHandle] => [value, scope.manage(ops.handle(value))];

  const objectCtor = get(global, 'Object');
  const json = get(global, 'JSON');
  const functionPrototype = get(get(global, 'Function'), 'prototype');
  const [array, arrayHandle] = keep(ops.get(global, 'Array'));
  const [arrayOf, arrayOfHandle] = keep(ops.get(array, 'of'));
  const [arrayPrototype, arrayPrototypeHandle] = keep(ops.get(array, 'prototype'));
  // The guest's own errors, made by its own constructors (captured now), thrown from host functions.
  const thrower = (ctor: QuickJSHandle, message: string) => {
    using text = context.newString(message);
    const made = guestCall(context, ctor, context.undefined, text);
    return { error: made.error ?? made.value };
  };
  const [, typeError] = keep(ops.get(global, 'TypeError'));
  const [, isArray] = keep(ops.get(array, 'isArray'));
  const replacer = strictReplacer(context, typeError, isArray);
  const helpers: GuestHelpers = {
    strict: keep(ops.hostFunction('strict', replacer.ends))[1],
    strictWithin: replacer.within,
    parse: keep(ops.get(json, 'parse'))[1],
    stringify: keep(ops.get(json, 'stringify'))[1],
    slice: keep(ops.get(get(get(global, 'String'), 'prototype'), 'slice'))[1],
    arrayOf: arrayOfHandle,
    array: arrayHandle,
    arrayPrototype: arrayPrototypeHandle,
  };

  // Everything made here is frozen at the end, in one call: [].forEach.call(all, Object.freeze).
  const frozen: V[] = [];
  const make = (value: V) => (frozen.push(value), own(value));
  // Each name is locked onto globalThis by a getter, not as a read-only value: QuickJS lets
  // Object.defineProperty change the value of a non-configurable data property of the global object, but
  // not replace a non-configurable accessor. The getter is `Object.prototype.valueOf` bound to the value:
  // native, so reading it never leaves the guest.
  const valueOf = get(get(objectCtor, 'prototype'), 'valueOf');
  const bind = get(functionPrototype, 'bind');
  const lock = (name: string, value: V) => ops.defineGetter(global, name, invoke(bind, valueOf, value));

  // `console` is made when the script first reads it: most scripts never log, and it is five objects to
  // make and freeze. Its getter is then a host function, so each read of `console` leaves the guest.
  const [freezeValue, freeze] = keep(ops.get(objectCtor, 'freeze'));
  let consoleObject: QuickJSHandle | undefined;
  const makeConsole = (): QuickJSHandle => {
    const made = scope.manage(context.newObject());
    const frozen = (handle: QuickJSHandle) => {
      const result = guestCall(context, freeze, context.undefined, handle);
      if (result.error) throw result.error;
      result.value.dispose();
    };
    for (const [level, fn] of Object.entries(grants.console())) {
      using method = context.newFunction(level, fn);
      frozen(method);
      context.setProp(made, level, method);
    }
    frozen(made);
    return made;
  };
  ops.defineGetter(global, 'console', own(ops.fn('console', () => (consoleObject ??= makeConsole()).dup())));

  // Host functions: 'records.get' becomes records.get.
  type Namespace = Map<string, Namespace | HostFunctionEnds>;
  const roots: Namespace = new Map();
  for (const [name, fn] of grants.hostFunctions) {
    const path = name.split('.');
    const last = path.pop()!;
    let node = roots;
    for (const part of path) {
      let child = node.get(part);
      if (!(child instanceof Map)) node.set(part, (child = new Map()));
      node = child;
    }
    node.set(last, fn);
  }
  const namespace = (name: string, node: Namespace | HostFunctionEnds): V => {
    if (!(node instanceof Map)) return make(ops.hostFunction(name, node));
    const object = make(ops.object());
    for (const [key, child] of node) ops.set(object, key, namespace(key, child));
    return object;
  };
  for (const [name, node] of roots) lock(name, namespace(name, node));

  invoke(get(arrayPrototype, 'forEach'), invoke(arrayOf, array, ...frozen), freezeValue);

  // Scripts are static code: no eval and no Function constructor of any kind. Not a wall (the guest could
  // only reach itself), but what runs stays what was written. `refuse` throws the guest's own EvalError
  // whether called or constructed; its `prototype` keeps `instanceof Function` working.
  const [, evalError] = keep(ops.get(global, 'EvalError'));
  const refuse = own(ops.fn('Function', () => thrower(evalError, CODE_GENERATION_REFUSED), true));
  ops.define(refuse, 'prototype', functionPrototype);
  ops.define(functionPrototype, 'constructor', refuse);
  if (Array.isArray(prototypes)) {
    for (const prototype of prototypes) ops.define(prototype, 'constructor', refuse);
  } else {
    const getPrototypeOf = get(objectCtor, 'getPrototypeOf');
    for (let i = 0; i < 3; i++) ops.define(invoke(getPrototypeOf, ops.undefined, get(prototypes.examples, i)), 'constructor', refuse);
  }
  ops.define(global, 'Function', refuse, { configurable: true });
  // The examples' source deletes `eval` itself.
  if (Array.isArray(prototypes)) invoke(get(get(global, 'Reflect'), 'deleteProperty'), ops.undefined, global, ops.name('eval'));
  return helpers;
}

export function isHelpers(opened: GuestHelpers | Outcome | { shadows: string }): opened is GuestHelpers {
  return opened !== null && 'strict' in opened;
}

/**
 * A guest string as a host string of at most `maxChars`: the cut is made inside the guest, so a huge string
 * is never copied out. Enters the guest (String.prototype.slice, captured): call it inside a slice.
 */
export function clippedString(context: QuickJSContext, helpers: GuestHelpers, handle: QuickJSHandle, maxChars: number): string {
  using length = context.getProp(handle, 'length');
  if (context.getNumber(length) <= maxChars) return context.getString(handle);
  using start = context.newNumber(0);
  using end = context.newNumber(maxChars);
  const cut = guestCall(context, helpers.slice, handle, start, end);
  if (cut.error) {
    cut.error.dispose();
    return '';
  }
  return cut.value.consume(context.getString);
}

/** A property of a guest object when it is a string, clipped; undefined otherwise (a getter that throws too). */
export function stringProp(context: QuickJSContext, helpers: GuestHelpers, handle: QuickJSHandle, key: string, maxChars: number): string | undefined {
  using value = context.getProp(handle, key);
  return context.typeof(value) === 'string' ? clippedString(context, helpers, value, maxChars) : undefined;
}
