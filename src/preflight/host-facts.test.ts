import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playbooksDir } from '../util/paths.js';
import { parseRecapLines, resolvePlaybook } from './host-facts.js';

describe('parseRecapLines', () => {
  it('reads unreachable and failed counts per host from the play recap', () => {
    const stdout = [
      'PLAY RECAP *********************************************************************',
      'k1-master01                : ok=6    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
      'k1-master02                : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0   ',
      // Ansible 2.7 prints no rescued/ignored columns.
      'k1-master03                : ok=1    changed=0    unreachable=0    failed=1   ',
    ].join('\n');

    expect([...parseRecapLines(stdout)]).toEqual([
      ['k1-master01', { unreachable: 0, failed: 0 }],
      ['k1-master02', { unreachable: 1, failed: 0 }],
      ['k1-master03', { unreachable: 0, failed: 1 }],
    ]);
  });

  it('finds nothing in output without a recap', () => {
    expect(parseRecapLines('ERROR! the playbook: x.yml could not be found').size).toBe(0);
  });
});

describe('resolvePlaybook', () => {
  it('finds kspray\'s own playbooks by name and leaves paths alone', () => {
    expect(resolvePlaybook('preflight-etcd.yml')).toBe(join(playbooksDir, 'preflight-etcd.yml'));
    expect(resolvePlaybook('/tmp/x.yml')).toBe('/tmp/x.yml');
  });
});
