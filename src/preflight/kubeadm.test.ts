import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir } from '../util/paths.js';
import {
  checkKubeadmDryRun, kubeadmDryRunArgv, kubeadmErrorLine, kubeadmUpgradeStyle, kubeadmVersionArg, maskKubeadmSecrets, parseKubeadmResult,
  type KubeadmRawResult, type KubeadmTagFacts,
} from './kubeadm.js';

// The bundled catalog, read as data: the argv must follow what it says of each tag.
const catalog = JSON.parse(readFileSync(join(dataDir, 'kubespray', 'catalog.json'), 'utf8')) as { tags: KubeadmTagFacts[] };
const tag = (name: string): KubeadmTagFacts => {
  const found = catalog.tags.find((t) => t.tag === name);
  if (!found) throw new Error(`no ${name} in the catalog`);
  return found;
};

// Real kubeadm output from a Kubespray cluster whose CoreDNS Service sits at
// the 3rd service address (field notes: the DNS clash).
const DNS_CLASH_STDERR = [
  'W0712 09:14:02.483812   24197 validation.go:28] Cannot validate kube-proxy config - no validator is available',
  '[upgrade/postupgrade] FATAL post-upgrade error: unable to create/update the DNS service: Service "kube-dns" is invalid: spec.clusterIP: Invalid value: "10.233.0.10": field is immutable',
  'To see the stack trace of this error execute with --v=5 or higher',
].join('\n');

describe('kubeadmDryRunArgv', () => {
  it('builds the flag-style command of v2.13 with --config, --print-config and --dry-run', () => {
    expect(kubeadmDryRunArgv(tag('v2.13.2'), '1.17.7')).toEqual([
      'kubeadm', 'upgrade', 'apply', '-y', 'v1.17.7',
      '--config=/etc/kubernetes/kubeadm-config.yaml',
      '--ignore-preflight-errors=all', '--allow-experimental-upgrades', '--etcd-upgrade=false', '--force',
      '--print-config', '--dry-run',
    ]);
  });

  it('builds the UpgradeConfiguration command of v2.28 (bare kube_version, v added by the tag)', () => {
    expect(kubeadmDryRunArgv(tag('v2.28.0'), 'v1.32.5')).toEqual([
      'kubeadm', 'upgrade', 'apply', '-y', 'v1.32.5', '--config=/etc/kubernetes/kubeadm-config.yaml', '--dry-run',
    ]);
  });

  it('passes --skip-phases where the tag does (v2.28.1–v2.30), not in v2.31', () => {
    expect(kubeadmDryRunArgv(tag('v2.28.1'), '1.32.8')).toContain('--skip-phases=addon/coredns');
    expect(kubeadmDryRunArgv(tag('v2.28.1'), '1.32.8', { skipPhases: ['addon/coredns', 'addon/kube-proxy'] }))
      .toContain('--skip-phases=addon/coredns,addon/kube-proxy');
    expect(kubeadmDryRunArgv(tag('v2.31.0'), '1.35.4').some((arg) => arg.startsWith('--skip-phases'))).toBe(false);
  });

  it('uses the flag style on a two-template tag below 1.31, without --config from v2.26', () => {
    expect(kubeadmUpgradeStyle(tag('v2.28.0'), '1.30.14')).toBe('flags');
    expect(kubeadmUpgradeStyle(tag('v2.28.0'), '1.31.0')).toBe('upgrade-configuration');
    expect(kubeadmUpgradeStyle(tag('v2.27.0'), '1.31.0')).toBe('flags');
    const argv = kubeadmDryRunArgv(tag('v2.26.0'), '1.30.4');
    expect(argv.some((arg) => arg.startsWith('--config'))).toBe(false);
    expect(argv).toContain('--dry-run');
  });

  it('renders the version argument the way each tag does', () => {
    expect(kubeadmVersionArg(tag('v2.12.10'), '1.16.15')).toBe('v1.16.15');
    expect(kubeadmVersionArg(tag('v2.28.0'), 'v1.32.5')).toBe('v1.32.5');
    expect(kubeadmVersionArg({ tag: 'v2.99.0', kube_version_v_prefixed_in_vars: false, kubeadm_upgrade: { apply_version_arg: '{{ kube_version }}' } }, '1.40.0')).toBe('1.40.0');
  });

  it('takes the executable, config path and etcd upgrade from options', () => {
    const argv = kubeadmDryRunArgv(tag('v2.13.2'), '1.17.7', { kubeadm: '/tmp/releases/kubeadm-v1.17.7-amd64', configPath: '/etc/kubernetes/kubeadm.yaml', etcdUpgrade: true });
    expect(argv[0]).toBe('/tmp/releases/kubeadm-v1.17.7-amd64');
    expect(argv).toContain('--config=/etc/kubernetes/kubeadm.yaml');
    expect(argv).toContain('--etcd-upgrade=true');
  });

  it('always adds --dry-run: every catalog tag, its default version', () => {
    const records = catalog.tags as Array<KubeadmTagFacts & { kube_version: string }>;
    for (const record of records) expect(kubeadmDryRunArgv(record, record.kube_version)).toContain('--dry-run');
  });
});

const raw = (overrides: Partial<KubeadmRawResult> = {}): KubeadmRawResult => ({
  host: 'k1-master01', argv: kubeadmDryRunArgv(tag('v2.13.2'), '1.17.7'), rc: 0, stdout: 'apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n', stderr: '', msg: '', ...overrides,
});

describe('checkKubeadmDryRun', () => {
  it('passes when kubeadm exits 0', () => {
    expect(checkKubeadmDryRun(parseKubeadmResult(raw()))).toEqual({ check: 'kubeadm-dry-run', status: 'pass', findings: [] });
  });

  it('blocks with kubeadm\'s own message, and explains the DNS clash', () => {
    const outcome = checkKubeadmDryRun(parseKubeadmResult(raw({ rc: 1, stderr: DNS_CLASH_STDERR, msg: 'non-zero return code' })));
    expect(outcome.status).toBe('fail');
    const finding = outcome.findings[0]!;
    expect(finding.severity).toBe('block');
    expect(finding.what).toBe('kubeadm upgrade dry run fails on k1-master01 (exit 1): [upgrade/postupgrade] FATAL post-upgrade error: unable to create/update the DNS service: Service "kube-dns" is invalid: spec.clusterIP: Invalid value: "10.233.0.10": field is immutable');
    expect(finding.why).toContain('10.233.0.3');
    expect(finding.details?.stderrTail).toContain('To see the stack trace');
  });

  it('blocks an unknown error with a generic fix that shows how to reproduce', () => {
    const finding = checkKubeadmDryRun(parseKubeadmResult(raw({ rc: 1, stderr: 'error execution phase preflight: [preflight] Some fatal errors occurred:\n\t[ERROR CoreDNSUnsupportedPlugins]: there are unsupported plugins in the CoreDNS Corefile\n' }))).findings[0]!;
    expect(finding.what).toContain('[ERROR CoreDNSUnsupportedPlugins]');
    expect(finding.fix).toContain('kubeadm upgrade apply -y v1.17.7');
  });

  it('says when kubeadm was killed by the timeout', () => {
    expect(checkKubeadmDryRun(parseKubeadmResult(raw({ rc: 124 }))).findings[0]!.what).toContain('did not finish in time');
  });

  it('skips when kubeadm is not on the host', () => {
    const viaTimeout = checkKubeadmDryRun(parseKubeadmResult(raw({ rc: 127, stderr: "timeout: failed to run command 'kubeadm': No such file or directory" })));
    expect(viaTimeout).toMatchObject({ status: 'skipped', findings: [] });
    expect(viaTimeout.reason).toContain('kubeadm is not installed on k1-master01');
    const viaAnsible = parseKubeadmResult(raw({ rc: 2, stdout: '', msg: "[Errno 2] No such file or directory: b'kubeadm'" }));
    expect(checkKubeadmDryRun(viaAnsible).status).toBe('skipped');
  });
});

describe('secrets and messages', () => {
  it('masks bootstrap tokens and certificate keys', () => {
    const text = 'bootstrapTokens:\n- token: abcdef.0123456789abcdef\ncertificateKey: e6a2eb8581237ab72a4f494f30285ec12a9694d750b9785706a83bfcbbbd2204\nname: k1';
    const masked = maskKubeadmSecrets(text);
    expect(masked).not.toContain('abcdef.0123456789abcdef');
    expect(masked).not.toContain('e6a2eb85');
    expect(masked).toContain('name: k1');
  });

  it('picks the telling line, not the stack-trace hint', () => {
    expect(kubeadmErrorLine('[upgrade] Running\ncan not mix \'--config\' with arguments [yes]\nTo see the stack trace of this error execute with --v=5 or higher\n'))
      .toBe('can not mix \'--config\' with arguments [yes]');
  });
});
