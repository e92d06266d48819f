import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../apply/events.js';
import { openEventsFile } from './events-file.js';

const event = { type: 'note', text: 'hello', stepId: null, at: '2026-12-06T10:00:00.000Z' } as unknown as EngineEvent;

describe('--events FILE', () => {
  it('appends one JSON line per event and closes quietly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kspray-events-file-'));
    try {
      const file = await openEventsFile(join(dir, 'events.jsonl'));
      file.listener(event);
      file.listener(event);
      expect(await file.close()).toBeUndefined();
      expect((await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([event, event]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says, once it closes, that writing stopped when the disk is full (/dev/full)', async () => {
    const file = await openEventsFile('/dev/full');
    file.listener(event);
    file.listener(event);
    expect(await file.close()).toMatch(/^--events \/dev\/full: writing stopped after 0 event\(s\) \(ENOSPC\): the file misses the rest of the run/);
  });
});
