/**
 * Where the journal lives and how it is read and written: one JSON file per
 * cluster under `<baseDir>/.kspray/state/`, baseDir being the directory that
 * holds the cluster file. Every save is atomic (temp file, fsync, rename), so
 * a reader, or a run resuming after a crash, never sees half a journal.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KsprayError, UsageError } from '../util/errors.js';
import { fileError } from '../util/fs-errors.js';
import { JOURNAL_VERSION, JournalSchema, type Journal } from './journal-schema.js';
import { redactDeep } from './redact-deep.js';
import { journalPath } from './state-paths.js';

export { checkClusterName, journalPath, stateDir } from './state-paths.js';

/** The cluster's journal, or undefined when no run was ever recorded. */
export async function loadJournal(baseDir: string, cluster: string): Promise<Journal | undefined> {
  const path = journalPath(baseDir, cluster);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A directory or an unreadable file where the journal goes: said with its path, not as a stack.
    throw fileError(error, path, 'read the run journal', { fix: `kspray keeps its run journal there: if nothing of yours is in ${path}, move it aside, then run again` });
  }
  return parseJournal(text, path, cluster);
}

/** Parses a journal file's text; the errors say which file and what to do about it. */
export function parseJournal(text: string, path: string, cluster: string): Journal {
  const hint = `Move ${path} aside to start over (kspray then forgets which steps are done and which nodes it cordoned).`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KsprayError(`the run journal ${path} is not valid JSON: ${(error as Error).message}`, { hint });
  }
  const version = (data as { journalVersion?: unknown } | null)?.journalVersion;
  if (typeof version === 'number' && version > JOURNAL_VERSION) {
    throw new UsageError(
      `the run journal ${path} has journalVersion ${version}; this kspray reads version ${JOURNAL_VERSION}`,
      'Use the kspray version that wrote it, or a newer one.',
    );
  }
  if (typeof version === 'number' && version < JOURNAL_VERSION) {
    throw new UsageError(
      `the run journal ${path} was written by an older kspray (journalVersion ${version}); this kspray reads version ${JOURNAL_VERSION}`,
      `Finish that upgrade with the kspray that started it, or move ${path} aside to start over (kspray then forgets which steps are done and which nodes it cordoned).`,
    );
  }
  const parsed = JournalSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new KsprayError(`the run journal ${path} is damaged: ${problems}`, { hint });
  }
  if (parsed.data.cluster !== cluster) {
    throw new KsprayError(`the run journal ${path} belongs to cluster ${parsed.data.cluster}, not ${cluster}`, { hint });
  }
  return parsed.data;
}

/**
 * Validates and writes the journal atomically, secrets masked (step messages
 * may quote tool output), stamped with when it was saved. Mode 0600: it names
 * hosts and holds the plan. Returns the path and the text written (what the
 * cluster's copy mirrors).
 */
export async function saveJournal(baseDir: string, journal: Journal, now: Date = new Date()): Promise<{ path: string; text: string }> {
  const path = journalPath(baseDir, journal.cluster);
  const checked = JournalSchema.parse(redactDeep({ ...journal, savedAt: now.toISOString() }));
  const text = `${JSON.stringify(checked, null, 2)}\n`;
  await writeFileAtomic(path, text, { mode: 0o600 });
  return { path, text };
}
