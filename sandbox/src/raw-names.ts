import type { EmscriptenModule, Ffi } from './raw-module.ts';
import { KEPT_NAMES } from './raw-module.ts';
import type { NameStore } from './raw.ts';

/**
 * The guest strings of property names a run uses, made once and reused: for the life of the runtime when it
 * is kept across runs (`kept`), else for the run (freed by `release`). Their C strings are kept for the
 * module's life in `cStrings`: the sandbox's own names and the host functions' are a small set. Past
 * KEPT_NAMES of either, names are made on each use.
 */
export class RawNames {
  readonly #ffi: Ffi;
  readonly #ctx: number;
  readonly #module: EmscriptenModule;
  readonly #cStrings: Map<string, number>;
  readonly #kept: NameStore | null;
  readonly #run = new Map<string, number>();

  constructor(ffi: Ffi, ctx: number, module: EmscriptenModule, cStrings: Map<string, number>, kept: NameStore | null) {
    this.#ffi = ffi;
    this.#ctx = ctx;
    this.#module = module;
    this.#cStrings = cStrings;
    this.#kept = kept;
  }

  /** Runs `use` with `text` as a C string: kept for the module when `keep` (up to KEPT_NAMES of them), else temporary. */
  withCString<T>(text: string, use: (cString: number) => T, keep = true): T {
    let cString = keep ? this.#cStrings.get(text) : undefined;
    if (cString !== undefined) return use(cString);
    const bytes = this.#module.lengthBytesUTF8(text) + 1;
    cString = this.#module._malloc(bytes);
    // Only when the memory guard refused the heap room to grow (the run fails for it): never write to 0.
    if (!cString) throw new RangeError('sandbox: out of memory');
    this.#module.stringToUTF8(text, cString, bytes);
    if (keep && this.#cStrings.size < KEPT_NAMES) {
      this.#cStrings.set(text, cString);
      return use(cString);
    }
    try {
      return use(cString);
    } finally {
      this.#module._free(cString);
    }
  }

  /** A guest string for `name` (do not free it). */
  key(name: string): number {
    const kept = this.#kept;
    let value = kept?.names.get(name) ?? this.#run.get(name);
    if (value !== undefined) return value;
    const make = () => this.withCString(name, (cString) => this.#ffi.QTS_NewString(this.#ctx, cString));
    if (kept && kept.names.size < KEPT_NAMES) {
      value = kept.keep(make);
      kept.names.set(name, value);
    } else {
      value = make();
      this.#run.set(name, value);
    }
    return value;
  }

  /** Frees the names made for the run only (they are made again if needed). */
  release(): void {
    for (const value of this.#run.values()) this.#ffi.QTS_FreeValuePointer(this.#ctx, value);
    this.#run.clear();
  }
}
