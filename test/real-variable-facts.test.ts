/**
 * data/kubespray/variables.json is what kspray's own extractor reads off the
 * real tags, not a hand-made list: re-extracted here from the bundle for the
 * tags the real-tag tests check, it must equal the bundled facts, at the
 * tags' real commits. (To regenerate it: data/kubespray/README.md.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractVariables, type FileNamesCache } from '../src/catalog/extract/variables.js';
import { gitTagFiles } from '../src/catalog/git-tag-files.js';
import { bundledVariablesPath } from '../src/catalog/snapshot.js';
import { foldVariables, SET_CATEGORIES, type VariablesDocument } from '../src/catalog/variables-document.js';
import { kubesprayGit } from '../src/kubespray/git.js';
import { realRepo, realSha } from './helpers/real-kubespray.js';
import { realTagsToCheck } from './helpers/real-tags.js';

const document = JSON.parse(readFileSync(bundledVariablesPath, 'utf8')) as VariablesDocument;
const bundled = foldVariables(document);
const cache: FileNamesCache = new Map();

describe.each(realTagsToCheck())('the bundled variable facts of %s', (tag) => {
  it('are what the extractor reads off the real tag', async () => {
    const git = kubesprayGit(await realRepo());
    const extracted = await extractVariables(await gitTagFiles(git, tag), cache);
    const want = bundled.get(tag)!;
    for (const category of SET_CATEGORIES) expect([...want[category]].sort(), `${tag} ${category}`).toEqual(extracted[category]);
    expect(want.rejected).toEqual(extracted.rejected);
    expect(document.tags.find((entry) => entry.tag === tag)?.sha).toBe(await realSha(tag));
  });
});
