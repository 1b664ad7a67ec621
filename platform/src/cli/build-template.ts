// `npm run build` step: prepares the PGlite template that makes an embedded first start faster.
import { buildPgliteTemplate, templateFile } from '../db/create-pglite.ts';

process.stdout.write((await buildPgliteTemplate()) ? `PGlite template written to ${templateFile}\n` : 'PGlite template is up to date.\n');
