/**
 * The Kubespray-shaped fixture (test/fixtures/kubespray/), which the apply
 * tests run, against the real tags: its upgrade playbook must have the real
 * plays — names, host patterns and serial, in order, imports followed — so
 * the fixture cannot drift from Kubespray. Read from the YAML of both trees
 * (test/helpers/real-checks.ts yamlPlays), for the tags the real-tag tests
 * check.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureTreeFor } from './fixtures/kubespray-repo.js';
import { catalogRecords } from './fixtures/kubespray/records.js';
import { yamlPlays } from './helpers/real-checks.js';
import { realTree } from './helpers/real-kubespray.js';
import { realTagsToCheck } from './helpers/real-tags.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kspray-fixture-plays-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeFixture(tag: string): Promise<string> {
  const dir = join(work, tag);
  for (const [file, entry] of fixtureTreeFor(catalogRecords().get(tag)!).files()) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    if (entry.kind === 'symlink') await symlink(entry.target, target);
    else await writeFile(target, entry.content);
  }
  return dir;
}

describe.each(realTagsToCheck())('the fixture\'s %s', (tag) => {
  it('has the real upgrade plays: names, host patterns, serial', async () => {
    const playbook = catalogRecords().get(tag)!.upgrade_playbook.entry;
    const real = await yamlPlays(await realTree(tag), playbook);
    const fixture = await yamlPlays(await writeFixture(tag), playbook);
    expect(fixture).toEqual(real);
  });
});
