import { HostFunctionError, HostLimitError, type HostFunctions, type JsonValue } from '@threadbase/sandbox';
import type { ResolvedScriptLimits } from '../contracts/script-settings.ts';
import { appendAudit } from '../audit/index.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import { translate } from '../i18n/translate.ts';
import { listRecords } from '../records/list-records.ts';
import { createRecord, getRecord, updateRecord } from '../records/service.ts';
import { postScriptMessage } from '../threads/index.ts';
import { guardedFetch } from './http-fetch.ts';
import { RunScope } from './run-scope.ts';
import { secretValue } from './secrets.ts';

/** What a dry run would have changed: shown by a test run instead of being kept. */
export type ScriptEffects = {
  records: { op: 'create' | 'update'; object: string; id: string; values: Record<string, unknown> }[];
  messages: { object: string; recordId: string; body: string }[];
  http: { method: string; url: string; sent: boolean }[];
};

/** How much of each governed resource a run used; the run log keeps it beside the sandbox's usage. */
export type Governed = { recordsRead: number; recordsWritten: number; httpCalls: number };

export type BindingOptions = {
  script: string;
  runId: string;
  /** The records calls' context: the user's, or the system's for a script that runs as system. */
  recordsCtx: Ctx;
  asSystem: boolean;
  record: { object: string; id: string } | null;
  limits: ResolvedScriptLimits;
  allowHosts: readonly string[];
  dryRun: boolean;
};

const MESSAGE_MAX = 10_000;
const FIND_MAX = 200;

/**
 * The platform's capabilities for one run: records through the access layer, the record's thread,
 * allowed outbound HTTP and the workspace's secrets. Each call counts toward the workspace's governor
 * limits; going past one ends the run (HostLimitError), so a script cannot catch it and go on. The
 * runner calls `end` before it answers: see run-scope.ts for what becomes of calls still in flight.
 */
export class ScriptBindings {
  readonly used: Governed = { recordsRead: 0, recordsWritten: 0, httpCalls: 0 };
  readonly effects: ScriptEffects = { records: [], messages: [], http: [] };
  /** Secret values this run read: all that the run shows is cleaned of them (redact.ts). */
  readonly secrets = new Set<string>();
  readonly #o: BindingOptions;
  readonly #scope: RunScope;

  constructor(options: BindingOptions) {
    this.#o = options;
    this.#scope = new RunScope(options.recordsCtx);
  }

  functions(): HostFunctions {
    const guarded = <T>(fn: () => Promise<T>) => this.#scope.track(() => this.#guard(fn));
    return {
      'records.get': ([object, id]) => guarded(() => this.#get(text(object, 'object'), text(id, 'id'))),
      'records.find': ([object, query]) => guarded(() => this.#find(text(object, 'object'), query)),
      'records.create': ([object, values]) => guarded(() => this.#create(text(object, 'object'), plain(values, 'values'))),
      'records.update': ([object, id, values]) => guarded(() => this.#update(text(object, 'object'), text(id, 'id'), plain(values, 'values'))),
      'thread.post': ([message]) => guarded(() => this.#post(message)),
      'http.fetch': ([url, init], call) => this.#scope.track(() => this.#fetch(url, init, call.signal)),
      'env.get': ([name]) => this.#scope.track(() => this.#env(text(name, 'name'))),
    };
  }

  /** The run is over: see RunScope.end. */
  end(waitMs: number): Promise<boolean> {
    return this.#scope.end(waitMs);
  }

  #read(count: number): void {
    this.used.recordsRead += count;
    const limit = this.#o.limits.recordsRead;
    if (this.used.recordsRead > limit) throw new HostLimitError('SCRIPT_LIMIT_RECORDS_READ', `The script read more than ${limit} records.`, { limit });
  }

  #write(): void {
    const limit = this.#o.limits.recordsWritten;
    if (this.used.recordsWritten + 1 > limit) throw new HostLimitError('SCRIPT_LIMIT_RECORDS_WRITTEN', `The script wrote more than ${limit} records.`, { limit });
    this.used.recordsWritten++;
  }

  async #get(object: string, id: string): Promise<JsonValue> {
    if (!isUuid(id)) return null;
    try {
      const record = await this.#scope.read((ctx) => getRecord(ctx, object, id));
      this.#read(1);
      return record as JsonValue;
    } catch (error) {
      if (error instanceof AppError && error.code === 'RECORD_NOT_FOUND') return null;
      throw error;
    }
  }

  async #find(object: string, query: JsonValue | undefined): Promise<JsonValue> {
    const q = query === undefined || query === null ? {} : plain(query, 'query');
    const limit = q.limit === undefined ? 50 : q.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > FIND_MAX) throw new HostFunctionError('records.find', `limit must be an integer from 1 to ${FIND_MAX}.`, 'SCRIPT_INVALID_ARGUMENT');
    if (q.sort !== undefined && !(Array.isArray(q.sort) && q.sort.every((s) => typeof s === 'string'))) throw new HostFunctionError('records.find', 'sort must be a list of field names.', 'SCRIPT_INVALID_ARGUMENT');
    const options = { filter: q.filter === undefined ? undefined : JSON.stringify(q.filter), sort: (q.sort as string[] | undefined)?.join(','), limit };
    const { items } = await this.#scope.read((ctx) => listRecords(ctx, object, options));
    this.#read(items.length);
    return items as JsonValue;
  }

  async #create(object: string, values: Record<string, unknown>): Promise<JsonValue> {
    this.#write();
    const record = await this.#scope.write(async (tx) => {
      const created = await createRecord(tx, object, values);
      await this.#audit(tx, 'script.record.create', object, created.id as string);
      return created;
    });
    this.effects.records.push({ op: 'create', object, id: record.id as string, values });
    return record as JsonValue;
  }

  async #update(object: string, id: string, values: Record<string, unknown>): Promise<JsonValue> {
    this.#write();
    const record = await this.#scope.write(async (tx) => {
      const updated = await updateRecord(tx, object, id, values);
      await this.#audit(tx, 'script.record.update', object, id);
      return updated;
    });
    this.effects.records.push({ op: 'update', object, id, values });
    return record as JsonValue;
  }

  /** A script that acts as system answers for what it writes: the audit log names it and its run. */
  async #audit(tx: Ctx, action: string, object: string, id: string): Promise<void> {
    if (this.#o.asSystem) await appendAudit(tx, { action, targetType: 'record', targetId: `${object}:${id}`, details: { script: this.#o.script, run: this.#o.runId } });
  }

  async #post(message: JsonValue | undefined): Promise<null> {
    const record = this.#o.record;
    if (!record) throw new HostFunctionError('thread.post', 'This run has no record, so no thread to post in.', 'SCRIPT_NO_RECORD');
    const body = text(message, 'message');
    if (body.length > MESSAGE_MAX) throw new HostFunctionError('thread.post', `A message is at most ${MESSAGE_MAX} characters.`, 'SCRIPT_INVALID_ARGUMENT');
    await this.#scope.write((tx) => postScriptMessage(tx, record.object, record.id, this.#o.script, body));
    this.effects.messages.push({ object: record.object, recordId: record.id, body });
    return null;
  }

  async #fetch(url: JsonValue | undefined, init: JsonValue | undefined, signal: AbortSignal): Promise<JsonValue> {
    const limit = this.#o.limits.httpCalls;
    if (this.used.httpCalls + 1 > limit) throw new HostLimitError('SCRIPT_LIMIT_HTTP_CALLS', `The script made more than ${limit} HTTP calls.`, { limit });
    this.used.httpCalls++;
    const method = String((init as { method?: unknown } | null)?.method ?? 'GET').toUpperCase();
    // A test run reads from other systems but changes none of them.
    const sent = !this.#o.dryRun || method === 'GET' || method === 'HEAD';
    this.effects.http.push({ method, url: String(url).slice(0, 2048), sent });
    if (!sent) return { status: 204, ok: true, headers: { 'x-threadbase-dry-run': '1' }, body: '' };
    const policy = { allowHosts: this.#o.allowHosts, allowPrivateAddresses: this.#o.recordsCtx.platform.config.scriptHttpPrivate, timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, maxRequestBytes: 1024 * 1024 };
    return (await guardedFetch(url, init, policy, signal)) as unknown as JsonValue;
  }

  async #env(name: string): Promise<string | null> {
    const value = await this.#scope.read((ctx) => secretValue(ctx, name));
    if (value !== null) this.secrets.add(value);
    return value;
  }

  /** Platform refusals reach the script as errors it can read: code and message in the run's language. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message = translate(this.#o.recordsCtx.locale, error.code, error.params);
      // A save-script loop ends every run it went through, not only the innermost one.
      if (error.details.code === 'SCRIPT_LIMIT_DEPTH') throw new HostLimitError('SCRIPT_LIMIT_DEPTH', message);
      const refused = new Error(message) as Error & { code: string };
      refused.code = error.code;
      throw refused;
    }
  }
}

function text(value: JsonValue | undefined, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new HostFunctionError(name, `${name} must be a non-empty string.`, 'SCRIPT_INVALID_ARGUMENT');
  return value;
}

function plain(value: JsonValue | undefined, name: string): Record<string, JsonValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HostFunctionError(name, `${name} must be an object.`, 'SCRIPT_INVALID_ARGUMENT');
  return value as Record<string, JsonValue>;
}
