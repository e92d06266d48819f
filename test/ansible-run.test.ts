/**
 * runPlaybook against the real ansible-playbook (ansible-core 2.14), hosts on
 * ansible_connection=local: the callback plugin loads, events arrive live,
 * and the outcome names the hosts that failed.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnsibleEvent } from '../src/ansible/events.js';
import { formatHostLine, initialProgress, reduceProgress } from '../src/ansible/host-progress.js';
import { playbookArgv, runPlaybook } from '../src/ansible/playbook.js';

const NODES = ['k1-node01', 'k1-node02', 'k1-node03'];
const WORKER_PLAY = 'Finally handle worker upgrades, based on given batch size';

const INVENTORY = `[kube_node]
${NODES.join('\n')}

[ssh_only]
k1-gone ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1

[all:vars]
ansible_connection=local
ansible_python_interpreter="{{ ansible_playbook_python }}"
`;

const FAILING = `
- name: ${WORKER_PLAY}
  hosts: kube_node
  gather_facts: false
  tasks:
    - name: Cordon node
      command: echo s3cr3t-module-argument
    - name: Wait for node Ready
      debug:
        msg: checking
      register: ready
      until: ready.attempts | default(0) >= 2
      retries: 3
      delay: 0
    - name: Drain node
      fail:
        msg: "drain timed out on {{ inventory_hostname }}"
      when: inventory_hostname == 'k1-node02'
    - name: Uncordon node
      debug:
        msg: done
`;

const WAITING = `
- name: Wait for kspray
  hosts: k1-node01
  gather_facts: false
  tasks:
    - name: Announce
      debug:
        msg: hello
    - name: Wait for the release file
      wait_for:
        path: "{{ release_file }}"
        timeout: 40
`;

describe('runPlaybook (real ansible-playbook)', () => {
  let dir: string;
  let env: Record<string, string>;
  const argv = (playbook: string, extra: Record<string, string> = {}): string[] =>
    playbookArgv({ playbook: join(dir, playbook), inventory: join(dir, 'hosts.ini'), extraVars: extra });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-run-'));
    await writeFile(join(dir, 'hosts.ini'), INVENTORY);
    await writeFile(join(dir, 'failing.yml'), FAILING);
    await writeFile(join(dir, 'waiting.yml'), WAITING);
    env = {
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_LOCAL_TEMP: join(dir, 'local-tmp'),
      ANSIBLE_REMOTE_TEMP: join(dir, 'remote-tmp'),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams events for a 3-host play where one host fails, and names it in events, stats, recap and outcome', async () => {
    const seen: AnsibleEvent[] = [];
    const eventsFile = join(dir, 'failing.events.jsonl');
    const logFile = join(dir, 'failing.log');

    const run = await runPlaybook({ argv: argv('failing.yml'), cwd: dir, env, eventsFile, logFile, onEvent: (event) => seen.push(event) });

    expect(run.result?.exitCode).toBe(2);
    expect(run.outcome).toMatchObject({ kind: 'failed', failedHosts: ['k1-node02'], unreachableHosts: [] });
    expect(seen).toEqual(run.events);
    expect(seen[0]).toMatchObject({ type: 'playbook_start' });
    expect(seen.find((event) => event.type === 'play_start')).toMatchObject({ name: WORKER_PLAY, hosts: 'kube_node' });
    const failures = seen.filter((event) => event.type === 'host_result' && event.status === 'failed');
    expect(failures).toEqual([expect.objectContaining({ host: 'k1-node02', task: 'Drain node', message: 'drain timed out on k1-node02' })]);
    const stats = seen.at(-1);
    expect(stats?.type).toBe('stats');
    expect(stats?.type === 'stats' && stats.hosts).toEqual(run.recap);
    expect(run.recap?.['k1-node02']).toMatchObject({ failed: 1 });
    expect(run.recap?.['k1-node01']).toMatchObject({ ok: 3, changed: 1, failed: 0, skipped: 1 });
    expect(seen).toContainEqual(expect.objectContaining({ type: 'host_retry', host: 'k1-node03', task: 'Wait for node Ready', attempts: 1, retries: 4 }));
    // Module arguments never reach the events file; the whole output does reach the log.
    expect(await readFile(eventsFile, 'utf8')).not.toContain('s3cr3t');
    expect(await readFile(logFile, 'utf8')).toContain('PLAY RECAP');

    const progress = seen.reduce(reduceProgress, initialProgress(NODES));
    expect(NODES.map((host) => progress.hosts[host]?.status)).toEqual(['ok', 'failed', 'ok']);
    expect(formatHostLine('k1-node02', progress)).toBe('k1-node02  play: Finally handle worker upgrades…  ok=2 changed=1 failed=1  FAILED');
  });

  it('delivers events while the play runs: the play only finishes because onEvent released it', async () => {
    const release = join(dir, 'release-live');

    const run = await runPlaybook({
      argv: argv('waiting.yml', { release_file: release }), cwd: dir, env, eventsFile: join(dir, 'live.events.jsonl'),
      onEvent: (event) => {
        if (event.type === 'host_result' && event.task === 'Announce') writeFileSync(release, 'go\n');
      },
    });

    expect(run.outcome).toMatchObject({ kind: 'ok', unmatchedPlays: [] });
    expect(run.recap?.['k1-node01']).toMatchObject({ ok: 2, failed: 0 });
  });

  it('is interrupted when the signal aborts mid-task', async () => {
    const release = join(dir, 'release-interrupt');
    const stop = new AbortController();
    try {
      const run = await runPlaybook({
        argv: argv('waiting.yml', { release_file: release }), cwd: dir, env, eventsFile: join(dir, 'interrupt.events.jsonl'), signal: stop.signal,
        onEvent: (event) => {
          if (event.type !== 'host_task_start' || event.task !== 'Wait for the release file') return;
          stop.abort();
          // The chokepoint signals ansible-playbook alone: its worker lives on, holding stdout open until
          // its task ends. Releasing the task keeps this test short (see the report on process groups).
          writeFileSync(release, 'go\n');
        },
      });

      expect(run.outcome).toEqual({ kind: 'interrupted' });
      expect(run.result).toBeUndefined();
      expect(run.events.some((event) => event.type === 'stats')).toBe(false);
    } finally {
      writeFileSync(release, 'go\n');
      await waitForNoProcessMentioning(dir, 20_000);
    }
  });

  it('names unreachable hosts (exit 4 with a recap) as a failed outcome', async () => {
    await writeFile(join(dir, 'ping.yml'), '- hosts: ssh_only\n  gather_facts: false\n  tasks:\n    - ping:\n');

    const run = await runPlaybook({ argv: argv('ping.yml'), cwd: dir, env, eventsFile: join(dir, 'unreachable.events.jsonl') });

    expect(run.result?.exitCode).toBe(4);
    expect(run.outcome).toMatchObject({ kind: 'failed', failedHosts: [], unreachableHosts: ['k1-gone'] });
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'host_result', host: 'k1-gone', status: 'unreachable' }));
  });

  it('reports a playbook that does not parse as an error with Ansible’s message', async () => {
    await writeFile(join(dir, 'broken.yml'), '- hosts: all\n  tasks:\n    - debug: msg=x\n   bad: [indent\n');

    const run = await runPlaybook({ argv: argv('broken.yml'), cwd: dir, env, eventsFile: join(dir, 'broken.events.jsonl') });

    expect(run.outcome).toMatchObject({ kind: 'error', exitCode: 4, message: expect.stringContaining('ERROR!') });
    expect(run.recap).toBeUndefined();
  });

  it('keeps the callbacks Kubespray’s ansible.cfg enables, and names plays that matched no host', async () => {
    const project = await mkdtemp(join(dir, 'kubespray-'));
    await writeFile(join(project, 'ansible.cfg'), '[defaults]\nstdout_callback = default\ncallbacks_enabled = profile_tasks\n');
    await writeFile(join(project, 'upgrade.yml'), [
      '- name: Upgrade control plane', '  hosts: kube-master', '  gather_facts: false', '  tasks:', '    - debug: msg=x',
      '- name: Upgrade workers', '  hosts: k1-node03', '  gather_facts: false', '  tasks:', '    - name: Drain node', '      debug: msg=x',
    ].join('\n'));

    const run = await runPlaybook({
      argv: playbookArgv({ playbook: 'upgrade.yml', inventory: join(dir, 'hosts.ini') }), cwd: project, env,
      eventsFile: join(project, 'events.jsonl'),
    });

    expect(run.outcome).toMatchObject({ kind: 'ok', unmatchedPlays: ['Upgrade control plane'] });
    expect(run.result?.stdout).toMatch(/^Drain node -+ \d+\.\d+s$/m); // profile_tasks' summary still printed
    expect(Object.keys(run.recap ?? {})).toEqual(['k1-node03']);
  });
});

/** Polls /proc until no process has `text` in its command line (Ansible's workers and modules name the test dir). */
async function waitForNoProcessMentioning(text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await processesMentioning(text);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes still running: ${pids.join(', ')}`);
    await sleep(200);
  }
}

async function processesMentioning(text: string): Promise<string[]> {
  const pids: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = join('/proc', pid, 'cmdline');
    if (!existsSync(cmdline)) continue;
    const args = await readFile(cmdline, 'utf8').catch(() => '');
    if (args.includes(text) && Number(pid) !== process.pid) pids.push(pid);
  }
  return pids;
}
