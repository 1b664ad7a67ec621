/**
 * Why a step failed, as its timeline shows it: a stable code and a message for the administrator.
 * `retry: false` for failures that trying again cannot fix (a record that is gone, a refused write).
 */
export class StepError extends Error {
  override name = 'StepError';
  readonly code: string;
  readonly retry: boolean;
  constructor(code: string, message: string, options: { retry?: boolean } = {}) {
    super(message);
    this.code = code;
    this.retry = options.retry ?? true;
  }
}
