/**
 * Reads `read()` every 50 ms until `done` holds for what it answers, and answers that; throws with the
 * last value after `ms`. For what the platform does in the background (jobs, flows, deliveries): tests
 * wait for the outcome, never for a fixed time.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
