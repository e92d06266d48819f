/**
 * One catalog record rebuilt from the files of a tag. Only what the files say
 * is here; fields that need more than reading files (dns defaults, kubeadm
 * task logic, sample group_vars counts) are carried over by refresh.ts from
 * the bundled record of the same tag and commit, and from nowhere else.
 */
import { lineOfTag } from '../versions.js';
import { extractAnsible } from './ansible.js';
import { extractKubeVersions } from './kube-versions.js';
import { FACTS_PLAYBOOK_CANDIDATES, UPGRADE_PLAYBOOK_CANDIDATES, extractGroups, extractUpgradePlaybook } from './playbooks.js';
import { extractKubeadmUpgrade, extractUpgradeDefaults, sampleGroupVarsGroups } from './roles.js';
import { readSampleInventory } from './sample-inventory.js';
import { ExtractionError, type TagFiles } from './tag-files.js';

/** What git says about the tag itself. */
export interface TagIdentity {
  tag: string;
  sha: string;
  date: string;
  annotated: boolean;
  taggerDate: string | undefined;
}

/** Top-level fields a refresh rebuilds from files (the rest can only be carried over). */
export const REBUILT_FIELDS = [
  'tag', 'line', 'sha', 'date', 'annotated_tag', 'tagger_date',
  'kubespray_defaults_files', 'kube_version', 'kube_version_raw', 'kube_version_source', 'kube_version_resolution',
  'kube_version_v_prefixed_in_vars', 'kube_version_min_required', 'kube_version_min_required_raw', 'asserts_no_v_prefix',
  'supported_kube_versions', 'supported_kube_minors', 'supported_min', 'supported_max', 'supported_source',
  'checksum_file_order_newest_first', 'checksum_keys_v_prefixed', 'checksum_arches',
  'other_kube_version_defs', 'sample_inventory_kube_version',
  'upgrade_playbook_paths', 'facts_playbook_paths', 'upgrade_playbook', 'upgrade_plays', 'groups',
  'sample_inventory', 'sample_group_vars_groups', 'ansible', 'upgrade_defaults', 'kubeadm_upgrade', 'notes', 'errors',
] as const;

export async function extractTagRecord(files: TagFiles, identity: TagIdentity): Promise<Record<string, unknown>> {
  const notes: string[] = [];
  const line = lineOfTag(identity.tag);
  if (!line) throw new ExtractionError(`not a release tag: ${identity.tag}`);

  const [kube, playbook, inventoryText] = await Promise.all([
    extractKubeVersions(files, notes),
    extractUpgradePlaybook(files),
    files.read('inventory/sample/inventory.ini'),
  ]);
  if (inventoryText === undefined) throw new ExtractionError('no inventory/sample/inventory.ini');
  const factsPaths = FACTS_PLAYBOOK_CANDIDATES.filter((path) => files.has(path));
  const [groups, ansible, upgradeDefaults, kubeadmUpgrade] = await Promise.all([
    extractGroups(files, playbook.plays, playbook.real_file),
    extractAnsible(files, playbook.texts),
    extractUpgradeDefaults(files),
    extractKubeadmUpgrade(files),
  ]);

  return {
    tag: identity.tag,
    line,
    sha: identity.sha,
    date: identity.date,
    annotated_tag: identity.annotated,
    ...(identity.annotated && identity.taggerDate ? { tagger_date: identity.taggerDate } : {}),
    ...kube,
    upgrade_playbook_paths: UPGRADE_PLAYBOOK_CANDIDATES.filter((path) => files.has(path)),
    facts_playbook_paths: factsPaths,
    upgrade_playbook: {
      entry: playbook.entry,
      real_file: playbook.real_file,
      files: playbook.files,
      imports_facts: playbook.files.filter((file) => factsPaths.includes(file)),
    },
    // `mappings` is an extraction detail (it feeds groups.legacy_compat), not a record field.
    upgrade_plays: playbook.plays.map(({ mappings: _mappings, ...play }) => play),
    groups,
    sample_inventory: readSampleInventory(inventoryText),
    sample_group_vars_groups: sampleGroupVarsGroups(files),
    ansible,
    upgrade_defaults: upgradeDefaults,
    kubeadm_upgrade: kubeadmUpgrade,
    notes,
    errors: [],
  };
}
