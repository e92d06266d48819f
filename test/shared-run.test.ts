/**
 * Waves in one ansible-playbook run (src/apply/shared-run.ts) against the real
 * ansible-playbook: a calico-like batched play, then the worker play, both with
 * `serial` from `-e {"serial":[…]}` as Kubespray writes it. Ansible's batches
 * follow the inventory order; each wave's outcome arrives when its batch of the
 * worker play is over, and the next batch waits until it is released (kspray's
 * callback holds it); a stop at that hold ends the run before any task of the
 * next batch; a failure stops the run in its wave; an interruption names the
 * hosts of the wave that had started its batch; an inventory whose order does
 * not match the waves stops the run before the misplaced batch runs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playbookArgv } from '../src/ansible/playbook.js';
import { startSharedRun } from '../src/apply/shared-run.js';
import type { ProgressState } from '../src/ansible/host-progress.js';
import type { StepOutcome } from '../src/apply/run-step.js';
import type { PlanStep } from '../src/plan/types.js';
import { serialListVars } from '../src/plan/wave-run.js';

const WORKER_PLAY = 'Finally handle worker upgrades, based on given batch size';
const WAVES = [['n1'], ['n2', 'n3'], ['n4', 'n5']];

const PLAYBOOK = `
- name: Upgrade calico on all masters and nodes
  hosts: kube_node
  gather_facts: false
  serial: "{{ serial | default('20%') }}"
  any_errors_fatal: true
  tasks:
    - name: Calico
      raw: "true"
      delegate_to: localhost
- name: ${WORKER_PLAY}
  hosts: kube_node:!kube_control_plane
  gather_facts: false
  serial: "{{ serial | default('20%') }}"
  any_errors_fatal: true
  tasks:
    - name: Pre-upgrade (as Kubespray's worker play, tasks run before the drain)
      raw: sleep {{ 20 if inventory_hostname in (slow_hosts | default('')).split(',') else (pre_upgrade_seconds | default(0.5)) }}
      delegate_to: localhost
    - name: Upgrade node
      raw: printf '%s\\n' {{ inventory_hostname }} >> {{ journal }}; case ,{{ fail_hosts | default('') }}, in *,{{ inventory_hostname }},*) exit 1;; esac
      delegate_to: localhost
- hosts: kube_node
  gather_facts: false
  tasks:
    - name: After the worker play
      raw: "true"
      delegate_to: localhost
`;

function inventory(order: string[]): string {
  return `[kube_control_plane]\n\n[kube_node]\n${order.join('\n')}\n\n[all:vars]\nansible_connection=local\nansible_python_interpreter="{{ ansible_playbook_python }}"\n`;
}

describe('startSharedRun (real ansible-playbook)', () => {
  let dir: string;
  let count = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-shared-run-'));
    await writeFile(join(dir, 'upgrade.yml'), PLAYBOOK);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Runs the waves; resolves each wave's outcome in order, as apply awaits them, noting which hosts had run by
   * then; releases each later wave's batch, as apply does, unless `stopBefore` names it (then the run is stopped there).
   */
  async function runWaves(
    order: string[], extra: Record<string, string> = {}, interruptWhen?: (stepId: string, state: ProgressState) => boolean, stopBefore?: string,
  ): Promise<{ outcomes: StepOutcome[]; ranBefore: string[][]; ranAtEnd: string[]; argv: readonly string[] }> {
    const run = ++count;
    const journal = join(dir, `journal-${run}`);
    await writeFile(journal, '');
    await writeFile(join(dir, `hosts-${run}.ini`), inventory(order));
    const argv = playbookArgv({
      playbook: join(dir, 'upgrade.yml'), inventory: join(dir, `hosts-${run}.ini`),
      extraVars: { journal, ...extra }, ownVars: serialListVars(WAVES.map((w) => w.length)), limit: WAVES.flat().join(','),
    });
    const steps: PlanStep[] = WAVES.map((hosts, i) => ({
      id: `hop1:workers-${i + 1}`, kind: 'workers', hop: 1, kubesprayTag: 'v2.16.0', title: `wave ${i + 1}`, limit: WAVES.flat().join(','),
      hosts, argv, inventory: join(dir, `hosts-${run}.ini`), cwd: dir, serial: hosts.length, sharedRun: { id: 'hop1:workers', play: WORKER_PLAY },
    }));
    const interrupt = new AbortController();
    const shared = await startSharedRun(steps, {
      env: { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp') },
      logFile: join(dir, `run-${run}.log`), eventsFile: join(dir, `run-${run}.events.jsonl`), signal: interrupt.signal, controlDir: join(dir, `run-${run}.control`),
    });
    const outcomes: StepOutcome[] = [];
    const ranBefore: string[][] = [];
    for (const [index, step] of steps.entries()) {
      if (step.id === stopBefore) {
        await shared.stop();
        break;
      }
      if (index > 0) await shared.release(step.id);
      const outcome = await shared.outcomeOf(step.id, {
        progress: (state) => {
          if (interruptWhen?.(step.id, state)) interrupt.abort('SIGINT');
        },
      });
      outcomes.push(outcome);
      ranBefore.push((await readFile(journal, 'utf8')).split('\n').filter(Boolean));
      if (outcome.kind !== 'succeeded') break;
    }
    await shared.ended;
    const ranAtEnd = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    return { outcomes, ranBefore, ranAtEnd, argv: shared.argv };
  }

  it('runs Ansible batches as the waves, in inventory order, each batch waiting until the wave before it is over', async () => {
    const { outcomes, ranBefore, argv } = await runWaves(['n1', 'n2', 'n3', 'n4', 'n5'], { pre_upgrade_seconds: '0.5' });
    expect(argv).toContain('{"serial":[1,2,2]}');
    expect(outcomes.map((o) => o.kind)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Wave 1's outcome came at its own batch boundary, while the next batch waited for its release.
    expect(ranBefore[0]).toEqual(['n1']);
    expect(ranBefore[1]!.sort()).toEqual(['n1', 'n2', 'n3']);
    expect(ranBefore[2]!.sort()).toEqual(WAVES.flat());
    expect(Object.keys(outcomes[1]!.hosts).sort()).toEqual(['n2', 'n3']);
    expect(outcomes[2]!.hosts.n4).toMatchObject({ failed: 0 });
    // A wave's duration is its batch's (Ansible's event times), not the moment kspray noticed: each ran a 0.5 s task.
    for (const outcome of outcomes) expect(outcome.durationMs).toBeGreaterThanOrEqual(500);
  });

  it('ends the run at a held batch when asked: no task of that batch or any later one runs', async () => {
    const { outcomes, ranAtEnd } = await runWaves(['n1', 'n2', 'n3', 'n4', 'n5'], {}, undefined, 'hop1:workers-2');
    expect(outcomes.map((o) => o.kind)).toEqual(['succeeded']);
    expect(ranAtEnd).toEqual(['n1']);
  });

  it('stops in the wave that failed: earlier waves done, no host of a later wave touched', async () => {
    const { outcomes, ranBefore } = await runWaves(['n1', 'n2', 'n3', 'n4', 'n5'], { fail_hosts: 'n3' });
    expect(outcomes.map((o) => o.kind)).toEqual(['succeeded', 'failed']);
    expect(outcomes[1]).toMatchObject({ failedHosts: ['n3'], message: 'failed on n3' });
    expect(ranBefore[1]!.some((host) => WAVES[2]!.includes(host))).toBe(false);
  });

  it('says, when interrupted, which hosts of the wave had started its batch of the worker play (they may be cordoned)', async () => {
    // Running in this batch (a host still shows 'running' from the calico play until its first task here).
    const startedBatch = (state: ProgressState, hosts: string[]) =>
      state.play === WORKER_PLAY && hosts.every((host) => state.hosts[host]?.status === 'running' && state.hosts[host]?.playSeq === state.playSeq);
    const { outcomes } = await runWaves(['n1', 'n2', 'n3', 'n4', 'n5'], { slow_hosts: 'n2,n3' }, (stepId, state) => stepId === 'hop1:workers-2' && startedBatch(state, ['n2', 'n3']));

    expect(outcomes.map((o) => o.kind)).toEqual(['succeeded', 'interrupted']);
    expect(outcomes[1]!.interruptedIn).toEqual({ play: WORKER_PLAY, hosts: ['n2', 'n3'] });
  });

  it('stops the run when the inventory order does not make the batches the waves', async () => {
    // Kubespray's worker play runs minutes of tasks before its drain; a long first task
    // here gives kspray that margin too, so a busy machine's event delay is not a miss.
    const { outcomes, ranBefore } = await runWaves(['n4', 'n1', 'n2', 'n3', 'n5'], { pre_upgrade_seconds: '20' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ kind: 'failed' });
    expect(outcomes[0]!.message).toContain('n4 ran "Finally handle worker upgrades');
    // Stopped in the misplaced batch's first task, before its node upgrade.
    expect(ranBefore[0]).toEqual([]);
  });
});
