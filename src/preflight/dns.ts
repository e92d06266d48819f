/**
 * The cluster DNS Service against the addresses Kubespray and kubeadm expect.
 * Kubespray puts its CoreDNS Service ("coredns") at the 3rd address of the
 * service range (skydns_server) and skips kubeadm's DNS addon; kubeadm on its
 * own wants a "kube-dns" Service at the 10th. Field notes: that clash broke
 * upgrades mostly with Kubespray v2.11–v2.18 (kubeadm refuses the upgrade),
 * and was fixed step by step later; the range is not in data/, hence here.
 */
import semver from 'semver';
import type { ClusterFacts, ServiceFact } from '../kube/types.js';
import { KUBESPRAY_VARS } from '../vars/table.js';
import type { CheckOutcome, Finding, HopContext } from './types.js';

const SKYDNS = KUBESPRAY_VARS.skydnsServer;

const CHECK = 'dns';
const DNS_NAMESPACE = 'kube-system';
/** Kubespray tags whose upgrades hit the DNS clash (field notes). */
export const DNS_CLASH_TAGS = '>=2.11.0 <2.19.0';
const DNS_CLASH_LABEL = 'v2.11–v2.18';

// ── IPv4 arithmetic ─────────────────────────────────────────────────────────

export function ipv4ToInt(address: string): number | undefined {
  const parts = address.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The network address and size of an IPv4 CIDR ("10.233.0.0/18"); undefined when it is not one. */
export function parseCidr(cidr: string): { network: number; size: number } | undefined {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const base = ipv4ToInt(match[1] as string);
  const prefix = Number(match[2]);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { network: base - (base % size), size };
}

/** The n-th address of a range, counting the network address as 0 (Ansible's ipaddr(n)); undefined outside it. */
export function nthAddress(cidr: string, n: number): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed || !Number.isInteger(n) || n < 0 || n >= parsed.size) return undefined;
  return intToIpv4(parsed.network + n);
}

// ── what Kubespray's data says ──────────────────────────────────────────────

export interface KubesprayDnsFacts {
  /** kube_service_addresses default, e.g. 10.233.0.0/18. */
  defaultServiceAddresses: string;
  /** skydns_server = ipaddr(<offset>) of the service range (3). */
  skydnsOffset: number;
  /** kubeadm's own DNS address offset (10). */
  kubeadmDnsOffset: number;
  /** metadata.name of Kubespray's CoreDNS Service. */
  serviceName: string;
}

/** Reads a catalog tag record's `dns` block (see data/kubespray/README.md); undefined when it lacks what is needed. */
export function kubesprayDnsFacts(dns: unknown): KubesprayDnsFacts | undefined {
  const record = (dns ?? {}) as {
    coredns_service_name?: unknown;
    computed_for_default_cidr?: { kube_service_addresses?: unknown; skydns_server_offset?: unknown; kubeadm_builtin_dns_ip?: unknown };
  };
  const computed = record.computed_for_default_cidr ?? {};
  const cidr = typeof computed.kube_service_addresses === 'string' ? computed.kube_service_addresses : undefined;
  const parsed = cidr === undefined ? undefined : parseCidr(cidr);
  const kubeadmIp = typeof computed.kubeadm_builtin_dns_ip === 'string' ? ipv4ToInt(computed.kubeadm_builtin_dns_ip) : undefined;
  if (!cidr || !parsed || kubeadmIp === undefined || typeof computed.skydns_server_offset !== 'number') return undefined;
  return {
    defaultServiceAddresses: cidr,
    skydnsOffset: computed.skydns_server_offset,
    kubeadmDnsOffset: kubeadmIp - parsed.network,
    serviceName: typeof record.coredns_service_name === 'string' ? record.coredns_service_name : 'coredns',
  };
}

// ── the check ───────────────────────────────────────────────────────────────

export interface DnsCheckContext {
  hops: readonly HopContext[];
  /** network.serviceAddresses from the cluster model; default: Kubespray's. */
  serviceAddresses: string | undefined;
  kubespray: KubesprayDnsFacts;
}

/** The cluster DNS Service: Kubespray's name, then kubeadm's, then the k8s-app=kube-dns label. */
export function findDnsService(services: readonly ServiceFact[], kubesprayName: string): ServiceFact | undefined {
  const inNs = services.filter((s) => s.namespace === DNS_NAMESPACE);
  return inNs.find((s) => s.name === kubesprayName) ?? inNs.find((s) => s.name === 'kube-dns') ?? inNs.find((s) => s.labels['k8s-app'] === 'kube-dns');
}

export function inClashRange(tag: string): boolean {
  const version = semver.coerce(tag);
  return version !== null && semver.satisfies(version, DNS_CLASH_TAGS);
}

export function checkDns(facts: Pick<ClusterFacts, 'services' | 'gaps'>, ctx: DnsCheckContext): CheckOutcome {
  const gap = facts.gaps.find((g) => g.what === 'services');
  if (gap) return { check: CHECK, status: 'skipped', findings: [], reason: gap.reason };
  const cidr = ctx.serviceAddresses ?? ctx.kubespray.defaultServiceAddresses;
  const skydns = nthAddress(cidr, ctx.kubespray.skydnsOffset);
  const kubeadmDns = nthAddress(cidr, ctx.kubespray.kubeadmDnsOffset);
  if (!skydns || !kubeadmDns) {
    return { check: CHECK, status: 'skipped', findings: [], reason: `service range ${cidr} is not an IPv4 CIDR kspray can compute addresses in` };
  }
  const service = findDnsService(facts.services, ctx.kubespray.serviceName);
  if (!service) {
    const finding: Finding = {
      check: CHECK, severity: 'warn', what: `no cluster DNS Service in ${DNS_NAMESPACE} (looked for ${ctx.kubespray.serviceName}, kube-dns)`, where: DNS_NAMESPACE,
      why: 'Kubespray expects its CoreDNS Service; without one, pods lose name resolution', fix: 'check kubectl -n kube-system get svc; redeploy DNS before upgrading',
    };
    return { check: CHECK, status: 'pass', findings: [finding] };
  }
  const where = `${service.namespace}/${service.name}`;
  const ip = service.clusterIP ?? 'none';
  const details = { service: where, clusterIP: ip, serviceAddresses: cidr, skydnsServer: skydns, kubeadmDnsIp: kubeadmDns };
  const findings: Finding[] = [];
  if (ip !== skydns) {
    findings.push({
      check: CHECK, severity: ip === kubeadmDns ? 'info' : 'warn', where, details,
      what: `DNS Service ${where} is at ${ip}, not at ${SKYDNS} ${skydns} (3rd address of ${cidr})`,
      why: `Kubespray points every kubelet's clusterDNS at ${SKYDNS}: pods upgraded to a different address lose name resolution`,
      fix: `keep the DNS where it is: set ${SKYDNS}: ${ip} in the extra-vars for the upgrade (or check network.serviceAddresses)`,
    });
    return { check: CHECK, status: 'pass', findings };
  }
  const clashHops = ctx.hops.filter((h) => inClashRange(h.toTag));
  // kubeadm's own Service left beside Kubespray's is what kubeadm then trips over.
  const kubeadmService = facts.services.find((s) => s.namespace === DNS_NAMESPACE && s.name === 'kube-dns' && s.name !== service.name);
  const leftover = kubeadmService ? `; a kube-dns Service at ${kubeadmService.clusterIP ?? 'no address'} is there too` : '';
  for (const hop of clashHops) {
    findings.push({
      check: CHECK, severity: 'block', hop: hop.index, where, details: { ...details, kubeadmService: kubeadmService ? `${DNS_NAMESPACE}/kube-dns` : null },
      what: `DNS Service ${where} sits at ${ip} (${SKYDNS}), kubeadm expects ${kubeadmDns}${leftover}; hop ${hop.index} runs Kubespray ${hop.toTag}`,
      why: `with Kubespray ${DNS_CLASH_LABEL}, kubeadm upgrade apply tries to manage its own kube-dns Service at the 10th address of the range and refuses the upgrade`,
      fix: `before hop ${hop.index}: make sure no kube-dns Service or ConfigMap from kubeadm's addon is left in kube-system (Kubespray's is ${ctx.kubespray.serviceName}), do not set ${SKYDNS} on an upgrade, and check on one master that kubeadm upgrade apply ${hop.toVersion} --config=/etc/kubernetes/kubeadm-config.yaml --dry-run passes`,
    });
  }
  if (clashHops.length === 0) {
    findings.push({
      check: CHECK, severity: 'info', where, details,
      what: `DNS Service ${where} at ${ip} (${SKYDNS}; kubeadm's own address would be ${kubeadmDns})`,
      why: `no hop of this plan uses a Kubespray tag in ${DNS_CLASH_LABEL}, where this clash broke kubeadm upgrades`,
      fix: 'nothing to do',
    });
  }
  return { check: CHECK, status: clashHops.length > 0 ? 'fail' : 'pass', findings };
}
