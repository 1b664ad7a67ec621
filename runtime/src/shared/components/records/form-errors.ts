import { isApiError } from '../../api/api-error.ts';

export type FormErrors = { fields: Record<string, string>; general: string | null };
export type ErrorTexts = {
  required: string;
  invalid: (reason: string) => string;
  fallback: string;
  /** The form-wide line for invalid values, naming the fields by label (the server's names them by API name). */
  summary?: (fields: string[]) => string;
};

/**
 * Puts a refused save's problems on the fields they belong to. The server names fields in
 * `details.fields` (INVALID_FIELD_VALUE: `{field, message}` each; READ_ONLY_FIELD, FIELD_NOT_WRITABLE,
 * UNKNOWN_FIELD: names) or `details.field`; what names no field stays a message for the whole form.
 */
export function formErrors(error: unknown, texts: ErrorTexts): FormErrors {
  if (!isApiError(error)) return { fields: {}, general: texts.fallback };
  const fields: Record<string, string> = {};
  const named = error.details.fields;
  if (Array.isArray(named)) {
    for (const entry of named) {
      if (typeof entry === 'string') fields[entry] = error.message || texts.fallback;
      else if (entry && typeof entry === 'object' && typeof (entry as { field?: unknown }).field === 'string') {
        const { field, message } = entry as { field: string; message?: unknown };
        fields[field] = message === 'required' ? texts.required : texts.invalid(typeof message === 'string' ? message : '');
      }
    }
  }
  if (typeof error.details.field === 'string') fields[error.details.field] = error.message || texts.fallback;
  const invalid = Object.keys(fields);
  const general = error.code === 'INVALID_FIELD_VALUE' && invalid.length && texts.summary ? texts.summary(invalid) : error.message || texts.fallback;
  return { fields, general };
}
