import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../util/redact.js';
import { KsprayError } from '../util/errors.js';
import {
  createJournal, failStep, journalPath, loadJournal, registerSteps, saveJournal, startRun, startStep,
} from './journal.js';
import { testPlan } from '../../test/helpers/plan-doc.js';

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kspray-journal-'));
});

afterEach(async () => {
  clearSecrets();
  await rm(base, { recursive: true, force: true });
});

function sample() {
  const journal = registerSteps(createJournal('k1', testPlan()), [{ id: 'hop1:facts', hop: 1, kind: 'facts' }]);
  return startRun(journal, { runId: 'r1', at: '2024-05-01T10:00:00Z', pid: 1, host: 'ops1' });
}

describe('journal store', () => {
  it('has no journal before the first save', async () => {
    expect(await loadJournal(base, 'k1')).toBeUndefined();
  });

  it('says where the journal cannot be read (a directory in its place), exit 2, instead of a stack', async () => {
    await mkdir(journalPath(base, 'k1'), { recursive: true });
    const error = await loadJournal(base, 'k1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KsprayError);
    expect(error).toMatchObject({ exitCode: 2, message: `cannot read the run journal ${journalPath(base, 'k1')}: it is a directory` });
    expect((error as KsprayError).hint).toMatch(/move it aside/);
  });

  it('saves under .kspray/state/<cluster>.json, mode 0600, and loads the same journal back', async () => {
    const journal = startStep(sample(), 'hop1:facts', { at: '2024-05-01T10:00:01Z', hop: 1, kind: 'facts' });

    const { path, text } = await saveJournal(base, journal, new Date('2024-05-01T10:00:02Z'));

    expect(path).toBe(join(base, '.kspray', 'state', 'k1.json'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadJournal(base, 'k1')).toEqual({ ...journal, savedAt: '2024-05-01T10:00:02.000Z' });
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(await readdir(join(base, '.kspray', 'state'))).toEqual(['k1.json']);
  });

  it('is never seen half-written while it is rewritten', async () => {
    // Big steps make each write span many filesystem blocks.
    let journal = sample();
    for (let index = 0; index < 400; index += 1) {
      journal = startStep(journal, `hop1:wave${index}`, { at: '2024-05-01T10:00:00Z', hop: 1, kind: 'wave', logPath: 'x'.repeat(400) });
    }
    await saveJournal(base, journal);
    const path = journalPath(base, 'k1');
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        JSON.parse(await readFile(path, 'utf8'));
        reads += 1;
      }
    })();

    for (let round = 0; round < 30; round += 1) {
      journal = failStep(journal, `hop1:wave${round}`, { at: '2024-05-01T10:01:00Z', message: `round ${round}` });
      await saveJournal(base, journal);
    }
    writing = false;
    await reader;

    expect(reads).toBeGreaterThan(0);
    expect((await loadJournal(base, 'k1'))?.steps['hop1:wave29']?.message).toBe('round 29');
  });

  it('masks registered secrets before writing', async () => {
    registerSecret('s3cr3t-token');
    const journal = failStep(startStep(sample(), 'hop1:facts', { at: '2024-05-01T10:00:01Z', hop: 1, kind: 'facts' }), 'hop1:facts', {
      at: '2024-05-01T10:00:02Z', message: 'auth failed with s3cr3t-token',
    });

    await saveJournal(base, journal);

    const text = await readFile(journalPath(base, 'k1'), 'utf8');
    expect(text).not.toContain('s3cr3t-token');
    expect(text).toContain('auth failed with ***');
  });

  it('explains a damaged journal, a newer version and a foreign cluster', async () => {
    const path = journalPath(base, 'k1');
    await mkdir(join(base, '.kspray', 'state'), { recursive: true });

    await writeFile(path, '{"journalVersion": 1, "clu');
    await expect(loadJournal(base, 'k1')).rejects.toThrow(/not valid JSON/);

    await writeFile(path, JSON.stringify({ ...sample(), runs: 'no' }));
    await expect(loadJournal(base, 'k1')).rejects.toThrow(/damaged: runs:/);

    await writeFile(path, JSON.stringify({ ...sample(), journalVersion: 3 }));
    const newer = await loadJournal(base, 'k1').catch((error: unknown) => error);
    expect(newer).toBeInstanceOf(KsprayError);
    expect((newer as KsprayError).message).toMatch(/journalVersion 3/);

    await writeFile(path, JSON.stringify({ ...sample(), journalVersion: 1 }));
    await expect(loadJournal(base, 'k1')).rejects.toThrow(/written by an older kspray \(journalVersion 1\)/);

    // The recorded plan is read with the plan schema: a damaged one says where.
    const damaged = sample();
    await writeFile(path, JSON.stringify({ ...damaged, plan: { ...damaged.plan, hops: [{ ...damaged.plan.hops[0], steps: [{ id: 'hop1:facts', argv: 'sh -c x' }] }] } }));
    await expect(loadJournal(base, 'k1')).rejects.toThrow(/damaged: plan\.hops\.0\.steps\.0\./);

    await writeFile(path, JSON.stringify({ ...sample(), cluster: 'k2' }));
    await expect(loadJournal(base, 'k1')).rejects.toThrow(/belongs to cluster k2/);
  });

  it('refuses cluster names that would leave the state directory', () => {
    expect(() => journalPath(base, '../k1')).toThrow(/invalid cluster name/);
    expect(() => journalPath(base, '.hidden')).toThrow(/invalid cluster name/);
  });
});
