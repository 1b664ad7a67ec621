import { DefaultIntrinsics, type Intrinsics } from 'quickjs-emscripten';

/**
 * The built-ins a script's context is made with: QuickJS's defaults without ArrayBuffer, SharedArrayBuffer,
 * the typed arrays, DataView and Atomics. Scripts exchange JSON with the host and have no binary data to
 * handle, and that part of the engine is the one that works on raw memory, where its bugs are the most
 * dangerous to a sandbox. It is also a third of what making a context costs, paid on every run.
 *
 * Naming the intrinsics also leaves out WeakRef and FinalizationRegistry (quickjs-emscripten has no flag for
 * them): a run lasts milliseconds and its context is collected after it, so a finalizer could only ever
 * run at a moment no script can rely on.
 */
export const SCRIPT_INTRINSICS: Intrinsics = { ...DefaultIntrinsics, TypedArrays: false };
