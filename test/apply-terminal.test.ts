/**
 * The live view in a real terminal: a 120×40 tmux pane runs `kspray apply`
 * on a 30-worker fixture, and the screen is sampled while it runs. On every
 * screen once the run started, the step title is there, the live block fits
 * the screen and names no host twice (it is redrawn in place, not appended).
 * The same run's --events FILE validates against schema/events.schema.json
 * and holds every step's start and end, each wave, each host's result. A
 * failing host's play, task and Ansible's message are on the screen and in
 * what the process wrote to its stderr (the pane's raw output).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { fixtureWaivers, setupApplyFixture, type ApplyFixture } from './helpers/apply-fixture.js';
import { repoRoot, withTempDir } from './helpers/cli.js';

const COLUMNS = 120;
const ROWS = 40;
const ESC = String.fromCharCode(27);
const HOST = /\bk1-(?:node|master)\d\d\b/g;

interface Screen {
  lines: string[];
  columns: number;
  rows: number;
}

interface PaneRun {
  screens: Screen[];
  /** Everything the process wrote to the terminal (its stderr), escapes removed. */
  raw: string;
  rawWithEscapes: string;
  exitCode: number;
}

/** Runs kspray in a fresh tmux pane and samples the screen until the command has exited; `resize` shrinks the terminal once its screen matches. */
async function inPane(fx: ApplyFixture, session: string, args: readonly string[], env: Record<string, string>, resize?: { when: RegExp; columns: number; rows: number }): Promise<PaneRun> {
  const script = join(fx.dir, `${session}.sh`);
  const rawFile = join(fx.dir, `${session}.raw`);
  const go = join(fx.dir, `${session}.go`);
  const exports = Object.entries({ ...fx.env, ...env }).map(([key, value]) => `export ${key}='${value}'`).join('\n');
  // A terminal, not CI: the live view is for people at one.
  // It waits for the go file: the pane's output is piped to rawFile from its first byte.
  await writeFile(script, `#!/bin/sh\nunset CI\ncd '${fx.dir}'\n${exports}\nwhile [ ! -e '${go}' ]; do sleep 0.05; done\nnode '${join(repoRoot, 'bin', 'kspray.js')}' ${args.map((a) => `'${a}'`).join(' ')}\necho "EXIT=$?"\nsleep 600\n`, { mode: 0o755 });
  const tmux = (...argv: string[]): string => execFileSync('tmux', argv, { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', session, '-x', String(COLUMNS), '-y', String(ROWS), script);
  try {
    tmux('pipe-pane', '-t', session, `cat >> '${rawFile}'`);
    await writeFile(go, '');
    const screens: Screen[] = [];
    let size = { columns: COLUMNS, rows: ROWS };
    for (;;) {
      // -J: a line the terminal wrapped comes back as the one line that was written.
      const screen = tmux('capture-pane', '-p', '-J', '-t', session).split('\n');
      screens.push({ lines: screen, ...size });
      if (resize && size.rows === ROWS && screen.some((line) => resize.when.test(line))) {
        tmux('resize-window', '-t', session, '-x', String(resize.columns), '-y', String(resize.rows));
        size = { columns: resize.columns, rows: resize.rows };
      }
      const exit = screen.map((line) => /^EXIT=(\d+)$/.exec(line)).find(Boolean);
      if (exit) {
        const rawWithEscapes = existsSync(rawFile) ? await readFile(rawFile, 'utf8') : '';
        return { screens, raw: stripEscapes(rawWithEscapes), rawWithEscapes, exitCode: Number(exit[1]) };
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  } finally {
    tmux('kill-session', '-t', session);
  }
}

function stripEscapes(text: string): string {
  return text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '').replace(/\r/g, '');
}

/** The live block of a screen: from the pinned title (▶) to the last line written. */
function liveBlock(screen: string[]): string[] | undefined {
  const top = screen.findIndex((line) => line.startsWith('▶ '));
  if (top < 0) return undefined;
  let bottom = screen.length;
  while (bottom > top && screen[bottom - 1]!.trim() === '') bottom--;
  return screen.slice(top, bottom);
}

describe('kspray apply at a terminal (tmux, 120×40)', () => {
  it('keeps a bounded live block redrawn in place on 30 workers, writes every event, and names a failing host\'s play, task and message', async () => {
    await withTempDir(async (dir) => {
      const fx = await setupApplyFixture(dir, { tags: ['v2.12.10', 'v2.13.4'], workers: 30 });
      const events = join(dir, 'events.jsonl');
      const apply = ['apply', '-c', fx.clusterFile, '--to', '1.17', '--yes', ...fixtureWaivers([])];

      // The terminal shrinks to 100×8 while the workers run: the block follows it.
      const small = { when: /^▶ hop1:workers-1 /, columns: 100, rows: 8 };
      const run = await inPane(fx, `kspray-view-${process.pid}`, [...apply, '--events', events], { NO_COLOR: '1', KSPRAY_FIXTURE_HOST_SECONDS: '0.5' }, small);
      expect(run.exitCode, run.raw.slice(-2000)).toBe(0);
      // From the first step until the last one ended (then there is no step left to pin).
      const live = run.screens.slice(run.screens.findIndex((screen) => liveBlock(screen.lines) !== undefined))
        .filter((screen) => !screen.lines.some((line) => line.startsWith('✔ hop1:verify ')));
      expect(live.length).toBeGreaterThan(5);
      const sawHosts = new Set<string>();
      for (const screen of live) {
        const block = liveBlock(screen.lines);
        expect(block, screen.lines.join('\n')).toBeDefined();
        expect(block![0]).toMatch(/^▶ hop1:[a-z-]+\d*  \S/);
        expect(block!.length, screen.lines.join('\n')).toBeLessThan(screen.rows);
        expect(block!.every((line) => line.length < screen.columns)).toBe(true);
        const hosts = block!.join('\n').match(HOST) ?? [];
        expect(new Set(hosts).size, block!.join('\n')).toBe(hosts.length);
        for (const host of hosts) sawHosts.add(host);
      }
      // The workers step was watched with its hosts listed, not just a title, also once the terminal was small.
      expect([...sawHosts].filter((host) => host.startsWith('k1-node')).length).toBeGreaterThan(3);
      const shrunk = live.filter((screen) => screen.rows === small.rows && (liveBlock(screen.lines)?.[0] ?? '').startsWith('▶ hop1:workers-1 '));
      expect(shrunk.length).toBeGreaterThan(2);
      // NO_COLOR: no colour escapes, only the cursor moves of the redraw.
      expect(run.rawWithEscapes).not.toMatch(new RegExp(`${ESC}\\[3\\dm`));
      expect(run.rawWithEscapes).toContain(`${ESC}[J`);

      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(await readFile(join(repoRoot, 'schema', 'events.schema.json'), 'utf8')) as object);
      const lines = (await readFile(events, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
      const of = (type: string, phase?: string) => lines.filter((e) => e.type === type && (phase === undefined || e.phase === phase));
      const started = of('run', 'start')[0] as { steps: Array<{ id: string; kind: string }> };
      const stepIds = started.steps.map((step) => step.id);
      expect(stepIds).toEqual(['hop1:facts', 'hop1:cleanup-caches', 'hop1:etcd-snapshot', 'hop1:control-plane', 'hop1:canary', 'hop1:workers-1', 'hop1:verify']);
      expect(of('step', 'start').map((e) => e.stepId)).toEqual(stepIds);
      expect(of('step', 'end').map((e) => [e.stepId, e.status])).toEqual(stepIds.map((id) => [id, 'succeeded']));
      expect(of('wave', 'start').map((e) => e.stepId)).toEqual(['hop1:canary', 'hop1:workers-1']);
      expect(of('wave', 'end').map((e) => [e.stepId, e.status])).toEqual([['hop1:canary', 'succeeded'], ['hop1:workers-1', 'succeeded']]);
      for (const wave of of('wave', 'end')) expect(wave.durationMs as number).toBeGreaterThan(0);
      const results = new Set(of('host', 'result').map((e) => e.host as string));
      for (let i = 1; i <= 30; i++) expect(results.has(`k1-node${String(i).padStart(2, '0')}`), `k1-node${i}`).toBe(true);
      expect(of('run', 'end')[0]).toMatchObject({ status: 'succeeded', exitCode: 0 });

      // A host that fails: its play, task and Ansible's message, on the screen and on stderr, once; colour when NO_COLOR is not set.
      const failing = 'k1-node04';
      await rmState(fx);
      const failed = await inPane(fx, `kspray-fail-${process.pid}`, apply, { KSPRAY_FIXTURE_FAIL_HOSTS: failing });
      expect(failed.exitCode).toBe(1);
      const last = failed.screens.at(-1)!.lines.join('\n');
      for (const text of [
        `hop1:workers-1 failed on ${failing}`,
        `${failing}: play "Finally handle worker upgrades, based on given batch size", task "kspray fixture | journal line and node upgrade emulation": non-zero return code: kspray fixture: upgrade of ${failing} fails as asked (KSPRAY_FIXTURE_FAIL_HOSTS)`,
        'full output: inventories/k1/.kspray/runs/',
        'resume at hop1:workers-1: kspray apply -c ',
      ]) {
        expect(last).toContain(text);
        expect(failed.raw).toContain(text);
      }
      expect(failed.raw.split(`${failing}: play "Finally handle worker upgrades`).length).toBe(2);
      expect(failed.rawWithEscapes).toMatch(new RegExp(`${ESC}\\[31m`));
    });
  });
});

/** Back to v1.16.3 for the second run: the first one upgraded the fixture and the cluster file. */
async function rmState(fx: ApplyFixture): Promise<void> {
  const { rm } = await import('node:fs/promises');
  await rm(join(fx.dir, 'inventories', 'k1', '.kspray', 'state'), { recursive: true, force: true });
  await rm(fx.stateDir, { recursive: true, force: true });
  const text = await readFile(fx.clusterFile, 'utf8');
  await writeFile(fx.clusterFile, text.replace('version: v1.17.12', 'version: v1.16.3').replace('tag: v2.13.4', 'tag: v2.12.10'));
}
