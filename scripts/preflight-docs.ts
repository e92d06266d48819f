/**
 * Writes the README's table of preflight checks from the one list of checks
 * (src/preflight/checks/index.ts): `npx tsx scripts/preflight-docs.ts`.
 * src/preflight/checks/checks.test.ts fails while the README differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceChecksTable } from '../src/preflight/readme-table.js';

const readme = join(import.meta.dirname, '..', 'README.md');
writeFileSync(readme, replaceChecksTable(readFileSync(readme, 'utf8')));
