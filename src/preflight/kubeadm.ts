/**
 * The kubeadm dry run, pure: the argv Kubespray's tag will run for the first
 * control plane (plus --dry-run, so nothing changes), and the check on what
 * playbooks/preflight-kubeadm.yml recorded.
 *
 * How a tag runs kubeadm comes from the catalog (`kubeadm_upgrade`):
 * `apply_version_arg` ('{{ kube_version }}' up to v2.27, 'v{{ kube_version }}'
 * from v2.28 where kube_version is bare), `upgrade_configuration_kind` (the
 * config file holds a v1beta4 UpgradeConfiguration, which kubeadm refuses to
 * mix with most flags), `skip_phases_on_upgrade_cmd` (v2.28.1–v2.30: phases
 * passed as --skip-phases), `kubeadm_config_templates`.
 */
import semver from 'semver';
import type { CheckOutcome, HopContext } from './types.js';
import { tailLines } from '../process/exec.js';
import { redact } from '../util/redact.js';
import { KUBESPRAY_VARS, RUN_VARS } from '../vars/table.js';

export const KUBEADM_CHECK = 'kubeadm-dry-run';

export const DEFAULT_KUBEADM_CONFIG = '/etc/kubernetes/kubeadm-config.yaml';

/**
 * Facts the catalog does not hold, each from its source:
 * - kubeadm reads a v1beta4 config (UpgradeConfiguration) from Kubernetes 1.31;
 *   Kubespray tags that ship both templates pick v1beta4 from 1.31 on.
 * - Kubespray stopped passing --config to its flag-style upgrade command at
 *   v2.26.0 (kubespray PR #11352): kubeadm 1.30 refuses to mix it with flags.
 * - Kubespray's default kubeadm_init_phases_skip is addon/coredns (it deploys
 *   its own CoreDNS); addon/kube-proxy joins it when kube-proxy is removed.
 */
const V1BETA4_FROM = '1.31.0';
const FLAG_STYLE_CONFIG_DROPPED_AT = '2.26.0';
const DEFAULT_SKIP_PHASES: readonly string[] = ['addon/coredns'];

/** The part of a catalog tag record this module reads (src/catalog's TagRecord fits). */
export interface KubeadmTagFacts {
  tag: string;
  kube_version_v_prefixed_in_vars: boolean;
  kubeadm_upgrade?: { [key: string]: unknown } | null | undefined;
}

export interface KubeadmDryRunOptions {
  /** kubeadm executable on the host; default `kubeadm` (PATH, then Kubespray's bin_dir). */
  kubeadm?: string;
  /** Default /etc/kubernetes/kubeadm-config.yaml. */
  configPath?: string;
  /** --etcd-upgrade: false unless etcd_deployment_type is kubeadm (Kubespray's default is host). */
  etcdUpgrade?: boolean;
  /** Phases for tags that pass --skip-phases; default addon/coredns. */
  skipPhases?: readonly string[];
}

/** The two ways a tag calls `kubeadm upgrade apply`. */
export type KubeadmUpgradeStyle = 'flags' | 'upgrade-configuration';

const bare = (version: string): string => version.replace(/^v/, '');

/** Which command style the tag uses for this target version. */
export function kubeadmUpgradeStyle(tag: KubeadmTagFacts, version: string): KubeadmUpgradeStyle {
  const ku = tag.kubeadm_upgrade ?? {};
  if (ku.upgrade_configuration_kind !== true) return 'flags';
  const templates = Array.isArray(ku.kubeadm_config_templates) ? ku.kubeadm_config_templates.map(String) : [];
  const hasV1beta3 = templates.some((t) => t.includes('v1beta3'));
  const coerced = semver.coerce(bare(version));
  const wantsV1beta4 = !hasV1beta3 || (coerced !== null && semver.gte(coerced, V1BETA4_FROM));
  return wantsV1beta4 ? 'upgrade-configuration' : 'flags';
}

/** The version argument exactly as the tag renders it: its template applied to kube_version in the tag's form. */
export function kubeadmVersionArg(tag: KubeadmTagFacts, version: string): string {
  const kubeVersion = tag.kube_version_v_prefixed_in_vars ? `v${bare(version)}` : bare(version);
  const template = typeof tag.kubeadm_upgrade?.apply_version_arg === 'string' ? tag.kubeadm_upgrade.apply_version_arg : `v{{ ${RUN_VARS.kubeVersion} }}`;
  return template.replace(new RegExp(`\\{\\{\\s*${RUN_VARS.kubeVersion}\\s*\\}\\}`, 'g'), kubeVersion);
}

/**
 * `kubeadm upgrade apply` as the tag runs it on the first control plane, with
 * --dry-run added: without it `-y` would really upgrade. --print-config is
 * added to the flag style only: with a v1beta4 config kubeadm rejects flags
 * other than a few (--dry-run, --yes, --skip-phases among them).
 */
export function kubeadmDryRunArgv(tag: KubeadmTagFacts, version: string, opts: KubeadmDryRunOptions = {}): string[] {
  const configPath = opts.configPath ?? DEFAULT_KUBEADM_CONFIG;
  const argv = [opts.kubeadm ?? 'kubeadm', 'upgrade', 'apply', '-y', kubeadmVersionArg(tag, version)];
  const ku = tag.kubeadm_upgrade ?? {};
  if (kubeadmUpgradeStyle(tag, version) === 'upgrade-configuration') {
    argv.push(`--config=${configPath}`);
    if (ku.skip_phases_on_upgrade_cmd === true) {
      const phases = opts.skipPhases ?? DEFAULT_SKIP_PHASES;
      if (phases.length > 0) argv.push(`--skip-phases=${phases.join(',')}`);
    }
    argv.push('--dry-run');
    return argv;
  }
  const tagVersion = semver.coerce(tag.tag);
  if (tagVersion === null || semver.lt(tagVersion, FLAG_STYLE_CONFIG_DROPPED_AT)) argv.push(`--config=${configPath}`);
  argv.push(
    '--ignore-preflight-errors=all',
    '--allow-experimental-upgrades',
    `--etcd-upgrade=${opts.etcdUpgrade === true ? 'true' : 'false'}`,
    '--force',
    '--print-config',
    '--dry-run',
  );
  return argv;
}

/** What playbooks/preflight-kubeadm.yml writes for its host. */
export interface KubeadmRawResult {
  host: string;
  argv: string[];
  rc: number;
  stdout: string;
  stderr: string;
  msg?: string;
}

export interface KubeadmDryRunFacts {
  host: string;
  argv: string[];
  exitCode: number;
  /** kubeadm (or `timeout`) could not be started on the host. */
  missing: boolean;
  /** killed by the playbook's `timeout` wrapper. */
  timedOut: boolean;
  /** Last lines of stderr, secrets masked. */
  stderrTail: string;
  /** Last lines of stdout, secrets masked. */
  stdoutTail: string;
  /** Ansible's message when the command could not run. */
  message: string;
}

/** Bootstrap tokens and certificate keys can appear in printed kubeadm configs: mask them before anything keeps them. */
export function maskKubeadmSecrets(text: string): string {
  return redact(text)
    .replace(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, '***')
    .replace(/((?:certificateKey|token|caCertHashes?)\s*:\s*)(\S.*)$/gim, '$1***');
}

export function parseKubeadmResult(raw: KubeadmRawResult): KubeadmDryRunFacts {
  const msg = raw.msg ?? '';
  const missing = raw.rc === 127 || (/No such file or directory/.test(msg) && raw.stdout === '' && raw.stderr === '');
  return {
    host: raw.host,
    argv: Array.isArray(raw.argv) ? raw.argv.map(String) : [],
    exitCode: raw.rc,
    missing,
    timedOut: raw.rc === 124 || raw.rc === 137,
    stderrTail: maskKubeadmSecrets(tailLines(raw.stderr ?? '', 20)),
    stdoutTail: maskKubeadmSecrets(tailLines(raw.stdout ?? '', 20)),
    message: maskKubeadmSecrets(msg),
  };
}

/** The line of kubeadm's stderr that says what went wrong (not its stack-trace hint). */
export function kubeadmErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^To see the stack trace/.test(l));
  const telling = [...lines].reverse().find((l) => /error|fatal|invalid|can ?not|failed|unable|refus/i.test(l));
  return telling ?? lines.at(-1) ?? '';
}

const HINTS: ReadonlyArray<{ test: RegExp; why: string; fix: string }> = [
  {
    test: /Service "kube-dns" is invalid|services "kube-dns" not found|DNS service/i,
    why: `Kubespray runs its own CoreDNS Service at the 3rd address of the service range (${KUBESPRAY_VARS.skydnsServer}, 10.233.0.3 by default) ` +
      'while kubeadm manages a `kube-dns` Service at the 10th (10.233.0.10); the two clash and kubeadm stops the control-plane upgrade.',
    fix: 'Compare `kubectl -n kube-system get svc -o wide` with the addresses above: recreate `kube-dns` at the address kubeadm expects ' +
      `(or remove it if nothing uses it), never set ${KUBESPRAY_VARS.skydnsServer} on an upgrade, then re-run \`kspray preflight\`.`,
  },
  {
    test: /can not mix '--config' with arguments/,
    why: 'This kubeadm refuses --config together with flags: the Kubespray tag and the Kubernetes version of this hop do not match the kubeadm on the host.',
    fix: 'Check that the hop\'s target version is one the tag supports (`kspray catalog show TAG`) and that /etc/kubernetes/kubeadm-config.yaml was written by that tag.',
  },
];

/** Block when kubeadm's dry run fails, with kubeadm's own words; skip when kubeadm is not on the host. */
export function checkKubeadmDryRun(facts: KubeadmDryRunFacts, hop?: HopContext): CheckOutcome {
  if (facts.missing) {
    return {
      check: KUBEADM_CHECK, status: 'skipped', findings: [],
      reason: `kubeadm is not installed on ${facts.host} (looked up on PATH and in /usr/local/bin)${facts.message ? `: ${facts.message}` : ''}`,
    };
  }
  if (facts.exitCode === 0) return { check: KUBEADM_CHECK, status: 'pass', findings: [] };
  const errorLine = facts.timedOut ? 'kubeadm did not finish in time and was killed' : kubeadmErrorLine(facts.stderrTail || facts.message);
  const hint = HINTS.find((h) => h.test.test(facts.stderrTail));
  return {
    check: KUBEADM_CHECK,
    status: 'fail',
    findings: [{
      check: KUBEADM_CHECK,
      severity: 'block',
      ...(hop === undefined ? {} : { hop: hop.index }),
      what: `kubeadm upgrade dry run fails on ${facts.host} (exit ${facts.exitCode}): ${errorLine}`,
      where: facts.host,
      why: hint?.why ?? 'Kubespray runs this kubeadm upgrade on the first control-plane host; it would fail the same way in the middle of the upgrade, ' +
        'after the new kubelet binary is installed and the node is cordoned.',
      fix: hint?.fix ?? 'Read kubeadm\'s message, fix /etc/kubernetes/kubeadm-config.yaml or the cluster state it names, ' +
        `and re-run \`kspray preflight\`. To reproduce by hand on ${facts.host}: ${facts.argv.join(' ')}`,
      details: { argv: facts.argv, exitCode: facts.exitCode, stderrTail: facts.stderrTail, timedOut: facts.timedOut },
    }],
  };
}
