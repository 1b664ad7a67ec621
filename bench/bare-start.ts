// The baseline of B7: a process that only opens the database client and answers one query.
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

const [kind, target] = process.argv.slice(2);
if (kind === 'pglite') {
  const db = await PGlite.create(target);
  await db.query('select 1');
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => db.close().then(() => process.exit(0)));
} else {
  const sql = postgres(target!, { max: 1 });
  await sql`select 1`;
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => sql.end().then(() => process.exit(0)));
}
