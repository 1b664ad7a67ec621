import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { databaseTarget, openDatabase } from '../db/open-database.ts';
import { CliError } from './cli-error.ts';

const usage = `Usage: threadbase <command> [options]

Commands:
  start                                   run the server (PORT, HOST, DATABASE_URL, TB_DATA_DIR…; see README)
  migrate                                 apply pending database migrations and exit
  create-admin --login L [--password P] [--name N] [--workspace W]
                                          add an administrator (password generated and printed if omitted)
  reset-password --login L [--password P] [--workspace W]
                                          set a new password, end the user's sessions, clear a lock-out
  audit verify [--workspace W]            check the audit log's hash chain; exits 1 if it was tampered with
  purge [--object O]... [--field O.F]... [--yes] [--workspace W]
                                          list archived objects and fields with their data; with --yes drop
                                          them for good (all archived ones unless some are named)
`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      login: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      workspace: { type: 'string' },
      object: { type: 'string', multiple: true },
      field: { type: 'string', multiple: true },
      yes: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    out(usage);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();
  // Opening the database first lets embedded PGlite boot in its worker while the rest of the server loads.
  const database = command === 'start' ? openDatabase(databaseTarget(config)) : null;
  database?.catch(() => {});
  const { auditVerifyCommand, createAdminCommand, migrateCommand, purgeCommand, resetPasswordCommand, startCommand } = await import('./commands.ts');
  switch (command) {
    case 'start': {
      const stop = await startCommand(config, out, database!);
      const shutdown = async () => {
        await stop();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return -1;
    }
    case 'migrate':
      await migrateCommand(config, out);
      return 0;
    case 'create-admin':
      await createAdminCommand(config, values, out);
      return 0;
    case 'reset-password':
      await resetPasswordCommand(config, values, out);
      return 0;
    case 'audit':
      if (sub !== 'verify' || rest.length) throw new CliError('Did you mean `threadbase audit verify`?');
      return (await auditVerifyCommand(config, values, out)) ? 0 : 1;
    case 'purge':
      if (sub) throw new CliError(`Unexpected "${sub}": name what to purge with --object or --field.`);
      await purgeCommand(config, values, out);
      return 0;
    default:
      throw new CliError(`Unknown command "${command}".\n\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const known = error instanceof CliError || error instanceof ConfigError || error instanceof DataDirLockedError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`threadbase: ${known ? (error as Error).message : (error as Error).stack ?? String(error)}\n`);
    process.exit(known ? 2 : 1);
  },
);
