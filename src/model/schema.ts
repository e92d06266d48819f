/**
 * The cluster file: what an operator writes. Strict everywhere (an unknown key
 * is an error, so a typo never silently does nothing), with descriptions that
 * become the JSON Schema editors use for completion.
 *
 * Written with zod/mini, the functional form of zod 4 (same core, same
 * parsing, issues and JSON Schema as the chained `zod` API), because every
 * command that reads a cluster file builds these schemas at start-up: mini
 * schemas are cheaper to build and bundle to a third of the code, which
 * `kspray plan` feels (bench/plan.ts). Reading guide for the chained form:
 * `describe(x, d)` is `x.describe(d)`, `z.optional(x)` is `x.optional()`,
 * `z._default(x, v)` is `x.default(v)`, `z.pipe(x, z.transform(f))` is
 * `x.transform(f)`, `.check(z.regex(…), z.minLength(n))` is `.regex(…).min(n)`.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseDurationMs, type DurationForms } from '../util/duration.js';

// The chained `zod` entry installs English issue messages when it loads; zod/mini leaves that to us.
z.config(en());

/**
 * The chained API's `.describe(text)`, which registers the description on a
 * copy of the schema. Here the schema itself carries it, which is the same
 * for a schema made for this one place (and saves building the copy); a
 * schema used in several places with several descriptions goes through
 * describeCopy.
 */
function describe<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

function describeCopy<T extends z.ZodMiniType>(schema: T, description: string): T {
  return describe(schema.clone(), description);
}

/** `schema.optional().describe(description)`. */
function optional<T extends z.ZodMiniType>(schema: T, description: string): z.ZodMiniOptional<T> {
  return describe(z.optional(schema), description);
}

const VERSION_RE = /^v?1\.\d+\.\d+$/;
const TAG_RE = /^v2\.\d+\.\d+$/;
/** A DNS subdomain in lower case (RFC 1123), which Kubernetes requires of node names. */
const NODE_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const kubeVersion = describe(
  z.pipe(
    z.string().check(z.regex(VERSION_RE, { message: 'must be a Kubernetes version like 1.16.3 or v1.16.3' })),
    z.transform((version: string) => (version.startsWith('v') ? version : `v${version}`)),
  ),
  'Kubernetes version, 1.x.y with or without a leading v',
);

export const secretRef = describe(
  z.union([
    z.strictObject({ fromEnv: describe(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), 'Environment variable that holds the secret') }),
    z.strictObject({ fromFile: describe(z.string().check(z.minLength(1)), 'File whose content (trimmed) is the secret; relative to the cluster file') }),
  ]),
  'A secret is never written in the cluster file: name where kspray reads it when rendering',
);
export type SecretRef = z.infer<typeof secretRef>;

export const nodeRole = z.enum(['control-plane', 'etcd', 'worker']);
export type NodeRole = z.infer<typeof nodeRole>;

export const node = z.strictObject({
  name: describe(z.string().check(
    z.maxLength(253, { message: 'must be at most 253 characters (a Kubernetes node name is a DNS subdomain)' }),
    z.regex(NODE_NAME_RE, { message: 'must be a Kubernetes node name: lower-case letters, digits, - and ., starting and ending with a letter or digit (RFC 1123)' }),
  ), 'Inventory host name, and the Kubernetes node name (RFC 1123: lower-case letters, digits, - and .)'),
  ansibleHost: optional(z.string().check(z.minLength(1)), 'Address or name Ansible connects to; default: the name'),
  ip: describe(z.string(), 'Address Kubernetes services bind to'),
  accessIp: optional(z.string(), 'Address other nodes use to reach this one'),
  iface: optional(z.string().check(z.regex(/^[\w.:-]+$/, { message: 'must be a network interface name: letters, digits, _, ., : and -' })), 'Network interface, e.g. eno49 (documentation only: no Kubespray tag reads it)'),
  roles: describe(z.array(nodeRole).check(z.minLength(1)), 'control-plane, etcd, worker'),
  labels: optional(z.record(z.string(), z.string()), 'Node labels, in Kubernetes label syntax'),
  zone: optional(z.string(), 'Failure zone; worker waves can keep one node of a zone per wave'),
  arch: optional(z.enum(['amd64', 'arm64', 'arm', 'ppc64le']), 'CPU architecture (as Kubespray names it): which copy of each file `kspray artifacts` lists and the mirror preflight checks for this node; default amd64'),
  vars: optional(z.record(z.string(), z.unknown()), 'Extra host variables written on the host line: Ansible variable names; no Jinja ({{ {% {#}) or control characters, which the inventory cannot carry'),
});
export type ClusterNode = z.infer<typeof node>;

export const bgpPeer = z.strictObject({
  routerId: describe(z.string(), 'Peer router address'),
  as: describe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), 'Peer AS number, 1 – 4294967295'),
});

const encapsulation = ['Always', 'CrossSubnet', 'Never'] as const;
export const calico = z.strictObject({
  ipipMode: optional(z.enum(encapsulation), 'IP-in-IP mode'),
  vxlanMode: optional(z.enum(encapsulation), 'VXLAN mode (Kubespray v2.13.0+)'),
  peerWithRouter: optional(z.boolean(), 'Peer with the top-of-rack router over BGP'),
  natOutgoing: optional(z.boolean(), 'NAT traffic leaving the pod network'),
  globalAsNum: optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), 'Cluster AS number, 1 – 4294967295'),
  peers: optional(z.array(bgpPeer), 'BGP peers of every node'),
  ipAutodetectionMethod: optional(z.string(), 'How calico picks the node address, e.g. can-reach=8.8.8.8'),
});

export const network = z.strictObject({
  plugin: describe(z._default(z.enum(['calico', 'flannel', 'cilium', 'weave', 'kube-router', 'canal', 'cni']), 'calico'), 'Pod network plugin'),
  calico: z.optional(calico),
  serviceAddresses: optional(z.string(), 'Service CIDR, default 10.233.0.0/18'),
  podsSubnet: optional(z.string(), 'Pod CIDR, default 10.233.64.0/18'),
});

export const rbdProvisioner = z.strictObject({
  enabled: z._default(z.boolean(), true),
  monitors: describe(z.array(z.string()).check(z.minLength(1)), 'Ceph monitors host:port'),
  pool: describe(z.string(), 'RBD pool'),
  adminId: z._default(z.string(), 'admin'),
  adminSecret: describeCopy(secretRef, 'Ceph admin key'),
  userId: z._default(z.string(), 'kube'),
  userSecret: describeCopy(secretRef, 'Ceph user key'),
  userSecretNamespace: z.optional(z.string()),
  fsType: z.optional(z.string()),
  imageFormat: z.optional(z.string()),
  imageFeatures: z.optional(z.string()),
  storageClass: z.optional(z.string()),
  reclaimPolicy: z.optional(z.enum(['Delete', 'Retain'])),
});

export const addons = z.strictObject({
  helm: optional(z.boolean(), 'Deploy helm'),
  dashboard: optional(z.boolean(), 'Deploy the dashboard (up to Kubespray v2.30.x)'),
  metricsServer: optional(z.boolean(), 'Deploy metrics-server'),
  localVolumeProvisioner: optional(z.boolean(), 'Deploy the local volume provisioner'),
  rbdProvisioner: optional(rbdProvisioner, 'The Ceph RBD provisioner (up to Kubespray v2.27.x)'),
});

// ── The API server's high availability and etcd (issue 13) ─────────────────
// Descriptions here say what a key means; the Kubespray variable each becomes,
// per tag, comes from the variable table (src/vars/table.ts, json-schema.ts).

const port = z.number().check(z.int(), z.gte(1), z.lte(65535));

export const externalLoadBalancer = z.strictObject({
  address: describe(z.string().check(z.minLength(1)), 'The load balancer\'s address (an IP, not a node\'s)'),
  port: describe(z._default(port, 6443), 'The load balancer\'s port'),
  domainName: optional(z.string().check(z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i, { message: 'must be a DNS name' })), 'Its DNS name: the control-plane endpoint and a name in the API certificate'),
});

export const localhostLoadBalancer = z.strictObject({
  enabled: optional(z.boolean(), 'A proxy on every node in front of the API servers'),
  type: optional(z.enum(['nginx', 'haproxy']), 'nginx or haproxy'),
  port: optional(port, 'The local proxy\'s port'),
  healthcheckPort: optional(port, 'The local proxy\'s health-check port'),
});

export const kubeVipPeer = z.strictObject({
  address: describe(z.string(), 'Peer address'),
  as: describe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), 'Peer AS number'),
});

export const kubeVip = z.strictObject({
  address: describe(z.string().check(z.minLength(1)), 'The virtual IP of the control plane'),
  interface: describe(z.string().check(z.regex(/^[\w.:-]+$/)), 'The interface the virtual IP is announced on'),
  mode: describe(z.enum(['arp', 'bgp']), 'How the virtual IP is announced'),
  services: optional(z.boolean(), 'Also serve Services of type LoadBalancer'),
  bgp: z.optional(z.strictObject({
    routerId: describe(z.string(), 'BGP router id'),
    localAs: describe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), 'Local AS number'),
    peers: describe(z.array(kubeVipPeer).check(z.minLength(1)), 'BGP peers'),
  })),
});

export const apiServer = z.strictObject({
  port: optional(port, 'Port each API server listens on (default 6443)'),
  loadBalancer: z.optional(z.strictObject({
    external: optional(externalLoadBalancer, 'A load balancer in front of the API servers'),
    localhost: optional(localhostLoadBalancer, 'A proxy on every node in front of the API servers (Kubespray\'s default without an external one)'),
    kubeVip: optional(kubeVip, 'kube-vip: a virtual IP for the control plane (Kubespray v2.19.0+)'),
  })),
});

export const etcdSettings = z.strictObject({
  deploymentType: optional(z.enum(['host', 'docker', 'kubeadm']), 'How etcd runs: on the host, in docker, or managed by kubeadm (stacked on the control planes). Members are the nodes with the etcd role: on the control planes (stacked) or on hosts of their own (external)'),
});

// ── upgrade.gates: health gates between worker waves (one self-contained block) ──────────────
/** `30s`, `10m`, `1h30m`, `500ms`: what gate timeouts and intervals are written as. */
export const GATE_DURATION_FORMS: DurationForms = { millis: true };
const gateDuration = z.string().check(
  z.refine((text: string) => parseDurationMs(text, GATE_DURATION_FORMS) !== undefined, { message: 'must be a duration like 30s, 10m, 1h30m or 500ms' }),
);
/** Kubernetes' own rules for what the gate reads: its path parts in the API can then never be `..` or anything but a name. */
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const namespaceName = z.string().check(z.regex(DNS_LABEL_RE, { message: 'must be a Kubernetes namespace: lower-case letters, digits and -, starting and ending with a letter or digit' }), z.maxLength(63));
const objectName = z.string().check(
  z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: 'must be a Kubernetes object name: lower-case letters, digits, - and ., starting and ending with a letter or digit' }),
  z.maxLength(253),
);
const namespacedName = z.strictObject({
  namespace: describe(namespaceName, 'Namespace'),
  name: describe(objectName, 'Name'),
});
export const gateKubernetes = z.strictObject({
  podsReady: optional(z.strictObject({
    namespace: describe(namespaceName, 'Namespace of the pods'),
    selector: describe(z.string().check(z.minLength(1)), 'Label selector, e.g. app=postgres,tier in (db)'),
  }), 'Every pod the selector picks is Running and Ready (and there is at least one)'),
  deployment: optional(namespacedName, 'The Deployment is fully available: every replica updated and available'),
  statefulSet: optional(namespacedName, 'The StatefulSet is fully available: every replica updated and ready'),
  nodesReady: optional(z.literal(true), 'Every node of the cluster is Ready'),
});
export const gate = z.strictObject({
  name: describe(z.string().check(z.regex(DNS_LABEL_RE, { message: 'must be lower-case letters, digits and - (what --skip-gate names)' })), 'The gate\'s name: the journal, the reports and --skip-gate NAME use it'),
  command: optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    'A command run on the controller as an argv (never through a shell), KUBECONFIG set to the cluster\'s: exit 0 passes. KSPRAY_GATE_AFTER names the step it follows, KSPRAY_GATE_HOSTS that step\'s hosts'),
  http: optional(z.strictObject({
    url: describe(z.string().check(z.regex(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })), 'The URL to GET'),
    status: optional(z.number().check(z.int(), z.gte(100), z.lte(599)), 'The status that passes; default 200'),
    bodyContains: optional(z.string().check(z.minLength(1)), 'Text the body must contain, e.g. HEALTH_OK'),
  }), 'An HTTP GET from the controller that must answer with the status (and the text)'),
  kubernetes: optional(gateKubernetes.check(z.refine((k) => Object.values(k).filter((v) => v !== undefined).length === 1, { message: 'name exactly one condition: podsReady, deployment, statefulSet or nodesReady' })),
    'A condition read from the cluster API (only what it names: a label selector, one object, the nodes)'),
  timeout: optional(gateDuration, 'How long the gate may take to pass, checked again every interval; default 5m'),
  interval: optional(gateDuration, 'How long to wait between two checks; default 10s'),
}).check(z.refine((g) => [g.command, g.http, g.kubernetes].filter((v) => v !== undefined).length === 1, { message: 'a gate is exactly one of command, http or kubernetes' }));
export type GateInput = z.output<typeof gate>;
export const upgrade = z.strictObject({
  gates: optional(z.array(gate).check(z.superRefine((gates, ctx) => {
    const seen = new Set<string>();
    gates.forEach((g, index) => {
      if (seen.has(g.name)) ctx.issues.push({ code: 'custom', message: `duplicate gate name "${g.name}"`, input: g.name, path: [index, 'name'] });
      seen.add(g.name);
    });
  })), 'Health gates, checked after the canary and after each wave, before the next one drains; a gate that does not pass before its timeout stops the run'),
});
// ── end of upgrade.gates ──────────────────────────────────────────────────────────────────────
// ── Air-gapped mirrors (issue 15) ───────────────────────────────────────────
// What the nodes download from instead of the internet. Which Kubespray
// variable each key becomes per tag comes from the variable table; the
// credentials and CA are kspray's own (the mirror preflight), never written
// for Kubespray.

/** host[:port][/path], as an image repository prefix: no scheme, no template. */
const imageRepository = z.string().check(z.regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?(\/[A-Za-z0-9._-]+)*$/, { message: 'must be a registry host[:port][/path], e.g. registry.example.com:5000/k8s (no scheme)' }));
const mirrorUrl = z.pipe(
  z.string().check(z.regex(/^https?:\/\/[^\s{}%#?]+$/, { message: 'must be an http(s) URL without query, e.g. https://files.example.com/kubespray' })),
  z.transform((url: string) => url.replace(/\/+$/, '')),
);

export const offline = z.strictObject({
  registry: optional(imageRepository, 'The registry every image comes from: each image repository the tag reads (kube, gcr, docker, quay, github) points here, unless imageRepos names another'),
  imageRepos: optional(z.strictObject({
    kube: optional(imageRepository, 'Instead of registry.k8s.io / k8s.gcr.io'),
    gcr: optional(imageRepository, 'Instead of gcr.io'),
    docker: optional(imageRepository, 'Instead of docker.io'),
    quay: optional(imageRepository, 'Instead of quay.io'),
    github: optional(imageRepository, 'Instead of ghcr.io'),
    kubeadm: optional(imageRepository, 'The control-plane images kubeadm pulls, when not where kube points'),
  }), 'One image repository per source registry, over registry'),
  files: optional(mirrorUrl, 'The files mirror: every file the tag downloads from MIRROR/HOST/PATH (github.com, dl.k8s.io, storage.googleapis.com, get.helm.sh: Kubespray\'s offline layout)'),
  registryAuth: optional(z.strictObject({
    username: describe(z.string().check(z.minLength(1)), 'Registry user'),
    password: describeCopy(secretRef, 'Registry password or token'),
  }), 'Credentials the mirror preflight reads the registry with (the registry v2 API and its token service); never written for Kubespray'),
  caFile: optional(z.string().check(z.minLength(1)), 'PEM file of the CA certificates the mirror preflight trusts for https mirrors (relative to the cluster file); default: the system\'s'),
});

export const cluster = z.strictObject({
  $schema: z.optional(z.string()),
  name: describe(z.string().check(
    // It names files (extra-vars/<name>.secrets.yml, .kspray/state/<name>.json): far below any file-name limit.
    z.maxLength(63, { message: 'must be at most 63 characters (it names files and directories)' }),
    z.regex(/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/, { message: 'must be lower-case letters, digits, - or _' }),
  ), 'Cluster name: names inventories/<name>/ and extra-vars/<name>.yml'),
  kubernetes: z.strictObject({
    version: describeCopy(kubeVersion, 'The version the cluster runs now'),
  }),
  kubespray: z._default(
    z.strictObject({
      repo: describe(z._default(z.string().check(z.minLength(1)), 'https://github.com/kubernetes-sigs/kubespray.git'), 'Kubespray git repository (URL or path)'),
      tag: optional(z.string().check(z.regex(TAG_RE, { message: 'must be a Kubespray release tag like v2.12.10' })), 'The Kubespray tag the cluster was last deployed with'),
      ansible: describe(z._default(z.enum(['system', 'venv']), 'system'), 'system: ansible-playbook on PATH; venv: one virtualenv per Kubespray line with its pinned Ansible'),
      forks: describe(z._default(z.number().check(z.int(), z.gte(1), z.lte(500)), 30), 'ansible-playbook -f'),
    }),
    { repo: 'https://github.com/kubernetes-sigs/kubespray.git', ansible: 'system', forks: 30 },
  ),
  nodes: z.array(node).check(z.minLength(1)),
  network: z._default(network, { plugin: 'calico' }),
  containerManager: optional(z.enum(['docker', 'containerd', 'crio']), 'Container runtime'),
  kubeProxy: z.optional(z.strictObject({ mode: describe(z.enum(['ipvs', 'iptables', 'nftables']), 'kube-proxy mode') })),
  dns: z.optional(z.strictObject({
    nodelocaldns: optional(z.boolean(), 'Run nodelocaldns'),
    clusterName: optional(z.string(), 'Cluster DNS domain'),
  })),
  addons: z.optional(addons),
  registries: z.optional(z.strictObject({
    insecure: optional(z.array(z.string()), 'Insecure registries host:port'),
  })),
  access: z.optional(z.strictObject({
    kubeconfigLocalhost: optional(z.boolean(), 'Copy admin.conf to the Ansible host'),
    kubectlLocalhost: optional(z.boolean(), 'Copy kubectl to the Ansible host'),
    kubeconfig: optional(z.string(), 'Kubeconfig kspray reads the cluster with; default inventories/<name>/artifacts/admin.conf'),
    context: z.optional(z.string()),
  })),
  hosts: z.optional(z.strictObject({
    populateInventoryToHostsFile: optional(z.boolean(), 'Write inventory hosts to /etc/hosts (up to Kubespray v2.28.x)'),
    overrideSystemHostname: optional(z.boolean(), 'Set each host\'s hostname to its inventory name'),
  })),
  preflight: z.optional(z.strictObject({
    // Removed as root on every control-plane host, every hop: an absolute path below /, never / itself, no . or .. to climb out.
    cachePaths: optional(z.array(z.string().check(z.regex(/^(\/(?!\.\.?(\/|$))[^/\0\n]+)+$/, { message: 'must be an absolute path below / with no . or .. segment and no trailing /: kspray removes it as root on every control-plane host' }))), 'Stale caches removed from control-plane hosts; default /root/.kube/http-cache, /root/.docker/config'),
    etcdCertDir: optional(z.string(), 'etcd client certificates; default /etc/ssl/etcd/ssl'),
    etcdEndpoints: optional(z.array(z.string().check(z.regex(/^https?:\/\/[^\s,]+$/, { message: 'must be a client URL like https://127.0.0.1:2379' }))).check(z.minLength(1)), 'etcd client URLs etcdctl starts from on the first etcd host; default https://127.0.0.1:2379'),
    etcdTls: optional(z.boolean(), 'Use Kubespray\'s etcd client certificates (default true)'),
    etcdSnapshotDir: optional(z.string().check(z.regex(/^\/[^\0\n]*$/, { message: 'must be an absolute path' })), 'Where apply keeps the etcd snapshot it takes before each hop\'s control plane, on the first etcd host; default /var/backups/kspray/etcd'),
  })),
  apiServer: optional(apiServer, 'The API servers and the load balancers in front of them'),
  etcd: optional(etcdSettings, 'etcd'),
  offline: optional(offline, 'Air-gapped upgrades: the registry and files mirror the nodes download from (kspray artifacts lists what to mirror, the mirror preflight checks it is there)'),
  extraVars: optional(z.record(z.string(), z.unknown()), 'Any other Kubespray variable, written as is (never templated: a value holding {{ is written !unsafe); may not shadow a typed field; a value { fromEnv: VAR } or { fromFile: path } is a secret, written to the secrets file'),
  upgrade: optional(upgrade, 'How kspray runs the upgrade: health gates between worker waves'),
});

export type ClusterInput = z.input<typeof cluster>;
export type Cluster = z.output<typeof cluster>;
