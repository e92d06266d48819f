import { describe, expect, it } from 'vitest';
import { parseWaivers } from './waivers.js';

const CHECKS = ['pdb', 'etcd-health', 'nodes'];

describe('parseWaivers', () => {
  it('gives each waiver the --reason written right after it', () => {
    expect(parseWaivers(['apply', '--skip-check', 'pdb', '--reason', 'CHG-1', '--no-cluster-api', '--reason', 'LB down', '--skip-check=nodes', '--reason=drained by hand', '--no-etcd-snapshot', '--reason', 'backup taken'], CHECKS)).toEqual({
      skippedChecks: [{ id: 'pdb', reason: 'CHG-1' }, { id: 'nodes', reason: 'drained by hand' }], noClusterApi: 'LB down', noEtcdSnapshot: 'backup taken',
    });
    expect(parseWaivers(['apply', '--to', '1.18'], CHECKS)).toEqual({ skippedChecks: [], noClusterApi: undefined, noEtcdSnapshot: undefined });
  });

  it('refuses a waiver without its reason, a reason without its waiver, an empty reason, an unknown check, and cluster-api as a check', () => {
    expect(() => parseWaivers(['--skip-check', 'pdb', '--no-etcd-snapshot', '--reason', 'x'], CHECKS)).toThrow('--skip-check pdb without a --reason');
    expect(() => parseWaivers(['--reason', 'x'], CHECKS)).toThrow('--reason "x" follows no waiver');
    expect(() => parseWaivers(['--no-cluster-api', '--reason', 'a', '--reason', 'b'], CHECKS)).toThrow('--reason "b" follows no waiver');
    expect(() => parseWaivers(['--no-cluster-api', '--reason', ' '], CHECKS)).toThrow('--no-cluster-api: the --reason is empty');
    expect(() => parseWaivers(['--skip-check', 'pdbs', '--reason', 'typo'], CHECKS)).toThrow('--skip-check pdbs: no such check');
    expect(() => parseWaivers(['--skip-check', 'cluster-api', '--reason', 'x'], CHECKS)).toThrow('waived with --no-cluster-api');
    expect(() => parseWaivers(['--skip-check'], CHECKS)).toThrow('--skip-check needs a value');
  });
});
