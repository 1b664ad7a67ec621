import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

/** What a webhook's payload schema said of a payload: where, and what is wrong there. */
export type PayloadError = { path: string; message: string };

/** Strict: a schema with a typo in a keyword is refused when the flow is saved, not ignored at every call. */
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajvFormats.default(ajv);

/** Compiled schemas by their text: a flow's schema is compiled once per process, not per call. */
const compiled = new Map<string, ValidateFunction>();
const COMPILED_KEPT = 200;

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** Why `schema` is not a JSON Schema (draft 2020-12) this platform can check payloads with, or null. */
export function payloadSchemaProblem(schema: Record<string, unknown>): string | null {
  try {
    validatorOf(schema);
    return null;
  } catch (error) {
    return (error as Error).message.slice(0, 500);
  }
}

const described = (e: ErrorObject): PayloadError => ({ path: e.instancePath || '/', message: e.message ?? e.keyword });

/** The payload's errors against `schema` (none: it matches), at most 20. */
export function payloadErrors(schema: Record<string, unknown>, payload: unknown): PayloadError[] {
  const validate = validatorOf(schema);
  return validate(payload) ? [] : (validate.errors ?? []).slice(0, 20).map(described);
}
