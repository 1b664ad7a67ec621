import type { QuickJSContext, QuickJSHandle, VmFunctionImplementation } from 'quickjs-emscripten';
import type { RawImplementation } from './raw.ts';

/** The host side of a granted function, once on handles (public API) and once on raw pointers (raw.ts). */
export type HostFunctionEnds = { api: VmFunctionImplementation<QuickJSHandle>; raw: RawImplementation };

/**
 * What building the guest's globals needs, on values of type V: raw pointers (`Raw`) or, when raw access is
 * not available, quickjs-emscripten handles (`apiOps`). Values answered are owned by the caller (free them,
 * or turn them into a managed handle with `handle`), except `undefined`, `global` and `name(…)`.
 */
export interface Ops<V> {
  readonly undefined: V;
  readonly null: V;
  readonly global: V;
  get(self: V, key: string | number): V;
  set(self: V, key: string, value: V): void;
  define(self: V, key: string, value: V, options?: { configurable?: boolean; enumerable?: boolean }): void;
  /** A new non-configurable, non-enumerable accessor property with only a getter. */
  defineGetter(self: V, key: string, getter: V): void;
  /** A new object: a plain one, or one with `prototype` (`null` for none). */
  object(prototype?: V): V;
  fn(name: string, fn: VmFunctionImplementation<QuickJSHandle>, isConstructor?: boolean): V;
  /** A granted host function: each kind of ops calls the end written for it. */
  hostFunction(name: string, ends: HostFunctionEnds): V;
  /** A guest string, alive as long as the ops are. */
  name(text: string): V;
  call(fn: V, self: V, args: readonly V[]): { value: V; error?: undefined } | { error: V; value?: undefined };
  free(value: V): void;
  handle(value: V): QuickJSHandle;
}

/** `Ops` through quickjs-emscripten's public API. */
export function apiOps(context: QuickJSContext): Ops<QuickJSHandle> & { dispose(): void } {
  const names = new Map<string, QuickJSHandle>();
  return {
    undefined: context.undefined,
    null: context.null,
    global: context.global,
    get: (self, key) => context.getProp(self, key),
    set: (self, key, value) => context.setProp(self, key, value),
    define: (self, key, value, options = {}) => context.defineProp(self, key, { value, configurable: !!options.configurable, enumerable: !!options.enumerable }),
    defineGetter(self, key, getter) {
      // The public API only defines host getters: go through the guest's Object.defineProperty instead.
      using objectCtor = context.getProp(context.global, 'Object');
      using defineProperty = context.getProp(objectCtor, 'defineProperty');
      using descriptor = context.newObject();
      using name = context.newString(key);
      context.setProp(descriptor, 'get', getter);
      context.callFunction(defineProperty, context.undefined, self, name, descriptor).dispose();
    },
    object: (prototype) => context.newObject(prototype),
    fn: (name, fn, isConstructor = false) => (isConstructor ? context.newConstructorFunction(name, fn) : context.newFunction(name, fn)),
    hostFunction: (name, ends) => context.newFunction(name, ends.api),
    name(text) {
      let handle = names.get(text);
      if (!handle) names.set(text, (handle = context.newString(text)));
      return handle;
    },
    call(fn, self, args) {
      const result = context.callFunction(fn, self, ...args);
      return result.error ? { error: result.error } : { value: result.value };
    },
    free: (value) => value.dispose(),
    handle: (value) => value,
    dispose() {
      for (const handle of names.values()) handle.dispose();
      names.clear();
    },
  };
}
