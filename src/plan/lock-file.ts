/**
 * kspray.lock.yaml, beside the cluster file: which tag (and commit) to use
 * for a Kubespray line, written by `kspray pin`. Like a package lock, it makes
 * the plan of next month's window the plan reviewed today.
 */
import { LineCounter, parseDocument, stringify } from 'yaml';
import { positionOf } from '../model/yaml-positions.js';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import type { Catalog } from '../catalog/catalog.js';

export const LOCK_FILE_NAME = 'kspray.lock.yaml';

const lockEntry = z.strictObject({
  tag: z.string().regex(/^v2\.\d+\.\d+$/, { message: 'must be a Kubespray tag like v2.13.2' }),
  sha: z.string().regex(/^[0-9a-f]{40}$/, { message: 'must be the 40-hex commit the tag points to' }),
});
export const lockFileSchema = z.strictObject({
  lockVersion: z.literal(1),
  lines: z.record(z.string().regex(/^2\.\d+$/), lockEntry),
});
export type LockFile = z.infer<typeof lockFileSchema>;
export type LockEntry = z.infer<typeof lockEntry>;

export function parseLockFile(text: string, displayName: string): LockFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    throw new UsageError(`${displayName}:${pos.line}:${pos.col} YAML: ${error.message.split('\n')[0]}`, `fix the file, or delete it and pin again with \`kspray pin\``);
  }
  const parsed = lockFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    const pos = positionOf(doc, lineCounter, path);
    throw new UsageError(`${displayName}:${pos.line}:${pos.col} ${path.join('.')}: ${issue.message}`, 'fix the entry, or re-pin the line with `kspray pin -c FILE --tag vX.Y.Z`');
  }
  for (const [line, entry] of Object.entries(parsed.data.lines)) {
    if (!entry.tag.startsWith(`v${line}.`)) {
      throw new UsageError(`${displayName}: line ${line} is pinned to ${entry.tag}, a tag of another line`, `pin a ${line}.x tag for line ${line}`);
    }
  }
  return parsed.data;
}

/**
 * Each pinned tag must still be the commit the catalog knows: a tag that moved
 * is a different Kubespray than the one reviewed, so kspray refuses it.
 */
export function verifyLockAgainstCatalog(lock: LockFile, catalog: Catalog, displayName: string): void {
  for (const [line, entry] of Object.entries(lock.lines)) {
    const record = catalog.tag(entry.tag);
    if (!record) {
      throw new UsageError(`${displayName}: line ${line} is pinned to ${entry.tag}, which the catalog does not know`, 'run `kspray catalog refresh --repo URL|PATH`, or pin a known tag');
    }
    if (record.sha !== entry.sha) {
      throw new UsageError(
        `${displayName}: ${entry.tag} is pinned at ${entry.sha.slice(0, 12)} but the catalog says it points to ${record.sha.slice(0, 12)}: the tag moved`,
        'a moved tag is not the Kubespray that was reviewed; check the upstream history, then re-pin deliberately with `kspray pin -c FILE --tag ' + entry.tag + '`',
      );
    }
  }
}

export function pinTags(lock: LockFile | undefined, catalog: Catalog, tags: readonly string[]): LockFile {
  const lines = { ...(lock?.lines ?? {}) };
  const asked = new Map<string, string>();
  for (const name of tags) {
    const record = catalog.requireTag(name);
    const line = catalog.lineOf(record.tag);
    const other = asked.get(line);
    if (other !== undefined && other !== record.tag) {
      throw new UsageError(`--tag ${other} ${record.tag}: both are tags of Kubespray ${line}, and a line is pinned to one tag`, `pass one tag per line, e.g. --tag ${[...new Set([...asked.values()].filter((tag) => tag !== other)), record.tag].join(' ')}`);
    }
    asked.set(line, record.tag);
    lines[line] = { tag: record.tag, sha: record.sha };
  }
  const sorted = Object.fromEntries(Object.entries(lines).sort(([a], [b]) => Number(a.split('.')[1]) - Number(b.split('.')[1])));
  return { lockVersion: 1, lines: sorted };
}

export function serializeLockFile(lock: LockFile): string {
  return `# Written by \`kspray pin\`: the Kubespray tag and commit used for each line.\n${stringify(lock, { lineWidth: 0 })}`;
}
