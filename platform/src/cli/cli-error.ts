/** A mistake in how the CLI was called: printed as a message, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}
