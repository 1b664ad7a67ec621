import type { QuickJSContext, Scope } from 'quickjs-emscripten';
import { call, enter, guestSource, SANDBOX_FILENAME, type Outcome } from './guest.ts';
import type { RunState } from './run-state.ts';

/**
 * Makes a run repeatable, for tests and previews: `now` fixes `Date.now()` and `new Date()` (milliseconds
 * since the epoch; the clock does not advance during the run), `seed` makes `Math.random()` a seeded PRNG
 * (mulberry32: repeatable, not for secrets).
 */
export type Determinism = { now?: number; seed?: number };

/** Largest magnitude a Date can hold (ECMA-262 §21.4.1.22). */
const MAX_TIME = 8.64e15;

const SOURCE = guestSource('determinism.js');

const NONE: Determinism = Object.freeze({});

/** Checks the options (TypeError when they make no sense) and drops the unset ones. */
export function determinismConfig(determinism: Determinism | undefined): Determinism {
  if (determinism === undefined) return NONE;
  const { now, seed } = determinism;
  if (now !== undefined && (typeof now !== 'number' || !Number.isFinite(now) || Math.abs(now) > MAX_TIME)) {
    throw new TypeError(`determinism.now must be a time in milliseconds, got ${String(now)}`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new TypeError(`determinism.seed must be an integer, got ${String(seed)}`);
  return { ...(now !== undefined && { now }), ...(seed !== undefined && { seed }) };
}

/** Patches Date and Math.random in the guest, before the script runs; nothing when no option is set. */
export function applyDeterminism(context: QuickJSContext, state: RunState, scope: Scope, determinism: Determinism): Outcome {
  if (determinism.now === undefined && determinism.seed === undefined) return { value: context.undefined };
  const fn = enter(state, scope, () => context.evalCode(SOURCE, SANDBOX_FILENAME, { type: 'global' }));
  if (!fn?.value) return fn;
  return call(context, state, scope, fn.value, scope.manage(context.newString(JSON.stringify(determinism))));
}
