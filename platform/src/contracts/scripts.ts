import { z } from 'zod';

/** The largest script source the compiler takes, in UTF-8 bytes; larger is `413 SCRIPT_TOO_LARGE`. */
export const SCRIPT_SOURCE_MAX_BYTES = 100 * 1024;

/**
 * One problem in a script, positioned for an editor (Monaco markers take the same 1-based lines and
 * columns, counted in UTF-16 code units). `kind` says who found it: the parser, the sandbox's rules
 * (no imports, a default-exported function) or the type checker.
 */
export const ScriptDiagnostic = z
  .object({
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    endLine: z.number().int().min(1),
    endColumn: z.number().int().min(1),
    message: z.string(),
    code: z.string().meta({ description: 'TypeScript\'s code as `TS1005`, or the sandbox rule: `SCRIPT_IMPORT`, `SCRIPT_REQUIRE`, `SCRIPT_NO_DEFAULT_EXPORT`, `SCRIPT_DEFAULT_NOT_FUNCTION`; `SCRIPT_CHECK_FAILED` when checking took too long.' }),
    severity: z.enum(['error', 'warning', 'info']),
    kind: z.enum(['syntax', 'sandbox', 'type']),
  })
  .meta({ id: 'ScriptDiagnostic' });
export type ScriptDiagnostic = z.infer<typeof ScriptDiagnostic>;

export const CompileScriptRequest = z
  .object({
    source: z
      .string()
      .refine((s) => !s.includes('\u0000') && s.isWellFormed(), { message: 'contains characters that are not allowed' })
      .meta({ description: `The script's TypeScript; at most ${SCRIPT_SOURCE_MAX_BYTES / 1024} KB of UTF-8.` }),
  })
  .strict()
  .meta({ id: 'CompileScriptRequest' });
export type CompileScriptRequest = z.infer<typeof CompileScriptRequest>;

export const CompileScriptResult = z
  .object({
    ok: z.boolean().meta({ description: 'No error of any kind: the script parses, keeps the sandbox rules and type-checks.' }),
    javascript: z.string().optional().meta({ description: 'The ES module the sandbox runs; present when there is no syntax or sandbox error (type errors do not stop it).' }),
    diagnostics: z.array(ScriptDiagnostic),
    typesVersion: z.number().int().meta({ description: 'The published metadata version the script was checked against.' }),
  })
  .meta({ id: 'CompileScriptResult' });
export type CompileScriptResult = z.infer<typeof CompileScriptResult>;

/** A published script as the script list shows it: what it is, and whether it still type-checks. */
export const ScriptSummary = z
  .object({
    name: z.string(),
    kind: z.string(),
    object: z.string().nullable(),
    active: z.boolean(),
    runAs: z.enum(['user', 'system']),
    typeCheck: z
      .object({ ok: z.boolean(), metaVersion: z.number().int(), diagnostics: z.array(ScriptDiagnostic) })
      .nullable()
      .meta({ description: 'The check against the published metadata version; null while it is being made.' }),
    flagged: z.boolean().meta({ description: 'It no longer type-checks against the published objects (a publish changed what it uses).' }),
  })
  .meta({ id: 'ScriptSummary' });
export type ScriptSummary = z.infer<typeof ScriptSummary>;
export const ScriptSummaryList = z.object({ items: z.array(ScriptSummary), metaVersion: z.number().int() }).meta({ id: 'ScriptSummaryList' });
export type ScriptSummaryList = z.infer<typeof ScriptSummaryList>;

const ScriptNameParam = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/);
export const ScriptParamName = z.object({ name: ScriptNameParam });
export const RecordActionParams = z.object({ object: ScriptNameParam, id: z.uuid(), name: ScriptNameParam });

export const TestRunRequest = z
  .object({
    recordId: z.uuid().optional().meta({ description: 'The record a record script runs on.' }),
    input: z.unknown().optional().meta({ description: "A flow step's input, an endpoint's request." }),
    source: z.string().max(SCRIPT_SOURCE_MAX_BYTES).optional().meta({ description: "Run this source instead of the draft's (unsaved editor content)." }),
  })
  .strict()
  .meta({ id: 'TestRunRequest' });

const LogLine = z.object({ level: z.enum(['log', 'info', 'warn', 'error']), message: z.string() });
export const ScriptRunOutcome = z
  .object({
    runId: z.string(),
    ok: z.boolean(),
    value: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }).optional(),
    logs: z.array(LogLine),
    usage: z.record(z.string(), z.number().nullable()),
    effects: z.object({
      records: z.array(z.object({ op: z.enum(['create', 'update']), object: z.string(), id: z.string(), values: z.record(z.string(), z.unknown()) })),
      messages: z.array(z.object({ object: z.string(), recordId: z.string(), body: z.string() })),
      http: z.array(z.object({ method: z.string(), url: z.string(), sent: z.boolean() })),
    }),
  })
  .meta({ id: 'ScriptRunOutcome' });

export const ObjectActionList = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        label: z.object({ 'zh-CN': z.string(), en: z.string() }),
        confirm: z.object({ 'zh-CN': z.string(), en: z.string() }).nullable(),
        kind: z.literal('flow').optional().meta({ description: "A flow's button: start it with POST /api/v1/flows/{name}/runs and the record's id. Absent for a button script." }),
        approval: z.boolean().optional().meta({ description: "With kind flow: the flow submits the record for approval (its start leads to an approval), as POST /api/v1/approvals does." }),
      }),
    ),
  })
  .meta({ id: 'ObjectActionList' });

export const ButtonResult = z
  .object({ runId: z.string(), message: z.string().nullable().meta({ description: 'What to show the user.' }), value: z.unknown() })
  .meta({ id: 'ButtonResult' });
