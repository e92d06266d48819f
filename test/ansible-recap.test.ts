import { describe, expect, it } from 'vitest';
import { parseEventLine, type AnsibleEvent } from '../src/ansible/events.js';
import { ansibleErrorLine, parseRecap, summarizeRun } from '../src/ansible/recap.js';

// ansible 2.7 / 2.9 (2.7 prints four columns; 2.9 already prints seven).
const RECAP_27 = `
TASK [upgrade/post-upgrade : Uncordon node] ************************************
changed: [k1-master01 -> k1-master01]

PLAY RECAP *********************************************************************
k1-master01                : ok=412  changed=23   unreachable=0    failed=0   
k1-master02                : ok=398  changed=21   unreachable=0    failed=1   
localhost                  : ok=1    changed=0    unreachable=0    failed=0   

`;

const RECAP_29 = `PLAY RECAP *********************************************************************
k1-node01                  : ok=301  changed=12   unreachable=0    failed=0    skipped=610  rescued=0    ignored=1   
k1-node02                  : ok=17   changed=0    unreachable=1    failed=0    skipped=3    rescued=0    ignored=0   
`;

// ansible-core 2.14 with profile_tasks (Kubespray's ansible.cfg enables it): the timing block follows the recap.
const RECAP_CORE_PROFILE = `PLAY [k8s_cluster] *************************************************************

PLAY RECAP *********************************************************************
k1-a-very-long-hostname-01.example.org : ok=5    changed=2    unreachable=0    failed=0    skipped=1    rescued=1    ignored=0   
k1-node01                  : ok=3    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   

Sunday 22 November 2026  11:28:52 +0000 (0:00:00.679)       0:00:00.718 ******* 
=============================================================================== 
kubernetes/preinstall : Stop if either kube_control_plane or kube_node group is empty --- 0.68s
`;

const ev = (fields: Record<string, unknown>): AnsibleEvent => parseEventLine(JSON.stringify({ ts: 't', ...fields }))!;

describe('parseRecap', () => {
  it('reads the four columns of Ansible 2.7 and fills the rest with 0', () => {
    const recap = parseRecap(RECAP_27);

    expect(recap).toEqual({
      'k1-master01': { ok: 412, changed: 23, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
      'k1-master02': { ok: 398, changed: 21, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
      localhost: { ok: 1, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
    });
  });

  it('reads the seven columns of Ansible 2.9+', () => {
    expect(parseRecap(RECAP_29)?.['k1-node02']).toEqual({ ok: 17, changed: 0, unreachable: 1, failed: 0, skipped: 3, rescued: 0, ignored: 0 });
  });

  it('stops at the end of the block (profile_tasks output) and handles long host names and colours', () => {
    const coloured = RECAP_CORE_PROFILE.replace('k1-node01', '\u001b[0;32mk1-node01\u001b[0m');

    const recap = parseRecap(coloured);

    expect(Object.keys(recap ?? {})).toEqual(['k1-a-very-long-hostname-01.example.org', 'k1-node01']);
    expect(recap?.['k1-a-very-long-hostname-01.example.org']?.rescued).toBe(1);
  });

  it('uses the last recap of a log with several runs, and finds none in a parse error', () => {
    expect(Object.keys(parseRecap(`${RECAP_27}\n${RECAP_29}`) ?? {})).toEqual(['k1-node01', 'k1-node02']);
    expect(parseRecap('ERROR! A malformed block was encountered while loading tasks\n')).toBeUndefined();
  });
});

describe('summarizeRun', () => {
  it('is ok on exit 0 and names plays that matched no host', () => {
    const events = [
      ev({ type: 'play_start', name: 'Upgrade control plane', hosts: 'kube-master' }),
      ev({ type: 'no_hosts_matched' }),
    ];

    expect(summarizeRun(0, parseRecap(RECAP_29), events)).toMatchObject({ kind: 'ok', unmatchedPlays: ['Upgrade control plane'] });
  });

  it('names failed and unreachable hosts on exit 2', () => {
    const outcome = summarizeRun(2, parseRecap(RECAP_27));

    expect(outcome).toMatchObject({ kind: 'failed', failedHosts: ['k1-master02'], unreachableHosts: [], exitCode: 2 });
  });

  it('reads exit 4 as unreachable hosts when the recap shows them, and as a parse error when there is no recap', () => {
    expect(summarizeRun(4, parseRecap(RECAP_29))).toMatchObject({ kind: 'failed', failedHosts: [], unreachableHosts: ['k1-node02'] });
    expect(summarizeRun(4, undefined)).toMatchObject({ kind: 'error', exitCode: 4, message: expect.stringContaining('parse') });
  });

  it('falls back to the events’ final stats when stdout has no recap', () => {
    const events = [ev({ type: 'stats', hosts: { h1: { ok: 2, failed: 0 }, h2: { ok: 1, failed: 1 } } })];

    expect(summarizeRun(2, undefined, events)).toMatchObject({ kind: 'failed', failedHosts: ['h2'] });
  });

  it.each([
    [99, { kind: 'interrupted' }],
    [143, { kind: 'interrupted' }],
    [5, { kind: 'error', exitCode: 5, message: expect.stringContaining('options') }],
    [1, { kind: 'error', exitCode: 1 }],
    [250, { kind: 'error', exitCode: 250, message: expect.stringContaining('unexpected') }],
    [3, { kind: 'failed', failedHosts: [], unreachableHosts: [] }],
  ])('maps exit %i without host evidence', (code, expected) => {
    expect(summarizeRun(code, undefined)).toMatchObject(expected);
  });
});

describe('ansibleErrorLine', () => {
  it('finds the last ERROR! line', () => {
    expect(ansibleErrorLine('[WARNING]: x\nERROR! the playbook: nope.yml could not be found\n')).toBe('ERROR! the playbook: nope.yml could not be found');
    expect(ansibleErrorLine('all fine\n')).toBeUndefined();
  });
});
