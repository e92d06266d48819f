import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.js';
import { batchesOf, DEFAULT_ESTIMATES, estimateStepMs } from './estimate.js';
import { nextWindowOpens, runDeadline, windowCloses } from './window-calendar.js';
import { shouldStart, windowFit } from './window-gate.js';
import { parseUntil, parseWindows } from './window-spec.js';

// 2024-05-04 is a Saturday.
const at = (iso: string): Date => new Date(iso);
const MIN = 60_000;

describe('parseWindows', () => {
  it('reads a day, a time range and a zone', () => {
    expect(parseWindows('Sat 01:00-05:00 UTC')).toEqual([{ days: [6], startMinute: 60, lengthMinutes: 240, zone: 'utc', text: 'Sat 01:00-05:00 UTC' }]);
  });

  it('reads day lists, day ranges (also across the week end), full names, and every day when no day is named', () => {
    expect(parseWindows('Sat,Sun 01:00-05:00 UTC')[0]!.days).toEqual([0, 6]);
    expect(parseWindows('Sat, Sun 01:00-05:00 UTC')).toHaveLength(1);
    expect(parseWindows('Mon-Fri 22:00-23:30')[0]!.days).toEqual([1, 2, 3, 4, 5]);
    expect(parseWindows('Fri-Mon 22:00-23:30')[0]!.days).toEqual([0, 1, 5, 6]);
    expect(parseWindows('saturday 01:00-05:00')[0]!.days).toEqual([6]);
    expect(parseWindows('01:00-05:00')[0]).toMatchObject({ days: [0, 1, 2, 3, 4, 5, 6], zone: 'local' });
  });

  it('reads a range crossing midnight and several windows', () => {
    const windows = parseWindows('Sat 23:00-03:00 UTC, Wed 22:00-24:00 local');
    expect(windows).toHaveLength(2);
    expect(windows[0]).toMatchObject({ days: [6], startMinute: 23 * 60, lengthMinutes: 240 });
    expect(windows[1]).toMatchObject({ days: [3], startMinute: 22 * 60, lengthMinutes: 120, zone: 'local' });
  });

  it.each(['Sat', 'Sat 25:00-03:00', 'Sat 01:00', 'Caturday 01:00-02:00', 'Sat 01:00-01:00', '', 'Sat, 01:61-02:00'])('refuses %j with a usage error', (text) => {
    expect(() => parseWindows(text)).toThrow(UsageError);
  });
});

describe('windowCloses / nextWindowOpens', () => {
  const saturday = parseWindows('Sat 01:00-05:00 UTC');

  it('is the end of the window now is in, undefined outside it', () => {
    expect(windowCloses(saturday, at('2024-05-04T01:00:00Z'))).toEqual(at('2024-05-04T05:00:00Z'));
    expect(windowCloses(saturday, at('2024-05-04T04:59:59Z'))).toEqual(at('2024-05-04T05:00:00Z'));
    expect(windowCloses(saturday, at('2024-05-04T05:00:00Z'))).toBeUndefined();
    expect(windowCloses(saturday, at('2024-05-04T00:59:00Z'))).toBeUndefined();
    expect(windowCloses(saturday, at('2024-05-05T02:00:00Z'))).toBeUndefined();
  });

  it('follows a window across midnight into the next day', () => {
    const night = parseWindows('Sat 23:00-03:00 UTC');
    expect(windowCloses(night, at('2024-05-05T02:30:00Z'))).toEqual(at('2024-05-05T03:00:00Z'));
    expect(windowCloses(night, at('2024-05-04T23:30:00Z'))).toEqual(at('2024-05-05T03:00:00Z'));
    // Sunday 23:30 is not in it: the window opens on Saturdays only.
    expect(windowCloses(night, at('2024-05-05T23:30:00Z'))).toBeUndefined();
  });

  it('joins windows that touch or overlap', () => {
    const joined = parseWindows('Sat 22:00-24:00 UTC, Sun 00:00-04:00 UTC');
    expect(windowCloses(joined, at('2024-05-04T22:30:00Z'))).toEqual(at('2024-05-05T04:00:00Z'));
  });

  it('says when the next window opens', () => {
    expect(nextWindowOpens(saturday, at('2024-05-04T06:00:00Z'))).toEqual(at('2024-05-11T01:00:00Z'));
    expect(nextWindowOpens(saturday, at('2024-05-03T12:00:00Z'))).toEqual(at('2024-05-04T01:00:00Z'));
  });

  it('honours local time (the controller TZ) for windows without UTC', () => {
    const local = parseWindows('01:00-05:00');
    const inside = new Date(2024, 4, 4, 3, 0);
    expect(windowCloses(local, inside)).toEqual(new Date(2024, 4, 4, 5, 0));
  });
});

describe('parseUntil and runDeadline', () => {
  const now = at('2024-05-04T03:00:00Z');

  it('reads ISO times and HH:MM (today, else tomorrow)', () => {
    expect(parseUntil('2024-05-04T05:00:00Z', now)).toEqual(at('2024-05-04T05:00:00Z'));
    expect(parseUntil('05:00 UTC', now)).toEqual(at('2024-05-04T05:00:00Z'));
    expect(parseUntil('02:00 UTC', now)).toEqual(at('2024-05-05T02:00:00Z'));
    expect(() => parseUntil('soon', now)).toThrow(UsageError);
    expect(() => parseUntil('29:00', now)).toThrow(UsageError);
  });

  it('takes the earlier of the window end and --until; refuses outside the window or after --until', () => {
    const windows = parseWindows('Sat 01:00-05:00 UTC');
    expect(runDeadline({ windows, until: at('2024-05-04T04:00:00Z') }, now)).toEqual({ closes: at('2024-05-04T04:00:00Z') });
    expect(runDeadline({ windows, until: at('2024-05-04T09:00:00Z') }, now)).toEqual({ closes: at('2024-05-04T05:00:00Z') });
    const outside = runDeadline({ windows }, at('2024-05-04T06:00:00Z'));
    expect(outside.closes).toBeUndefined();
    expect('reason' in outside && outside.reason).toMatch(/outside the maintenance window .*opens at 2024-05-11T01:00:00.000Z/);
    expect(runDeadline({ until: at('2024-05-04T02:00:00Z') }, now)).toMatchObject({ closes: undefined, reason: expect.stringMatching(/has passed/) });
  });
});

describe('estimates and shouldStart', () => {
  const masters = { kind: 'control-plane' as const, hosts: ['m1', 'm2', 'm3'], serial: null };
  const workers = { kind: 'workers' as const, hosts: ['w2', 'w3', 'w4', 'w5', 'w6'], serial: null };

  it('counts batches as Kubespray runs them: masters one by one, workers by serial or 20 %', () => {
    expect(batchesOf(masters)).toBe(3);
    expect(batchesOf(workers)).toBe(5);
    expect(batchesOf({ ...workers, hosts: Array.from({ length: 10 }, (_, i) => `w${i}`) })).toBe(5);
    expect(batchesOf({ ...workers, serial: 2 })).toBe(3);
    expect(batchesOf({ kind: 'facts', hosts: ['a', 'b'], serial: null })).toBe(1);
  });

  it('uses the default per batch without history', () => {
    expect(estimateStepMs(masters, { samples: {} })).toBe(3 * DEFAULT_ESTIMATES.perNodeBatchMs);
    expect(estimateStepMs({ kind: 'facts', hosts: ['a'], serial: null }, { samples: {} })).toBe(DEFAULT_ESTIMATES.factsMs);
  });

  it('learns the median time per batch from earlier steps, counting each step once', () => {
    const samples = {
      m1: [{ stepId: 'hop1:control-plane', hop: 1, kind: 'control-plane', durationMs: 30 * MIN }],
      m2: [{ stepId: 'hop1:control-plane', hop: 1, kind: 'control-plane', durationMs: 30 * MIN }],
      w1: [{ stepId: 'hop1:canary', hop: 1, kind: 'canary', durationMs: 4 * MIN }],
    };
    const batches = (id: string): number => (id === 'hop1:control-plane' ? 3 : 1);
    // 30 min for 3 batches: 10 min a batch, and the second hop's control plane has 3 batches.
    expect(estimateStepMs(masters, { samples, batchesOfStep: batches })).toBe(30 * MIN);
    // Workers learn from the canary (a node-upgrade kind) when no workers step ran yet: 4 min × 5 batches.
    expect(estimateStepMs(workers, { samples, batchesOfStep: batches })).toBe(20 * MIN);
  });

  it('starts a step only when it ends before the window closes', () => {
    const closes = at('2024-05-04T05:00:00Z');
    expect(shouldStart({ id: 'hop1:canary' }, at('2024-05-04T04:40:00Z'), closes, 20 * MIN)).toEqual({ go: true });
    const late = shouldStart({ id: 'hop1:canary' }, at('2024-05-04T04:41:00Z'), closes, 20 * MIN);
    expect(late.go).toBe(false);
    expect(!late.go && late.reason).toBe('hop1:canary not started: it takes about 20 min and the window closes at 2024-05-04T05:00:00.000Z (19 min left)');
    expect(shouldStart({ id: 'x' }, at('2024-05-04T04:41:00Z'), undefined, 0).go).toBe(false);
  });
});

describe('windowFit (the waves a shared run may take)', () => {
  const wave = (id: string, hosts: string[]) => ({
    id, kind: 'workers' as const, hop: 1, kubesprayTag: 'v2.16.0', title: id, limit: null, hosts, argv: null, inventory: 'i', cwd: '.', serial: hosts.length,
  });
  const waves = [wave('hop1:workers-1', ['a', 'b']), wave('hop1:workers-2', ['c', 'd']), wave('hop1:workers-3', ['e'])];
  const journal = { plan: { hops: [{ steps: waves }] }, steps: {}, stepOrder: [] } as unknown as Parameters<ReturnType<typeof windowFit>>[1];

  it('takes the waves that, back to back from now, end before the window closes (a wave a batch, 10 min by default)', async () => {
    const windows = parseWindows('Sat 01:00-05:00 UTC');
    const fit = (now: string) => windowFit({ windows }, () => at(now))(waves, journal);
    expect(await fit('2024-05-04T04:00:00Z')).toBe(3);
    expect(await fit('2024-05-04T04:35:00Z')).toBe(2);
    expect(await fit('2024-05-04T04:45:00Z')).toBe(1);
    expect(await fit('2024-05-04T04:55:00Z')).toBe(0);
    expect(await fit('2024-05-04T06:00:00Z')).toBe(0);
    expect(DEFAULT_ESTIMATES.perNodeBatchMs).toBe(10 * MIN);
  });
});
