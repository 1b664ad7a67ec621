/**
 * The API a script sees, as ambient declarations. It is the same for every workspace; what differs
 * (`Objects`, `ObjectInputs` and the record interfaces) is generated beside it by type-definitions.ts.
 * Everything of ours lives in the `Threadbase` namespace, so that only the record interfaces and the
 * globals below are global names. Host functions always answer a promise in the sandbox, so every call
 * that reaches the platform is declared async.
 */
export const GUEST_API = `declare namespace Threadbase {
  /** The API name of a published object. */
  type ObjectName = keyof Objects & string;
  /** The API name of a field of object K, system fields included. */
  type FieldName<K extends ObjectName> = keyof Objects[K] & string;

  /** A currency amount as records return it: the amount is an exact decimal, as a string ("125000.50"). */
  interface Money {
    amount: string;
    /** ISO 4217 code, e.g. "CNY". */
    currency: string;
  }
  /** A currency amount to write; without a currency, the field's default one. */
  interface MoneyInput {
    amount: number | string;
    currency?: string;
  }
  /** A file attached to a record (upload it first; see docs/files.md). */
  interface Attachment {
    fileId: string;
    name: string;
    /** Bytes. */
    size: number;
    contentType: string;
  }

  /** The person the script runs as; records calls are checked against their roles. */
  interface User {
    readonly id: string;
    readonly login: string;
    readonly displayName: string;
    readonly isAdmin: boolean;
    readonly locale: 'zh-CN' | 'en';
  }

  /** Why a record run started: a save, a button, a flow, an administrator's test run; \`changed\` lists the fields a save sets. */
  interface RecordTrigger<K extends ObjectName> {
    readonly kind: 'record.created' | 'record.updated' | 'button' | 'flow' | 'test';
    readonly changed: readonly FieldName<K>[];
  }
  /** Why a run that concerns no record started. */
  interface PlainTrigger {
    readonly kind: 'schedule' | 'endpoint' | 'flow' | 'test';
    readonly changed: readonly string[];
  }
  /**
   * What a before_save script may answer: nothing to let the save go on, \`set\` to change fields
   * before they are written, or \`reject\` to refuse the save with a message for the user.
   */
  interface BeforeSaveResult<K extends ObjectName = ObjectName> {
    set?: Partial<ObjectInputs[K]>;
    reject?: string;
  }
  /** What an endpoint script receives as its argument. */
  interface EndpointRequest {
    readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly headers: Readonly<Record<string, string>>;
    /** The JSON body, or null. */
    readonly body: unknown;
  }
  /** What an endpoint script may answer; any other JSON value is sent as a 200 body. */
  interface EndpointResponse {
    status?: number;
    body?: unknown;
    /** Only \`x-\` headers are passed on. */
    headers?: Record<string, string>;
  }
  /** A run on one record of object K. */
  interface RecordContext<K extends ObjectName> {
    readonly object: K;
    readonly record: Objects[K];
    readonly user: User;
    readonly trigger: RecordTrigger<K>;
  }
  interface PlainContext {
    readonly object: null;
    readonly record: null;
    readonly user: User;
    readonly trigger: PlainTrigger;
  }
  /** The run's context. \`if (ctx.object === 'opportunity')\` narrows \`ctx.record\` to that object's record. */
  type Context = { [K in ObjectName]: RecordContext<K> }[ObjectName] | PlainContext;

  type FilterOp = 'eq' | 'ne' | 'in' | 'not_in' | 'is_empty' | 'is_not_empty' | 'lt' | 'lte' | 'gt' | 'gte' | 'between' | 'contains' | 'starts_with' | 'during';
  /** The records API's filter tree (docs/records.md): and / or / not over conditions. */
  type Filter<K extends ObjectName> =
    | { and: Filter<K>[] }
    | { or: Filter<K>[] }
    | { not: Filter<K> }
    | { field: FieldName<K>; op: FilterOp; value?: unknown };
  /** A field to sort by; a leading "-" sorts descending. */
  type SortKey<K extends ObjectName> = FieldName<K> | \`-\${FieldName<K>}\`;
  interface Query<K extends ObjectName> {
    filter?: Filter<K>;
    sort?: SortKey<K>[];
    /** At most 200; 50 when left out. */
    limit?: number;
  }
  /** What records.update takes: any writable fields, and the version the change is based on. */
  type Update<K extends ObjectName> = Partial<ObjectInputs[K]> & {
    /** A stale version makes the update fail instead of overwriting someone's change. */
    version?: number;
  };

  /** Records of the workspace's objects, read and written as the run's user. */
  interface Records {
    /** One record by id, or null when it does not exist or the user may not read it. */
    get<K extends ObjectName>(object: K, id: string): Promise<Objects[K] | null>;
    /** The records matching the query, in its order. */
    find<K extends ObjectName>(object: K, query?: Query<K>): Promise<Objects[K][]>;
    /** Creates a record; its required fields must be given. */
    create<K extends ObjectName>(object: K, values: ObjectInputs[K]): Promise<Objects[K]>;
    /** Changes the given fields of a record. */
    update<K extends ObjectName>(object: K, id: string, values: Update<K>): Promise<Objects[K]>;
  }

  /** The thread of the record the script runs on. */
  interface Thread {
    /** Posts a message as the script. */
    post(message: string): Promise<void>;
  }

  type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  interface HttpRequest {
    method?: HttpMethod;
    headers?: Record<string, string>;
    body?: string;
  }
  interface HttpResponse {
    readonly status: number;
    /** Status 200–299. */
    readonly ok: boolean;
    readonly headers: Readonly<Record<string, string>>;
    /** The body as text; JSON.parse it for JSON. */
    readonly body: string;
  }
  /** Outgoing HTTP, to the hosts an administrator allowed. */
  interface Http {
    fetch(url: string, init?: HttpRequest): Promise<HttpResponse>;
  }

  /** The run's log, shown with the run. */
  interface Log {
    (...values: unknown[]): void;
    debug(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
  }
  interface Console {
    log(...values: unknown[]): void;
    debug(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
  }
  /** Settings and secrets an administrator gave scripts. */
  interface Env {
    /** The value, or null when there is none of that name. */
    get(name: string): Promise<string | null>;
  }
}

/** The run's context: the record, the user and the trigger. */
declare const ctx: Threadbase.Context;
declare const records: Threadbase.Records;
declare const thread: Threadbase.Thread;
declare const http: Threadbase.Http;
declare const log: Threadbase.Log;
declare const console: Threadbase.Console;
declare const env: Threadbase.Env;
`;
