import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import { type AnsibleCheckHop, checkAnsibleVersions, coreMinorFits } from './ansible.js';

const catalog = loadCatalog();

/** A hop as the planner describes its Ansible, from the bundled catalog's record of the tag. */
function hop(index: number, tag: string, mode: 'system' | 'venv' = 'system'): AnsibleCheckHop {
  return {
    index, tag,
    ansible: {
      pins: catalog.ansiblePins(tag), range: catalog.ansibleRange(tag), impliedCore: catalog.impliedCore(tag) ?? null,
      mode, executable: mode === 'venv' ? `/cache/venvs/${tag}/bin/ansible-playbook` : 'ansible-playbook', local: null,
      venv: mode === 'venv' ? { dir: `/cache/venvs/${tag}`, commands: [] } : null,
    },
  };
}

const debian = { version: '2.14.18', executable: '/usr/bin/ansible-playbook' };

describe('ansible preflight', () => {
  it('passes with an info when the local Ansible is in the tag\'s range and of the pinned minor (v2.23: core 2.14)', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.23.3')], local: debian });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => [f.severity, f.hop, f.what])).toEqual([['info', 1, 'Ansible 2.14.18 is within Kubespray v2.23.3\'s range >= 2.14.0, < 2.15.0']]);
  });

  it('blocks outside the range, with both ways out', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.17.1'), hop(2, 'v2.18.2')], local: debian });

    expect(outcome.status).toBe('fail');
    const second = outcome.findings.find((f) => f.hop === 2);
    expect(second).toMatchObject({ severity: 'block', where: '/usr/bin/ansible-playbook' });
    expect(second?.what).toBe('Ansible 2.14.18 is outside Kubespray v2.18.2\'s range >= 2.9.0, < 2.12.0 (pins ansible==3.4.0, ansible-base==2.10.15)');
    expect(second?.fix).toContain('kubespray.ansible: venv');
    expect(second?.fix).toContain('--force-ansible');
  });

  it('warns instead with --force-ansible', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.18.2')], local: debian, force: true });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => f.severity)).toEqual(['warn']);
  });

  it('warns when the range lets the local Ansible through but the tag pins another (v2.13: ansible 2.9.6)', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.13.4')], local: debian });

    expect(outcome.findings.map((f) => [f.severity, f.what])).toEqual([['warn', 'Ansible 2.14.18 is within Kubespray v2.13.4\'s range >= 2.8.0, but the tag pins ansible==2.9.6 (ansible-core 2.9)']]);
  });

  it('blocks when there is no ansible-playbook at all', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.23.3')], local: undefined });

    expect(outcome.findings.map((f) => [f.severity, f.what])).toEqual([['block', 'ansible-playbook is not on PATH']]);
  });

  it('passes a venv whose pin is in the range, and warns when the tag pins nothing exact', () => {
    const outcome = checkAnsibleVersions({ hops: [hop(1, 'v2.28.1', 'venv'), hop(2, 'v2.10.0', 'venv')], local: undefined });

    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => [f.hop, f.severity])).toEqual([[1, 'info'], [2, 'warn']]);
    expect(outcome.findings[0]?.what).toContain('ansible==9.13.0 (ansible-core 2.16), within >= 2.16.4, < 2.17.0');
    expect(outcome.findings[1]?.what).toContain('pins no exact Ansible (ansible>=2.7.8)');
    expect(outcome.table?.rows.map((r) => r.slice(0, 4))).toEqual([['1', 'v2.28.1', 'venv', 'core 2.16'], ['2', 'v2.10.0', 'venv', '?']]);
  });

  it('fits a core minor when any of its releases is in the range', () => {
    expect(coreMinorFits('2.16', { min_inclusive: '2.16.4', max_exclusive: '2.17.0' })).toBe(true);
    expect(coreMinorFits('2.17', { min_inclusive: '2.16.4', max_exclusive: '2.17.0' })).toBe(false);
    expect(coreMinorFits('2.15', { min_inclusive: '2.16.4', max_exclusive: null })).toBe(false);
  });
});
