import { describe, expect, it } from 'vitest';
import { loadBundledDocument } from './load.js';
import { carryOver, displayRepo } from './refresh.js';

describe('carryOver', () => {
  const bundled = loadBundledDocument().tags.find((record) => record.tag === 'v2.13.4')!;

  it('lets rebuilt fields win, keeps what files cannot give, and says which', () => {
    const rebuilt = {
      tag: 'v2.13.4',
      kube_version: 'v1.17.99',
      groups: { dialect: 'dash', upgrade_targets: ['kube-master'] },
      kubeadm_upgrade: { file: 'roles/kubernetes/master/tasks/kubeadm-upgrade.yml', apply_version_arg: '{{ kube_version }}' },
    };

    const merged = carryOver(bundled, rebuilt);

    expect(merged.kube_version).toBe('v1.17.99');
    expect(merged.dns).toEqual(bundled.dns);
    expect((merged.groups as Record<string, unknown>).upgrade_targets).toEqual(['kube-master']);
    // One level deep: a partially rebuilt object keeps the bundled keys it did not rebuild.
    expect((merged.groups as Record<string, unknown>).upgrade_targets_incl_compat).toEqual(bundled.groups.upgrade_targets_incl_compat);
    expect((merged.kubeadm_upgrade as Record<string, unknown>).tolerates_field_is_immutable).toBe(true);
    expect(merged.carried_over).toContain('dns');
    expect(merged.carried_over).not.toContain('kube_version');
  });
});

describe('displayRepo', () => {
  it('drops credentials from URLs, nothing else', () => {
    expect(displayRepo('https://user:s3cret@example.invalid/kubespray.git')).toBe('https://example.invalid/kubespray.git');
    expect(displayRepo('git@github.com:kubernetes-sigs/kubespray.git')).toBe('git@github.com:kubernetes-sigs/kubespray.git');
    expect(displayRepo('/srv/kubespray')).toBe('/srv/kubespray');
    expect(displayRepo("fatal: unable to access 'https://oauth2:tok3n@example.invalid/k.git/'")).toBe("fatal: unable to access 'https://example.invalid/k.git/'");
  });
});
