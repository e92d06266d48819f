import { describe, expect, it } from 'vitest';
import { parseWaivers } from './apply-waivers.js';

const cluster = 'c.yaml';

describe('apply waivers', () => {
  it('gives each --skip-check and --skip-gate the --reason in its position, in the order given, and --no-cluster-api the last one', () => {
    const waivers = parseWaivers({
      cluster, skipGate: ['ceph'], skipCheck: ['pdb'], waiverOrder: ['gate', 'check'], clusterApi: false,
      reason: ['ceph is known degraded (CHG-9)', 'budgets relaxed by hand', 'API behind a broken LB'],
    });
    expect(waivers).toEqual({
      skippedGates: [{ name: 'ceph', reason: 'ceph is known degraded (CHG-9)' }],
      skippedChecks: [{ id: 'pdb', reason: 'budgets relaxed by hand' }],
      noClusterApi: 'API behind a broken LB',
    });
  });

  it('refuses a waiver without its reason, saying how many of each were given', () => {
    expect(() => parseWaivers({ cluster, skipGate: ['ceph'], reason: [] })).toThrow('1 --skip-gate but 0 --reason');
    expect(() => parseWaivers({ cluster, skipCheck: ['pdb'], skipGate: ['ceph'], clusterApi: false, reason: ['a', 'b'] })).toThrow(/1 --skip-check and 1 --skip-gate and --no-cluster-api but 2 --reason/);
    expect(() => parseWaivers({ cluster, skipGate: ['ceph'], reason: [' '] })).toThrow(/--skip-gate ceph: the --reason is empty/);
  });
});
