import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followEvents, parseEventLine, type AnsibleEvent } from '../src/ansible/events.js';

describe('parseEventLine', () => {
  it('parses a host result as the plugin writes it', () => {
    const line = '{"action": "fail", "changed": false, "host": "k1-node02", "ignored": false, "message": "boom", '
      + '"status": "failed", "task": "Drain node", "ts": "2026-11-22T11:24:48.057Z", "type": "host_result", "uuid": "u-9", "v": 1}';

    const event = parseEventLine(line);

    expect(event).toMatchObject({ type: 'host_result', host: 'k1-node02', status: 'failed', task: 'Drain node', message: 'boom', changed: false });
  });

  it('fills stats counts an old Ansible does not report with 0', () => {
    const event = parseEventLine('{"type": "stats", "ts": "t", "hosts": {"h1": {"ok": 3, "changed": 1, "failed": 0, "unreachable": 0, "skipped": 2}}}');

    expect(event).toEqual(expect.objectContaining({ type: 'stats' }));
    expect(event?.type === 'stats' && event.hosts.h1).toEqual({ ok: 3, changed: 1, failed: 0, unreachable: 0, skipped: 2, rescued: 0, ignored: 0 });
  });

  it('keeps a play start with its serial list of numbers and percentages', () => {
    const event = parseEventLine('{"type": "play_start", "ts": "t", "name": "Upgrade workers", "hosts": "kube_node", "serial": [1, "20%"]}');

    expect(event).toMatchObject({ type: 'play_start', name: 'Upgrade workers', hosts: 'kube_node', serial: [1, '20%'] });
  });

  it.each([
    ['an empty line', ''],
    ['text', 'PLAY RECAP ****'],
    ['a truncated object', '{"type": "host_result", "host": "h1"'],
    ['an unknown type', '{"type": "v3_mystery", "ts": "t"}'],
    ['a result without a host', '{"type": "host_result", "ts": "t", "status": "ok"}'],
    ['a result with an unknown status', '{"type": "host_result", "ts": "t", "host": "h1", "status": "weird"}'],
    ['a JSON array', '[1, 2]'],
  ])('ignores %s', (_what, line) => {
    expect(parseEventLine(line)).toBeUndefined();
  });
});

describe('followEvents', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-events-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const line = (n: number): string => `${JSON.stringify({ type: 'task_start', ts: 't', name: `task ${n}`, uuid: `u${n}` })}\n`;
  const names = (events: AnsibleEvent[]): string[] => events.map((event) => (event.type === 'task_start' ? event.name : event.type));

  it('delivers every line exactly once while the file grows, split writes and a late file included', async () => {
    const file = join(dir, 'events.jsonl');
    const seen: AnsibleEvent[] = [];
    const stop = new AbortController();
    const following = followEvents(file, (event) => seen.push(event), stop.signal, { intervalMs: 20 });

    await sleep(60); // the file does not exist yet
    await writeFile(file, line(1));
    const second = line(2);
    await appendFile(file, second.slice(0, 15)); // half a line: must wait for the rest
    await vi.waitFor(() => expect(names(seen)).toEqual(['task 1']), { timeout: 10_000, interval: 10 });
    await sleep(60); // a few more polls: the half line stays unread
    expect(names(seen)).toEqual(['task 1']);
    await appendFile(file, second.slice(15) + 'not json\n' + line(3));
    await vi.waitFor(() => expect(names(seen)).toEqual(['task 1', 'task 2', 'task 3']), { timeout: 10_000, interval: 10 });

    await appendFile(file, line(4) + line(5));
    stop.abort(); // lines written just before the abort are still delivered
    await following;

    expect(names(seen)).toEqual(['task 1', 'task 2', 'task 3', 'task 4', 'task 5']);
  });

  it('starts at the given offset and flushes a final line without a newline', async () => {
    const file = join(dir, 'events.jsonl');
    const old = line(1);
    await writeFile(file, old + line(2).trimEnd());
    const seen: AnsibleEvent[] = [];
    const stop = new AbortController();
    stop.abort();

    await followEvents(file, (event) => seen.push(event), stop.signal, { fromOffset: Buffer.byteLength(old) });

    expect(names(seen)).toEqual(['task 2']);
  });

  it('keeps multi-byte characters split across reads intact', async () => {
    const file = join(dir, 'events.jsonl');
    // 90 KB of 3-byte characters after a 38-byte prefix: the 64 KiB read boundary falls inside one.
    const name = '✓'.repeat(30_000);
    await writeFile(file, `${JSON.stringify({ type: 'task_start', ts: 't', name })}\n`);
    const seen: AnsibleEvent[] = [];
    const stop = new AbortController();
    stop.abort();

    await followEvents(file, (event) => seen.push(event), stop.signal);

    expect(names(seen)).toEqual([name]);
  });
});
