import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../util/errors.js';
import { readGroupVarsImport } from './import-group-vars.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-import-gv-inputs-'));
  for (const tree of ['group_vars', 'sample']) {
    await mkdir(join(dir, tree, 'all'), { recursive: true });
    await writeFile(join(dir, tree, 'all', 'all.yml'), 'kube_log_level: 2\n');
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readGroupVarsImport', () => {
  it('refuses an inventory that is missing or a directory (exit 2, naming it) before it reads any group_vars', async () => {
    const read = (inventory: string) => readGroupVarsImport(inventory, join(dir, 'group_vars'), { sample: join(dir, 'sample') });
    const missing = join(dir, 'none.ini');

    await expect(read(missing)).rejects.toMatchObject({ name: 'UsageError', exitCode: ExitCode.usage, message: `--inventory ${missing}: no such file` });
    await expect(read(join(dir, 'group_vars'))).rejects.toMatchObject({ name: 'UsageError', exitCode: ExitCode.usage, message: `--inventory ${join(dir, 'group_vars')}: is a directory` });
  });
});
