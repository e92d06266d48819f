import { describe, expect, it } from 'vitest';
import { checkGateWaivers, parseWaivers } from './waivers.js';

const CHECKS = ['pdb', 'etcd-health', 'nodes'];

describe('parseWaivers', () => {
  it('gives each waiver the --reason written right after it', () => {
    expect(parseWaivers(['apply', '--skip-check', 'pdb', '--reason', 'CHG-1', '--no-cluster-api', '--reason', 'LB down', '--skip-check=nodes', '--reason=drained by hand', '--no-etcd-snapshot', '--reason', 'backup taken'], CHECKS)).toEqual({
      skippedChecks: [{ id: 'pdb', reason: 'CHG-1' }, { id: 'nodes', reason: 'drained by hand' }], skippedGates: [], noClusterApi: 'LB down', noEtcdSnapshot: 'backup taken',
    });
    expect(parseWaivers(['apply', '--to', '1.18'], CHECKS)).toEqual({ skippedChecks: [], skippedGates: [], noClusterApi: undefined, noEtcdSnapshot: undefined });
    expect(parseWaivers(['--skip-gate', 'ceph', '--reason', 'degraded on purpose (CHG-9)', '--skip-gate=shop', '--reason', 'canary traffic only'], CHECKS).skippedGates).toEqual([
      { name: 'ceph', reason: 'degraded on purpose (CHG-9)' }, { name: 'shop', reason: 'canary traffic only' },
    ]);
  });

  it('refuses a waiver without its reason, a reason without its waiver, an empty reason, an unknown check, and cluster-api as a check', () => {
    expect(() => parseWaivers(['--skip-check', 'pdb', '--no-etcd-snapshot', '--reason', 'x'], CHECKS)).toThrow('--skip-check pdb without a --reason');
    expect(() => parseWaivers(['--reason', 'x'], CHECKS)).toThrow('--reason "x" follows no waiver');
    expect(() => parseWaivers(['--no-cluster-api', '--reason', 'a', '--reason', 'b'], CHECKS)).toThrow('--reason "b" follows no waiver');
    expect(() => parseWaivers(['--no-cluster-api', '--reason', ' '], CHECKS)).toThrow('--no-cluster-api: the --reason is empty');
    expect(() => parseWaivers(['--skip-check', 'pdbs', '--reason', 'typo'], CHECKS)).toThrow('--skip-check pdbs: no such check');
    expect(() => parseWaivers(['--skip-check', 'cluster-api', '--reason', 'x'], CHECKS)).toThrow('waived with --no-cluster-api');
    expect(() => parseWaivers(['--skip-check'], CHECKS)).toThrow('--skip-check needs a value');
    expect(() => parseWaivers(['--skip-gate', 'ceph'], CHECKS)).toThrow('--skip-gate ceph without a --reason');
  });

  it('wants a --skip-gate to name a gate of the plan, and a gate that reads the cluster skipped when the API is', () => {
    const gate = (name: string, kind: 'command' | 'kubernetes') => ({ name, kind }) as never;
    const plan = { gates: [gate('ceph', 'command'), gate('pg', 'kubernetes')] };
    expect(() => checkGateWaivers(plan, { skippedGates: [{ name: 'cepf', reason: 'x' }], noClusterApi: undefined })).toThrow('--skip-gate cepf: the plan has no such health gate');
    expect(() => checkGateWaivers(plan, { skippedGates: [], noClusterApi: 'LB down' })).toThrow('the health gate pg reads the cluster API, which --no-cluster-api does without');
    expect(() => checkGateWaivers(plan, { skippedGates: [{ name: 'pg', reason: 'x' }], noClusterApi: 'LB down' })).not.toThrow();
  });
});
