/**
 * What a renderer needs to know about a Kubespray tag: its group names, the
 * sections of its sample inventory, and the form it wants kube_version in.
 * Built from a catalog tag record; plain data, so renderers stay pure.
 */
import { groupNamesOf, type GroupDialect, type GroupNames } from '../catalog/groups.js';

export type Dialect = GroupDialect;
export type { GroupNames };

export interface RenderTarget {
  tag: string;
  dialect: Dialect;
  groups: GroupNames;
  /** The sample inventory writes etcd as its own host group, or as `[etcd:children]` of the control plane (v2.27.0+). */
  etcdForm: 'group' | 'children';
  /** Whether the sample inventory has a calico route-reflector section (v2.11.0+). */
  hasCalicoRr: boolean;
  /** `v1.x.y` up to v2.27.x, bare `1.x.y` from v2.28.0 (a `v` there breaks download URLs). */
  kubeVersionForm: 'v-prefixed' | 'bare';
}

/** The fields of a catalog tag record a render target is built from. */
export interface TargetSource {
  tag: string;
  kube_version_v_prefixed_in_vars: boolean;
  groups: { dialect: Dialect };
  sample_inventory: { sections: string[]; etcd: { form: 'group' | 'children' } };
}

export function renderTarget(record: TargetSource): RenderTarget {
  const groups = groupNamesOf(record.groups.dialect);
  const sections = record.sample_inventory.sections;
  return {
    tag: record.tag,
    dialect: record.groups.dialect,
    groups,
    etcdForm: record.sample_inventory.etcd.form,
    hasCalicoRr: sections.includes(groups.calicoRr),
    kubeVersionForm: record.kube_version_v_prefixed_in_vars ? 'v-prefixed' : 'bare',
  };
}

export function formatKubeVersion(target: Pick<RenderTarget, 'kubeVersionForm'>, version: string): string {
  const bare = version.replace(/^v/, '');
  return target.kubeVersionForm === 'bare' ? bare : `v${bare}`;
}
