/**
 * The catalog document (data/kubespray/catalog.json, or a refreshed copy in the
 * cache). It is data kspray produces, not something users write: parse it
 * leniently (unknown fields pass through, so a newer extractor's extra fields
 * never break an older kspray), but insist on the fields kspray reads.
 */
import { z } from 'zod';

const tagName = z.string().regex(/^v\d+\.\d+\.\d+$/);
const version = z.string().regex(/^v?\d+\.\d+\.\d+$/);
const nullableString = z.string().nullable();

export const upgradePlay = z.looseObject({
  name: nullableString,
  hosts: z.string(),
  serial: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).optional(),
  src: z.string().optional(),
  roles: z.array(z.string()).optional(),
  group_by: z.array(z.string()).optional(),
  compat: z.boolean().optional(),
});
export type UpgradePlay = z.infer<typeof upgradePlay>;

export const ansibleRange = z.looseObject({
  min_inclusive: nullableString,
  max_exclusive: nullableString,
});
export type AnsibleRange = z.infer<typeof ansibleRange>;

export const sampleInventory = z.looseObject({
  sections: z.array(z.string()),
  commented_sections: z.array(z.string()).optional(),
  children: z.record(z.string(), z.array(z.string())),
  etcd: z.looseObject({
    form: z.enum(['group', 'children']),
    children: z.array(z.string()).optional(),
  }),
  dialect: z.enum(['dash', 'underscore']).nullable(),
});
export type SampleInventory = z.infer<typeof sampleInventory>;

export const legacyCompat = z.looseObject({
  legacy_names: z.record(z.string(), z.array(z.string())),
  synthesized_parents: z.record(z.string(), z.array(z.string())),
  files: z.array(z.string()),
});
export type LegacyCompat = z.infer<typeof legacyCompat>;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const tagRecord = z.looseObject({
  tag: tagName,
  line: z.string().regex(/^\d+\.\d+$/),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  date: z.string(),
  annotated_tag: z.boolean(),
  kube_version: version,
  kube_version_raw: z.string(),
  kube_version_source: z.string(),
  kube_version_v_prefixed_in_vars: z.boolean(),
  kube_version_min_required: version.nullable(),
  supported_kube_versions: z.array(version).min(1),
  supported_kube_minors: z.array(z.string()),
  supported_min: version,
  supported_max: version,
  checksum_file_order_newest_first: z.boolean().optional(),
  upgrade_playbook_paths: z.array(z.string()).min(1),
  facts_playbook_paths: z.array(z.string()),
  upgrade_playbook: z.looseObject({
    entry: z.string(),
    real_file: z.string(),
    files: z.array(z.string()),
    imports_facts: z.array(z.string()).optional(),
  }),
  upgrade_plays: z.array(upgradePlay),
  groups: z.looseObject({
    dialect: z.enum(['dash', 'underscore']),
    upgrade_targets: z.array(z.string()),
    runtime_groups: z.array(z.string()).optional(),
    legacy_compat: legacyCompat.nullable().optional(),
  }),
  sample_inventory: sampleInventory,
  ansible: z.looseObject({
    requirements_txt: z.array(z.string()),
    range: ansibleRange,
    implied_core: nullableString,
  }),
  upgrade_defaults: z.record(z.string(), z.record(z.string(), scalar)).optional(),
  dns: z.looseObject({}).optional(),
  kubeadm_upgrade: z.looseObject({ file: z.string() }).nullable().optional(),
});
export type TagRecord = z.infer<typeof tagRecord>;

export const catalogDocument = z.looseObject({
  meta: z.looseObject({}).optional(),
  schema: z.record(z.string(), z.string()).optional(),
  milestones: z.record(z.string(), z.string()).optional(),
  tags: z.array(tagRecord).min(1),
});
export type CatalogDocument = z.infer<typeof catalogDocument>;
