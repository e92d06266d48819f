/**
 * `kspray recover --etcd`: the single-member etcd restore of the field notes,
 * written out for this cluster (its etcd hosts, addresses, member names and
 * certificate paths as Kubespray deploys them), from the newest snapshot
 * apply took or, when there is none or the operator says so, from the live
 * database of the first member (which needs --skip-hash-check). Printed, not
 * run: restoring etcd rewrites the cluster's whole state, and an operator
 * runs it step by step, checking each. Every value from the cluster file or
 * the journal (a path, the certificate directory) is one shell word of what
 * is pasted: quoted by formatArgv where it is not plain; in a comment, a
 * value that is not plain is shown as JSON. Pure.
 */
import type { Cluster } from '../model/schema.js';
import type { EtcdSnapshot } from '../etcd/snapshot.js';
import { formatArgv } from '../process/exec-error.js';

export interface RestoreInput {
  cluster: Cluster;
  /** The newest snapshot the journal recorded, with when and before which hop. */
  snapshot?: (EtcdSnapshot & { at: string; stepId: string }) | undefined;
  /** Restore from the live db of the first member even when a snapshot exists. */
  fromLiveDb?: boolean;
  /** A stamp for the moved-aside data directories, e.g. 20261206T0200Z. */
  stamp: string;
}

/** Kubespray's conventions (kubespray-defaults, roles/etcd). */
const DATA_DIR = '/var/lib/etcd';
const ENV_FILE = '/etc/etcd.env';
const TOKEN = 'k8s_etcd';
const DEFAULT_CERT_DIR = '/etc/ssl/etcd/ssl';

interface Member {
  host: string;
  name: string;
  address: string;
}

/** The etcd members as Kubespray names them: etcd1, etcd2, … in the order of the etcd group. */
export function etcdMembers(cluster: Cluster): Member[] {
  return cluster.nodes.filter((node) => node.roles.includes('etcd')).map((node, index) => ({
    host: node.name, name: `etcd${index + 1}`, address: node.accessIp ?? node.ip,
  }));
}

export function restoreProcedure(input: RestoreInput): string {
  const members = etcdMembers(input.cluster);
  const first = members[0];
  if (!first) return `${input.cluster.name} has no etcd member in the cluster file: nothing to restore.`;
  const certDir = input.cluster.preflight?.etcdCertDir ?? DEFAULT_CERT_DIR;
  // An IPv6 address goes in brackets in a URL.
  const url = (m: Member, port: number) => `https://${m.address.includes(':') ? `[${m.address}]` : m.address}:${port}`;
  const peer = (m: Member) => url(m, 2380);
  const etcdctl = (m: Member) => formatArgv(['ETCDCTL_API=3', 'etcdctl', `--endpoints=${url(m, 2379)}`, `--cacert=${certDir}/ca.pem`, `--cert=${certDir}/admin-${m.host}.pem`, `--key=${certDir}/admin-${m.host}-key.pem`]);
  const setInitialCluster = (initial: string, state: 'new' | 'existing') =>
    formatArgv(['sed', '-i', '-e', `s|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER=${initial}|`, '-e', `s|^ETCD_INITIAL_CLUSTER_STATE=.*|ETCD_INITIAL_CLUSTER_STATE=${state}|`, ENV_FILE]);
  const live = input.fromLiveDb || input.snapshot === undefined;
  const source = live ? `${DATA_DIR}.broken-${input.stamp}/member/snap/db` : input.snapshot!.path;
  // In a comment, a journal value that is not a plain word is shown as JSON: a newline in it cannot end the comment.
  const noted = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : JSON.stringify(value));
  const out: string[] = [
    `# Restore etcd of ${input.cluster.name} to a single member, then add the others back one at a time.`,
    `# Members (Kubespray's names, in the order of the etcd group): ${members.map((m) => `${m.name}=${m.host} (${m.address})`).join(', ')}.`,
    live
      ? `# Source: the live database of ${first.host} (${input.snapshot ? 'asked with --from-live-db' : 'no snapshot was recorded by kspray'}); it carries no snapshot hash, hence --skip-hash-check.`
      : `# Source: the snapshot kspray took before ${noted(input.snapshot!.stepId)} at ${noted(input.snapshot!.at)}: ${noted(input.snapshot!.path)} on ${noted(input.snapshot!.host)}, ${input.snapshot!.sizeBytes} bytes, revision ${input.snapshot!.revision}, sha256 ${noted(input.snapshot!.sha256)}.`,
    '# Run each step on the host it names, as root, and check it before the next. Nothing here is run by kspray.',
    '',
    `## 1. Stop etcd on every member (the API servers lose their backend now)`,
    ...members.map((m) => `[${m.host}]  systemctl stop etcd`),
    '',
    `## 2. Restore ${first.name} on ${first.host} alone`,
  ];
  if (!live && input.snapshot!.host !== first.host) out.push(`[${noted(input.snapshot!.host)}]  ${formatArgv(['scp', input.snapshot!.path, `${first.host}:${input.snapshot!.path}`])}`);
  if (!live) out.push(`[${first.host}]  ${formatArgv(['sha256sum', input.snapshot!.path])}   # must print ${noted(input.snapshot!.sha256)}`);
  out.push(
    `[${first.host}]  mv ${DATA_DIR} ${DATA_DIR}.broken-${input.stamp}`,
    `[${first.host}]  ${formatArgv(['ETCDCTL_API=3', 'etcdctl', 'snapshot', 'restore', source, '--name', first.name, '--initial-cluster', `${first.name}=${peer(first)}`, '--initial-cluster-token', TOKEN, '--initial-advertise-peer-urls', peer(first), '--data-dir', DATA_DIR, ...(live ? ['--skip-hash-check'] : [])])}`,
    `[${first.host}]  ${setInitialCluster(`${first.name}=${peer(first)}`, 'new')}`,
    `[${first.host}]  systemctl start etcd`,
    `[${first.host}]  ${etcdctl(first)} endpoint health   # must say healthy`,
  );
  const joined = [first];
  members.slice(1).forEach((member, index) => {
    joined.push(member);
    const initial = joined.map((m) => `${m.name}=${peer(m)}`).join(',');
    out.push(
      '',
      `## ${index + 3}. Add ${member.name} on ${member.host} back`,
      `[${first.host}]  ${etcdctl(first)} member add ${member.name} --peer-urls=${peer(member)}`,
      `[${member.host}]  mv ${DATA_DIR} ${DATA_DIR}.broken-${input.stamp}`,
      `[${member.host}]  ${setInitialCluster(initial, 'existing')}`,
      `[${member.host}]  systemctl start etcd`,
      `[${first.host}]  ${etcdctl(first)} endpoint health --cluster   # every member joined so far healthy`,
    );
  });
  const full = members.map((m) => `${m.name}=${peer(m)}`).join(',');
  out.push(
    '',
    `## ${members.length + 2}. Make every member's ${ENV_FILE} name the whole cluster again`,
    ...members.map((m) => `[${m.host}]  ${setInitialCluster(full, 'existing')}`),
    `[${first.host}]  ${etcdctl(first)} member list -w table`,
    '',
    `# Then check the API (kubectl get nodes) and run \`kspray status -c FILE\`: the next apply resumes where the journal says.`,
  );
  return `${out.join('\n')}\n`;
}
