import type { QuickJSContext, QuickJSHandle, VmFunctionImplementation } from 'quickjs-emscripten';
import { OutputLimitError } from './errors.ts';
import { clippedString, stringProp, type GuestHelpers } from './guest.ts';
import { utf8Bytes } from './marshal.ts';
import type { RunState } from './run-state.ts';
import { guestCall } from './engine.ts';

export type LogLevel = 'log' | 'info' | 'warn' | 'error';

/** One `console.*` call of the guest: its arguments shown and joined by spaces, cut at `LOG_MESSAGE_CHARS`. */
export type LogEntry = { level: LogLevel; message: string };

/** Characters kept of one message. */
export const LOG_MESSAGE_CHARS = 4096;

const LEVELS: readonly LogLevel[] = ['log', 'info', 'warn', 'error'];

/**
 * The host end of the guest's `console`: one native function per level, each showing its arguments
 * (strings as they are, errors with their stack, other objects as JSON), recording the message and
 * counting its UTF-8 bytes toward the output budget. The message that would cross the budget is dropped and
 * ends the run with SCRIPT_LIMIT_OUTPUT. Logging is not a host call: it does not count toward the
 * host-call cap. `helpers` arrive when the guest is opened, which is before the script can log.
 */
export function logSink(context: QuickJSContext, state: RunState, helpers: () => GuestHelpers): Record<LogLevel, VmFunctionImplementation<QuickJSHandle>> {
  const sink =
    (level: LogLevel) =>
    (...args: QuickJSHandle[]): void => {
      let message = '';
      for (let i = 0; i < args.length && message.length < LOG_MESSAGE_CHARS; i++) {
        message += (i ? ' ' : '') + show(context, helpers(), args[i]!, LOG_MESSAGE_CHARS - message.length);
      }
      message = message.slice(0, LOG_MESSAGE_CHARS);
      const bytes = utf8Bytes(message);
      if (state.outputBytes + bytes > state.limits.outputBytes) {
        state.fail(new OutputLimitError(state.limits.outputBytes, 'logs'));
        throw new Error('Output limit reached.');
      }
      state.outputBytes += bytes;
      state.logs.push({ level, message });
    };
  return Object.fromEntries(LEVELS.map((level) => [level, sink(level)])) as Record<LogLevel, VmFunctionImplementation<QuickJSHandle>>;
}

/** A guest value as text, like `console.log` would print it, in at most `max` characters (roughly). */
export function show(context: QuickJSContext, helpers: GuestHelpers, value: QuickJSHandle, max: number): string {
  switch (context.typeof(value)) {
    case 'string':
      return clippedString(context, helpers, value, max);
    case 'number':
      return String(context.getNumber(value));
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(context.dump(value));
    case 'bigint':
      return `${context.getBigInt(value)}n`;
    case 'symbol':
      return 'Symbol()';
    case 'function':
      return '[Function]';
    case 'object': {
      if (context.sameValue(value, context.null)) return 'null';
      const stack = stringProp(context, helpers, value, 'stack', max);
      const message = stringProp(context, helpers, value, 'message', max);
      // Clipped at `max` like the rest, so that a message is only ever cut at its end (where a host that
      // redacts values from logs looks for the start of one that was cut off).
      const name = stringProp(context, helpers, value, 'name', max);
      if (message !== undefined && (stack !== undefined || name !== undefined)) return `${name ?? 'Error'}: ${message}${stack ? `\n${stack}` : ''}`;
      const json = guestCall(context, helpers.stringify, context.undefined, value);
      if (json.error) {
        json.error.dispose();
        return '[object]';
      }
      using text = json.value;
      return context.typeof(text) === 'string' ? clippedString(context, helpers, text, max) : '[object]';
    }
    default:
      return '[unknown]';
  }
}
