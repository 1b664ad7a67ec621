import { Lifetime, WeakLifetime, type QuickJSContext, type QuickJSHandle, type VmFunctionImplementation } from 'quickjs-emscripten';
import type { RawImplementation } from './raw.ts';
import type { Dispatch, Internals } from './raw-module.ts';

/**
 * What runs when the guest calls a host function: the same contract as quickjs-emscripten's own
 * dispatcher (arguments and `this` as handles that die with the call; a returned handle is duplicated
 * for the guest and disposed; `{ error }` or a thrown handle is thrown in the guest, any other thrown
 * value as a guest Error), without its generators and scopes, which cost more than the call itself.
 */
export function hostCallDispatcher(context: QuickJSContext, internals: Internals, rawFunctions: ReadonlyMap<number, RawImplementation>): Dispatch {
  const { ffi, memory, runtime } = internals;
  const { copyJSValue, freeJSValue } = memory;
  const hostRefs = runtime.hostRefs;
  const thrown = (ctx: number, error: unknown) => {
    const handle = error instanceof Lifetime ? (error as QuickJSHandle) : context.newError(error as Error);
    try {
      return ffi.QTS_Throw(ctx, handle.value as unknown as number);
    } finally {
      handle.dispose();
    }
  };
  return (ctx, selfPointer, argc, argv, id) => {
    const rawFunction = rawFunctions.get(id);
    if (rawFunction) {
      try {
        return rawFunction(argc, argv, selfPointer);
      } catch (error) {
        return thrown(ctx, error);
      }
    }
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
      return thrown(ctx, error);
    } finally {
      self.dispose();
      for (const arg of args) arg.dispose();
    }
  };
}
