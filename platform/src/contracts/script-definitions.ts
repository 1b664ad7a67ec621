import { z } from 'zod';
import { ApiName, LocalisedText } from './api-names.ts';
import { text } from './common.ts';
import { SCRIPT_SOURCE_MAX_BYTES } from './scripts.ts';

/**
 * When a script runs:
 * - `before_save`: in the transaction of a record's create or update, before it is written; it may change
 *   fields (return `{ set }`) or refuse the save (return `{ reject }`).
 * - `after_save`: in the same transaction, after the write; failing undoes the save.
 * - `button`: when a user presses the script's button on a record.
 * - `flow_step`: as a step of a flow, with typed input and output.
 * - `scheduled`: on a cron schedule, in the deployment's time zone.
 * - `endpoint`: answers `/api/v1/x/{name}`.
 */
export const SCRIPT_KINDS = ['before_save', 'after_save', 'button', 'flow_step', 'scheduled', 'endpoint'] as const;
export const ScriptKind = z.enum(SCRIPT_KINDS).meta({ id: 'ScriptKind' });
export type ScriptKind = z.infer<typeof ScriptKind>;

/** The kinds that run on one record of `object`. */
export const RECORD_SCRIPT_KINDS: readonly ScriptKind[] = ['before_save', 'after_save', 'button'];

const ParamName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/, 'letters, digits and _, starting with a letter, at most 50');

/** One input or output value of a flow step: JSON of the named type. */
export const ScriptParam = z
  .object({ name: ParamName, type: z.enum(['string', 'number', 'boolean', 'json']), required: z.boolean().default(true) })
  .meta({ id: 'ScriptParam' });
export type ScriptParam = z.infer<typeof ScriptParam>;

const utf8 = new TextEncoder();

export const ScriptSource = text(SCRIPT_SOURCE_MAX_BYTES).refine((s) => utf8.encode(s).length <= SCRIPT_SOURCE_MAX_BYTES, {
  message: `at most ${SCRIPT_SOURCE_MAX_BYTES / 1024} KB of UTF-8`,
});

/**
 * A script as metadata: versioned and published with the objects it works on. Kind-specific settings
 * live in the block named after the kind, and that block is required for its kind.
 */
export const ScriptDefinition = z
  .object({
    name: ApiName,
    label: LocalisedText,
    description: text(1000).optional(),
    kind: ScriptKind,
    object: ApiName.optional().meta({ description: 'The object a before_save, after_save or button script runs on.' }),
    events: z
      .array(z.enum(['create', 'update']))
      .min(1)
      .default(['create', 'update'])
      .meta({ description: 'For before_save and after_save: the writes that run it.' }),
    runAs: z.enum(['user', 'system']).default('user').meta({
      description: "`user`: records calls are checked against the roles of the person the script runs for. `system`: they are not; every write is audited as the script's.",
    }),
    active: z.boolean().default(true),
    button: z.object({ label: LocalisedText, confirm: LocalisedText.optional() }).optional(),
    schedule: z.object({ cron: text(100, 1).meta({ description: 'Five fields: minute hour day-of-month month day-of-week.' }) }).optional(),
    endpoint: z
      .object({
        methods: z.array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1).max(5),
        auth: z.enum(['user', 'admin', 'secret', 'public']).meta({
          description: '`user`/`admin`: a signed-in user (an administrator), the script runs as them. `secret`: the header `X-Threadbase-Secret` with the value of the workspace secret named in `secret`; `public`: anyone. Both run as system.',
        }),
        secret: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
      })
      .optional(),
    flowStep: z.object({ input: z.array(ScriptParam).max(50).default([]), output: z.array(ScriptParam).max(50).default([]) }).optional(),
    source: ScriptSource.meta({ description: 'TypeScript whose default export the platform calls.' }),
    archived: z.boolean().default(false),
  })
  .superRefine((script, issue) => {
    const needs = (ok: boolean, path: string, message: string) => ok || issue.addIssue({ code: 'custom', path: [path], message });
    const onRecord = RECORD_SCRIPT_KINDS.includes(script.kind);
    needs(onRecord === (script.object !== undefined), 'object', onRecord ? `required for a ${script.kind} script` : `only for before_save, after_save and button scripts`);
    needs((script.kind === 'button') === (script.button !== undefined), 'button', 'required for a button script, and only for one');
    needs((script.kind === 'scheduled') === (script.schedule !== undefined), 'schedule', 'required for a scheduled script, and only for one');
    needs((script.kind === 'endpoint') === (script.endpoint !== undefined), 'endpoint', 'required for an endpoint script, and only for one');
    needs((script.kind === 'flow_step') === (script.flowStep !== undefined), 'flowStep', 'required for a flow_step script, and only for one');
    if (script.endpoint) {
      needs((script.endpoint.auth === 'secret') === (script.endpoint.secret !== undefined), 'endpoint', 'a secret endpoint names its secret, and only one does');
      const asSystem = script.endpoint.auth === 'secret' || script.endpoint.auth === 'public';
      needs(!asSystem || script.runAs === 'system', 'runAs', 'an endpoint without a signed-in user runs as system');
    }
    if (script.kind === 'scheduled') needs(script.runAs === 'system', 'runAs', 'a scheduled script has no user to run as: set runAs to system');
  })
  .meta({ id: 'ScriptDefinition' });
export type ScriptDefinition = z.infer<typeof ScriptDefinition>;
