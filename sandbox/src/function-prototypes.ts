import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSSyncVariant } from 'quickjs-emscripten';
import { SCRIPT_INTRINSICS } from './intrinsics.ts';

/**
 * Where a context keeps the prototypes of async, generator and async generator functions, whose
 * `constructor`s compile code from strings and must be replaced before a script runs (guest.ts). They are
 * reachable from the guest only through a function of their kind, so the API cannot reach them without
 * compiling such a function in every context, which costs more than the rest of opening the guest. QuickJS
 * keeps them in its context's array of built-in prototypes, `JSContext.class_proto`: this is the byte
 * offset of that array's pointer in `JSContext` and the three entries, found by probing a throwaway module
 * (against the prototypes reached the compiling way, in two contexts) and used only when proven.
 */
export type FunctionPrototypes = { classProtoOffset: number; entries: readonly [asyncFunction: number, generatorFunction: number, asyncGeneratorFunction: number] };

/** How far into `JSContext` to look for the pointer, and how many entries of the array to read. */
const SEARCH_BYTES = 1024;
const ENTRIES = 256;
/** JS_TAG_OBJECT, in the high word of a NaN-boxed JSValue (see raw.ts). */
const OBJECT_TAG = -1;

const layouts = new WeakMap<QuickJSSyncVariant, Promise<FunctionPrototypes | null>>();

export function functionPrototypes(variant: QuickJSSyncVariant): Promise<FunctionPrototypes | null> {
  let layout = layouts.get(variant);
  if (!layout) layouts.set(variant, (layout = probe(variant)));
  return layout;
}

async function probe(variant: QuickJSSyncVariant): Promise<FunctionPrototypes | null> {
  try {
    const module = await newQuickJSWASMModuleFromVariant(variant);
    const memory = module.getWasmMemory();
    const candidates = (context: QuickJSContext): string[] => {
      const objects = prototypesOf(context, memory);
      const words = new Int32Array(memory.buffer);
      const ctx = (context as unknown as { ctx: { value: number } }).ctx.value;
      const found: string[] = [];
      for (let offset = 0; offset < SEARCH_BYTES; offset += 4) {
        const array = words[(ctx + offset) >> 2]!;
        if (array <= 0 || array % 4 !== 0 || array + ENTRIES * 8 > memory.buffer.byteLength) continue;
        const entries = objects.map((object) => {
          for (let i = 0; i < ENTRIES; i++) if (words[(array >> 2) + 2 * i] === object && words[(array >> 2) + 2 * i + 1] === OBJECT_TAG) return i;
          return -1;
        });
        // Other arrays of the context may hold the three too; only class_proto has Object.prototype and
        // Array.prototype at their class ids (JS_CLASS_OBJECT 1, JS_CLASS_ARRAY 2).
        const [asyncFunction, generatorFunction, asyncGeneratorFunction, objectEntry, arrayEntry] = entries as [number, number, number, number, number];
        if (objectEntry === 1 && arrayEntry === 2 && entries.every((entry) => entry >= 0)) found.push(JSON.stringify([offset, [asyncFunction, generatorFunction, asyncGeneratorFunction]]));
      }
      return found;
    };
    const contexts = [module.newContext({ intrinsics: SCRIPT_INTRINSICS }), module.newContext({ intrinsics: SCRIPT_INTRINSICS })];
    try {
      const [first, second] = contexts.map(candidates) as [string[], string[]];
      const proven = first.filter((candidate) => second.includes(candidate));
      if (proven.length !== 1) return null;
      const [classProtoOffset, entries] = JSON.parse(proven[0]!) as [number, [number, number, number]];
      return { classProtoOffset, entries };
    } finally {
      for (const context of contexts) context.dispose();
    }
  } catch {
    return null;
  }
}

/** The addresses of the three prototypes in `context`, reached by compiling a function of each kind, then of Object.prototype and Array.prototype. */
function prototypesOf(context: QuickJSContext, memory: { readonly buffer: ArrayBuffer }): number[] {
  const code = '[...[async () => {}, function* () {}, async function* () {}].map(Object.getPrototypeOf), Object.prototype, Array.prototype]';
  using array = context.unwrapResult(context.evalCode(code));
  return [0, 1, 2, 3, 4].map((i) => {
    using prototype = context.getProp(array, i);
    // The handle's value is a pointer to the JSValue, whose low word is the object's address.
    const pointer = prototype.value as unknown as number;
    return new Int32Array(memory.buffer)[pointer >> 2]!;
  });
}
