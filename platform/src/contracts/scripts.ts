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
