/**
 * Bad input, across every command: each case runs the built CLI in a fresh
 * directory and checks the exit code (2 for bad input, 1 where `validate`
 * reports problems), that the output names where (file:line:col, the option or
 * the path) and how to fix it, that there is no stack trace and no "unexpected
 * error" (that is for kspray's own bugs), that no secret value is printed, and
 * that nothing was written: the directory is byte for byte what it was.
 *
 * The cases are data in one array: append to BAD_INPUTS (the plan, --plan and
 * journal cases of apply and status belong here too).
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { k1SecretEnv, runCli, withTempDir } from './helpers/cli.js';

/** A file the case needs: its text (or bytes), or a directory; optionally a mode. */
type Entry = string | Buffer | { dir: true } | { text: string; mode: number };

interface BadInput {
  /** The command, then what is wrong. */
  name: string;
  /** Files made in the case's directory before the run (relative paths). */
  files?: Record<string, Entry>;
  /** The arguments; `{dir}` is the case's directory (also the working directory). */
  args: string[];
  env?: Record<string, string>;
  exit: 1 | 2;
  /** What the output must say: the position, option or path, and the problem. */
  says: RegExp;
}

const HEAD = 'name: t1\nkubernetes:\n  version: 1.16.3\n';
const NODES = `nodes:
  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }
  - { name: m2, ip: 10.0.0.2, roles: [control-plane, etcd] }
  - { name: m3, ip: 10.0.0.3, roles: [control-plane, etcd] }
  - { name: w1, ip: 10.0.0.4, roles: [worker] }
  - { name: w2, ip: 10.0.0.5, roles: [worker] }
`;
const GOOD = HEAD + NODES;
/** GOOD with one more node line (line 10). */
const withNode = (line: string): string => `${GOOD}  - ${line}\n`;
/** GOOD with more top-level YAML after the nodes (from line 10). */
const plus = (yaml: string): string => `${GOOD}${yaml}`;
const RBD = (admin: string, user = '{ fromEnv: BAD_INPUTS_SECRET }') => `addons:\n  rbdProvisioner:\n    monitors: [10.0.0.9:6789]\n    pool: kubes\n    adminSecret: ${admin}\n    userSecret: ${user}\n`;

/** Secret values the cases make available; none may ever be printed. */
const SECRETS = { BAD_INPUTS_SECRET: 's3cr3t-Bad-Inputs-Value', BAD_INPUTS_SHORT: 'q7', ...k1SecretEnv };
const CLEAR_SECRETS = ['hunter2-in-clear', 'pw-on-a-host-line'];

const aliasBomb = `${HEAD}${NODES}extraVars:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 9 }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}\n`;
const importIni = '[all]\nm1 ansible_host=10.0.0.1 ip=10.0.0.1\n[kube_control_plane]\nm1\n[etcd]\nm1\n[kube_node]\nm1\n';
/** As root every directory is writable; sysfs refuses a new entry to root too. */
const UNWRITABLE = process.getuid?.() === 0 ? '/sys/kspray-bad-inputs' : '{dir}/locked/out';

export const BAD_INPUTS: BadInput[] = [
  // validate: every problem at FILE:LINE:COL, exit 1
  { name: 'validate: YAML syntax error', files: { 'c.yaml': `${HEAD}nodes:\n  - { name: m1, ip: 10.0.0.1\n` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:6:1 YAML: Flow map .* end with a \} — close the flow map with \}/ },
  { name: 'validate: alias with no anchor', files: { 'c.yaml': plus('extraVars:\n  a: *nowhere\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:6 YAML: alias \*nowhere refers to no anchor &nowhere/ },
  { name: 'validate: alias bomb', files: { 'c.yaml': aliasBomb }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:1 YAML: aliases expand more than 100 times/ },
  { name: 'validate: two YAML documents', files: { 'c.yaml': `${GOOD}---\nname: t2\n` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:1 YAML: the file holds more than one YAML document .* — a cluster file is one document/ },
  { name: 'validate: empty file', files: { 'c.yaml': '' }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:1 the file is empty/ },
  { name: 'validate: the cluster file is a directory', files: { 'c.yaml': { dir: true } }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:1 is a directory, not a cluster file/ },
  { name: 'validate: no such file', args: ['validate', '-c', 'missing.yaml'], exit: 1, says: /missing\.yaml:1:1 file not found/ },
  { name: 'validate: a map where a list belongs', files: { 'c.yaml': `${HEAD}nodes: { a: 1 }\n` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:4:8 nodes: must be a list, not a map/ },
  { name: 'validate: a list where a map belongs', files: { 'c.yaml': `name: t1\nkubernetes: []\n${NODES}` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:2:13 kubernetes: must be a map \(key: value\), not a list/ },
  { name: 'validate: no nodes', files: { 'c.yaml': `${HEAD}nodes: []\n` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:4:8 nodes: needs at least 1 item, has 0/ },
  { name: 'validate: version written as a number', files: { 'c.yaml': `name: t1\nkubernetes:\n  version: 1.16\n${NODES}` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:3:12 kubernetes\.version: must be a string, not the number 1\.16/ },
  { name: 'validate: a 5000-character cluster name', files: { 'c.yaml': `name: ${'a'.repeat(5000)}\nkubernetes:\n  version: 1.16.3\n${NODES}` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:7 name: must be at most 63 characters \(it names files and directories\) — shorten it/ },
  { name: 'validate: upper case in the cluster name', files: { 'c.yaml': `name: T1\nkubernetes:\n  version: 1.16.3\n${NODES}` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:7 name: must be lower-case/ },
  { name: 'validate: upper case in a node name', files: { 'c.yaml': withNode('{ name: Worker3, ip: 10.0.0.6, roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:13 nodes\[5\]\.name: must be a Kubernetes node name: lower-case .* \(RFC 1123\)/ },
  { name: 'validate: underscore in a node name', files: { 'c.yaml': withNode('{ name: worker_3, ip: 10.0.0.6, roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:13 nodes\[5\]\.name: must be a Kubernetes node name/ },
  { name: 'validate: a 254-character node name', files: { 'c.yaml': withNode(`{ name: ${'a'.repeat(254)}, ip: 10.0.0.6, roles: [worker] }`) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:13 nodes\[5\]\.name: must be at most 253 characters/ },
  { name: 'validate: unknown key', files: { 'c.yaml': plus('kubeproxy:\n  mode: ipvs\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:1 kubeproxy: unknown key "kubeproxy"/ },
  { name: 'validate: unknown role', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [master] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:39 nodes\[5\]\.roles\[0\]: the string "master" is not one of the allowed values — use one of: control-plane, etcd, worker/ },
  { name: 'validate: an interface name with a space', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, iface: "eth 0", roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:38 nodes\[5\]\.iface: must be a network interface name/ },
  { name: 'validate: a merge of something that is not a map', files: { 'c.yaml': plus('extraVars:\n  x:\n    <<: [1]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:1:1 YAML: Merge sources must be maps .* — a merge key \(<<\) takes a map/ },
  // network rules
  { name: 'validate: service range with host bits set', files: { 'c.yaml': plus('network:\n  serviceAddresses: 10.233.1.0/18\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:21 network\.serviceAddresses: 10\.233\.1\.0\/18 has host bits set: the range it names is 10\.233\.0\.0\/18 — write 10\.233\.0\.0\/18/ },
  { name: 'validate: pod and service ranges overlap', files: { 'c.yaml': plus('network:\n  serviceAddresses: 10.233.0.0/16\n  podsSubnet: 10.233.64.0/18\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:12:15 network\.podsSubnet: network\.serviceAddresses \(10\.233\.0\.0\/16\) and network\.podsSubnet \(10\.233\.64\.0\/18\) overlap/ },
  { name: 'validate: pod range holding node addresses', files: { 'c.yaml': plus('network:\n  podsSubnet: 10.0.0.0/16\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:5:21 nodes\[0\]\.ip: 10\.0\.0\.1 lies inside network\.podsSubnet \(10\.0\.0\.0\/16\)[\s\S]*c\.yaml:9:21 nodes\[4\]\.ip/ },
  { name: 'validate: a node inside the default service range', files: { 'c.yaml': withNode('{ name: w3, ip: 10.233.0.5, roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:21 nodes\[5\]\.ip: 10\.233\.0\.5 lies inside Kubespray's default kube_service_addresses \(10\.233\.0\.0\/18\)/ },
  { name: 'validate: a prefix past 32 bits', files: { 'c.yaml': plus('network:\n  podsSubnet: 10.234.0.0/33\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:15 network\.podsSubnet: "10\.234\.0\.0\/33" is not a CIDR/ },
  { name: 'validate: one IPv6 address in two spellings', files: { 'c.yaml': `${HEAD}nodes:\n  - { name: m1, ip: "fd00::1", roles: [control-plane, etcd] }\n  - { name: w1, ip: "FD00:0:0::0001", roles: [worker] }\n` }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:6:21 nodes\[1\]\.ip: duplicate ip FD00:0:0::0001 \(the same as fd00::1\) \(also nodes\[0\], m1\)/ },
  { name: 'validate: duplicate ansibleHost', files: { 'c.yaml': withNode('{ name: w3, ansibleHost: bastion-7, ip: 10.0.0.6, roles: [worker] }').replace('{ name: w2, ip', '{ name: w2, ansibleHost: bastion-7, ip') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:30 nodes\[5\]\.ansibleHost: duplicate ansibleHost bastion-7 \(also nodes\[4\], w2\)/ },
  { name: 'validate: an ansibleHost that is another node\'s name', files: { 'c.yaml': withNode('{ name: w3, ansibleHost: W1, ip: 10.0.0.6, roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /nodes\[5\]\.ansibleHost: duplicate ansibleHost W1 \(the same as w1\)/ },
  { name: 'validate: an ansibleHost that is no host name', files: { 'c.yaml': withNode('{ name: w3, ansibleHost: "w3 ansible_user=root", ip: 10.0.0.6, roles: [worker] }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:30 nodes\[5\]\.ansibleHost: "w3 ansible_user=root" is neither an IP address nor a host name/ },
  { name: 'validate: a negative AS number', files: { 'c.yaml': plus('network:\n  calico:\n    globalAsNum: -1\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:12:18 network\.calico\.globalAsNum: "-1" is not an AS number — write a whole number from 1 to 4294967295/ },
  { name: 'validate: AS number 0', files: { 'c.yaml': plus('network:\n  calico:\n    globalAsNum: 0\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /network\.calico\.globalAsNum: "0" is not an AS number/ },
  { name: 'validate: AS number past 2^32 - 1', files: { 'c.yaml': plus('network:\n  calico:\n    peers: [{ routerId: 10.0.0.254, as: 4294967296 }]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:12:41 network\.calico\.peers\[0\]\.as: "4294967296" is not an AS number/ },
  { name: 'validate: a BGP peer that is no address', files: { 'c.yaml': plus('network:\n  calico:\n    peers: [{ routerId: tor-1, as: 65000 }]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:12:25 network\.calico\.peers\[0\]\.routerId: "tor-1" is not an IP address/ },
  // values that must stay data
  { name: 'validate: NUL in a string', files: { 'c.yaml': plus('dns:\n  clusterName: "a\\0b"\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:16 dns\.clusterName: holds U\+0000 \(NUL\)/ },
  { name: 'validate: a newline in a host variable', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { note: "a\\nb" } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:62 nodes\[5\]\.vars\.note: holds U\+000A \(newline\): an inventory host line cannot carry it/ },
  { name: 'validate: a host variable name that injects a section', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { "x\\n[kube_control_plane]\\nrogue": 1 } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:56 nodes\[5\]\.vars\."x\\n\[kube_control_plane\]\\nrogue": "x\\n\[kube_control_plane\]\\nrogue" is not an Ansible variable name/ },
  { name: 'validate: a line separator in a host variable', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { note: "a\\u2028b" } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /nodes\[5\]\.vars\.note: holds U\+2028 \(line separator\)/ },
  { name: 'validate: Jinja in a host variable', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { motd: "{{ lookup(\'pipe\', \'id\') }}" } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:62 nodes\[5\]\.vars\.motd: holds a Jinja delimiter/ },
  { name: 'validate: a secret written in clear as a host variable', files: { 'c.yaml': withNode(`{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { ansible_become_password: ${CLEAR_SECRETS[0]} } }`) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:\d+ nodes\[5\]\.vars\.ansible_become_password: ansible_become_password looks like a secret/ },
  { name: 'validate: a label value with a carriage return', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], labels: { rack: "r1\\rr2" } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:64 nodes\[5\]\.labels\.rack: label value "r1\\rr2" is not a Kubernetes label value/ },
  { name: 'validate: a label value with Jinja', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], labels: { rack: "{{ lookup(\'pipe\',\'touch /tmp/x\') }}" } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /nodes\[5\]\.labels\.rack: label value .* is not a Kubernetes label value/ },
  { name: 'validate: a label key that is no label name', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], labels: { "Example.COM/rack": r1 } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:10:58 nodes\[5\]\.labels\.Example\.COM\/rack: label key "Example\.COM\/rack" has a prefix that is not a lower-case DNS subdomain/ },
  { name: 'validate: a 64-character label value', files: { 'c.yaml': withNode(`{ name: w3, ip: 10.0.0.6, roles: [worker], labels: { rack: ${'r'.repeat(64)} } }`) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /nodes\[5\]\.labels\.rack: label value "r{64}" is not a Kubernetes label value/ },
  { name: 'validate: an infinite number as a host variable', files: { 'c.yaml': withNode('{ name: w3, ip: 10.0.0.6, roles: [worker], vars: { pods: .inf } }') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /nodes\[5\]\.vars\.pods: Infinity cannot be written on an inventory host line/ },
  { name: 'validate: an extraVars name that is no variable name', files: { 'c.yaml': plus('extraVars:\n  "my-var": 1\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:3 extraVars\.my-var: "my-var" is not an Ansible variable name/ },
  { name: 'validate: a Jinja delimiter in an extraVars key', files: { 'c.yaml': plus('extraVars:\n  settings:\n    "{{ k }}": 1\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:12:5 extraVars\.settings\.\{\{ k \}\}: the key holds a Jinja delimiter/ },
  { name: 'validate: Jinja in a preflight path', files: { 'c.yaml': plus('preflight:\n  etcdSnapshotDir: "/var/backups/{{ lookup(\'pipe\', \'id\') }}"\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:20 preflight\.etcdSnapshotDir: holds a Jinja delimiter/ },
  { name: 'validate: Jinja in a preflight cache path', files: { 'c.yaml': plus('preflight:\n  cachePaths: [/root/.kube/http-cache, "/tmp/{% if true %}x{% endif %}"]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:40 preflight\.cachePaths\[1\]: holds a Jinja delimiter/ },
  { name: 'validate: a secret reference with a bad variable name', files: { 'c.yaml': plus('extraVars:\n  ansible_become_password: { fromEnv: "1BAD NAME" }\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:39 extraVars\.ansible_become_password\.fromEnv: "1BAD NAME" is not an environment variable name/ },
  { name: 'validate: extraVars shadowing a typed field', files: { 'c.yaml': plus('extraVars:\n  kube_proxy_mode: iptables\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:3 extraVars\.kube_proxy_mode: "kube_proxy_mode" shadows the typed field kubeProxy\.mode/ },
  // secrets
  { name: 'validate: fromFile names a directory', files: { 'c.yaml': plus(RBD('{ fromFile: . }')) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:14:18 addons\.rbdProvisioner\.adminSecret: secret file .* is a directory/ },
  { name: 'validate: a secret file others can write', files: { 'c.yaml': plus(RBD('{ fromFile: admin.key }')), 'admin.key': { text: 'AQBfileSecretValue==', mode: 0o666 } }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:14:18 addons\.rbdProvisioner\.adminSecret: secret file .*admin\.key is writable by its group and everyone \(mode 0666\) — chmod 600/ },
  { name: 'validate: a missing secret file', files: { 'c.yaml': plus(RBD('{ fromFile: nope.key }')) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /adminSecret: secret file .*nope\.key does not exist/ },
  { name: 'validate: a secret variable that is not set', files: { 'c.yaml': plus(RBD('{ fromEnv: BAD_INPUTS_UNSET }')) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:14:18 addons\.rbdProvisioner\.adminSecret: environment variable BAD_INPUTS_UNSET is not set/ },
  { name: 'validate: a secret written in clear where a reference belongs', files: { 'c.yaml': plus(RBD(CLEAR_SECRETS[0]!)) }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:14:18 addons\.rbdProvisioner\.adminSecret: a string is neither of the allowed forms — for a secret write \{ fromEnv: VAR \}/ },

  // render: exit 2, and nothing written
  { name: 'render: --out is a file', files: { 'c.yaml': GOOD, out: 'a file' }, args: ['render', '-c', 'c.yaml', '--tag', 'v2.13.2', '--out', 'out'], exit: 2, says: /cannot write out\/inventories\/t1: a part of the path is a file, not a directory\n\s+pass --out a directory/ },
  { name: 'render: --out cannot be written', files: { 'c.yaml': GOOD, locked: { dir: true } }, args: ['render', '-c', 'c.yaml', '--tag', 'v2.13.2', '--out', UNWRITABLE], exit: 2, says: /cannot write .*: permission denied\n\s+pass --out a directory you can write/ },
  { name: 'render: one target is a directory, so no file is written', files: { 'c.yaml': GOOD, 'out/extra-vars/t1.yml': { dir: true } }, args: ['render', '-c', 'c.yaml', '--tag', 'v2.13.2', '--out', 'out'], exit: 2, says: /cannot write out\/extra-vars\/t1\.yml: it is a directory/ },
  { name: 'render: an unknown tag', files: { 'c.yaml': GOOD }, args: ['render', '-c', 'c.yaml', '--tag', 'v2.99.0'], exit: 2, says: /v2\.99\.0/ },
  { name: 'render: an invalid cluster file', files: { 'c.yaml': plus('dns:\n  clusterName: "a\\0b"\n') }, args: ['render', '-c', 'c.yaml', '--out', 'out'], exit: 2, says: /c\.yaml:11:16 dns\.clusterName: holds U\+0000[\s\S]*c\.yaml is not a valid cluster file/ },
  { name: 'render: a secret that is not set', files: { 'c.yaml': plus(RBD('{ fromEnv: BAD_INPUTS_UNSET }')) }, args: ['render', '-c', 'c.yaml', '--out', 'out'], exit: 2, says: /adminSecret: environment variable BAD_INPUTS_UNSET is not set/ },
  { name: 'render: a fromFile secret that is a directory', files: { 'c.yaml': plus(RBD('{ fromFile: . }')) }, args: ['render', '-c', 'c.yaml', '--out', 'out'], exit: 2, says: /adminSecret: secret file .* is a directory/ },

  // import: exit 2, the file and the reason
  { name: 'import: no such inventory', args: ['import', '--inventory', 'missing.ini'], exit: 2, says: /--inventory missing\.ini: no such file/ },
  { name: 'import: a binary inventory', files: { 'bin.ini': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]) }, args: ['import', '--inventory', 'bin.ini'], exit: 2, says: /--inventory bin\.ini: is not a text file/ },
  { name: 'import: the inventory is a directory', files: { inv: { dir: true } }, args: ['import', '--inventory', 'inv'], exit: 2, says: /--inventory inv: is a directory/ },
  { name: 'import: an empty inventory', files: { 'e.ini': '\n' }, args: ['import', '--inventory', 'e.ini'], exit: 2, says: /--inventory e\.ini: is empty/ },
  { name: 'import: an inventory Ansible cannot parse', files: { 'bad.ini': '[all]\nm1 ip=10.0.0.1 "unterminated\n' }, args: ['import', '--inventory', 'bad.ini'], exit: 2, says: /--inventory bad\.ini: Ansible cannot read it:[\s\S]*bad\.ini:2:\s+Error\s+parsing\s+host\s+definition/ },
  { name: 'import: a broken host line holding a password (never shown)', files: { 'bad.ini': `[all]\nm1 ip=10.0.0.1 ansible_become_password=${CLEAR_SECRETS[1]} note="unterminated\n` }, args: ['import', '--inventory', 'bad.ini'], exit: 2, says: /Ansible cannot read it:[\s\S]*ansible_become_password=\*\*\*/ },
  { name: 'import: no host in a Kubernetes group', files: { 'o.ini': '[web]\nw1 ansible_host=10.0.0.1\n' }, args: ['import', '--inventory', 'o.ini'], exit: 2, says: /o\.ini: no host is in a Kubernetes group/ },
  { name: 'import: --extra-vars with bad YAML', files: { 'h.ini': importIni, 'x.yml': 'a: [\n' }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /--extra-vars x\.yml is not valid YAML:\nx\.yml:2:1 YAML: Flow sequence/ },
  { name: 'import: --extra-vars with an alias bomb', files: { 'h.ini': importIni, 'x.yml': aliasBomb.slice(aliasBomb.indexOf('extraVars:\n') + 11).replace(/^ {2}/gm, '') }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /x\.yml:1:1 YAML: aliases expand more than 100 times/ },
  { name: 'import: --extra-vars with an alias of nothing', files: { 'h.ini': importIni, 'x.yml': 'a: 1\nb: *c\n' }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /x\.yml:2:4 YAML: alias \*c has no anchor &c before it/ },
  { name: 'import: --extra-vars with a plain =', files: { 'h.ini': importIni, 'x.yml': 'a: =\n' }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /x\.yml:1:4 YAML: a plain = is YAML 1\.1's value key/ },
  { name: 'import: --extra-vars with two documents', files: { 'h.ini': importIni, 'x.yml': 'a: 1\n---\nb: 2\n' }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /x\.yml:2:1 YAML: the file holds more than one YAML document/ },
  { name: 'import: --extra-vars that is a list', files: { 'h.ini': importIni, 'x.yml': '- a\n- b\n' }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'x.yml'], exit: 2, says: /--extra-vars x\.yml: must be a map of variables \(name: value\), not a list/ },
  { name: 'import: no such --extra-vars', files: { 'h.ini': importIni }, args: ['import', '--inventory', 'h.ini', '--extra-vars', 'nope.yml'], exit: 2, says: /--extra-vars nope\.yml: no such file/ },
  { name: 'import: secrets on host lines and no version (secret never shown)', files: { 'h.ini': `[all]\nm1 ip=10.0.0.1 ansible_become_password=${CLEAR_SECRETS[1]}\n[kube_control_plane]\nm1\n[etcd]\nm1\n[kube_node]\nm1\n` }, args: ['import', '--inventory', 'h.ini'], exit: 2, says: /imported\.yaml:\d+:\d+ kubernetes\.version: must be a Kubernetes version[\s\S]*pass --kube-version/ },
  { name: 'import: a bad --kube-version', files: { 'h.ini': importIni }, args: ['import', '--inventory', 'h.ini', '--kube-version', '1.16'], exit: 2, says: /kubernetes\.version: must be a Kubernetes version like 1\.16\.3/ },

  // plan, preflight and their options: exit 2, the option named
  { name: 'plan: --output is a directory', files: { 'c.yaml': GOOD, 'plan-dir': { dir: true } }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--output', 'plan-dir'], exit: 2, says: /cannot write plan-dir: it is a directory\n\s+pass --output a file path/ },
  { name: 'plan: --output under a file', files: { 'c.yaml': GOOD, f: 'x' }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--output', 'f/plan.json'], exit: 2, says: /cannot write f\/plan\.json: a part of the path is a file/ },
  { name: 'plan: --canary as many as the workers', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--canary', '2'], exit: 2, says: /--canary 2: the cluster has 2 workers, so the canary would be every worker\n\s+pass --canary 1, or --canary 0/ },
  { name: 'plan: --canary as many as the pure workers (a control-plane node that also works is no canary)', files: { 'c.yaml': withNode('{ name: m4, ip: 10.0.0.6, roles: [control-plane, worker] }') }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--canary', '2'], exit: 2, says: /--canary 2: the cluster has 2 workers, so the canary would be every worker/ },
  { name: 'plan: --canary 99', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--canary', '99'], exit: 2, says: /--canary 99: the cluster has 2 workers/ },
  { name: 'plan: --canary that is no number', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--canary', 'two'], exit: 2, says: /--canary two is not a number of workers/ },
  { name: 'plan: --max-unavailable over 100%', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--max-unavailable', '200%'], exit: 2, says: /--max-unavailable 200%: a share of the workers is a whole percentage from 1% to 100%/ },
  { name: 'plan: --max-unavailable 0', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--max-unavailable', '0'], exit: 2, says: /--max-unavailable 0: at least one worker must be drained at a time/ },
  { name: 'plan: --max-unavailable that is neither', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--max-unavailable', 'half'], exit: 2, says: /--max-unavailable half is neither N nor P%/ },
  { name: 'plan: --batch 0', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--batch', '0'], exit: 2, says: /--batch 0 is neither N nor P%/ },
  { name: 'plan: --batch 200%', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'c.yaml', '--batch', '200%'], exit: 2, says: /--batch 200% is neither N nor P%/ },
  { name: 'plan: a version pair that is no version', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→banana', '-c', 'c.yaml'], exit: 2, says: /banana/ },
  { name: 'plan: no target', files: { 'c.yaml': GOOD }, args: ['plan', '-c', 'c.yaml'], exit: 2, says: /no target version, and no unfinished plan recorded to resume\n\s+pass FROM→TO/ },
  { name: 'plan: a pair and --to', files: { 'c.yaml': GOOD }, args: ['plan', '1.16→1.17', '--to', '1.18', '-c', 'c.yaml'], exit: 2, says: /give the target either as FROM→TO or with --to, not both/ },
  { name: 'plan: an invalid cluster file', files: { 'c.yaml': withNode('{ name: W3, ip: 10.0.0.6, roles: [worker] }') }, args: ['plan', '1.16→1.17', '-c', 'c.yaml'], exit: 2, says: /c\.yaml:10:13 nodes\[5\]\.name[\s\S]*c\.yaml is not a valid cluster file/ },
  { name: 'plan: a damaged refreshed catalog', files: { 'c.yaml': GOOD, 'cache/catalog.json': '{ "tags": [ half' }, args: ['plan', '1.16→1.17', '-c', 'c.yaml'], env: { KSPRAY_CACHE_DIR: '{dir}/cache' }, exit: 2, says: /the refreshed catalog .*cache\/catalog\.json is damaged: not JSON[\s\S]*kspray catalog refresh --repo/ },
  { name: 'plan: a refreshed catalog of the wrong shape', files: { 'c.yaml': GOOD, 'cache/catalog.json': '{ "tags": [{ "tag": "v2.13.4" }] }' }, args: ['plan', '1.16→1.17', '-c', 'c.yaml'], env: { KSPRAY_CACHE_DIR: '{dir}/cache' }, exit: 2, says: /cache\/catalog\.json is damaged: invalid catalog: tags\.0\./ },
  { name: 'preflight: an unknown target', files: { 'c.yaml': GOOD }, args: ['preflight', '-c', 'c.yaml', '--to', '1.99', '--skip-hosts'], exit: 2, says: /1\.99/ },
  { name: 'preflight: a hop the plan does not have', files: { 'c.yaml': GOOD }, args: ['preflight', '-c', 'c.yaml', '--to', '1.17', '--hop', '7', '--skip-hosts'], exit: 2, says: /--hop 7: the plan has 1 hop\(s\)/ },
  { name: 'plan: a cluster directory whose path holds Jinja (kspray\'s playbooks get paths under it)', files: { 'k{{7*7}}/c.yaml': GOOD }, args: ['plan', '1.16→1.17', '-c', 'k{{7*7}}/c.yaml'], exit: 2, says: /kspray would pass kspray_result_dir="[^"]*k\{\{7\*7\}\}[^"]*" to Ansible, and it holds a Jinja delimiter[\s\S]*move the cluster file to a directory whose path holds none/ },
  { name: 'validate: a gate namespace that is no Kubernetes name (.. would widen its API path)', files: { 'c.yaml': plus('upgrade:\n  gates:\n    - name: db\n      kubernetes: { deployment: { namespace: "..", name: postgres } }\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:13:46 upgrade\.gates\[0\]\.kubernetes\.deployment\.namespace: must be a Kubernetes namespace/ },
  { name: 'validate: a gate pod namespace with a slash', files: { 'c.yaml': plus('upgrade:\n  gates:\n    - name: db\n      kubernetes: { podsReady: { namespace: a/b, selector: app=db } }\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:13:45 upgrade\.gates\[0\]\.kubernetes\.podsReady\.namespace: must be a Kubernetes namespace/ },
  { name: 'validate: a relative cache path', files: { 'c.yaml': plus('preflight:\n  cachePaths: [root/.kube/http-cache]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:16 preflight\.cachePaths\[0\]: must be an absolute path below \/ with no \. or \.\. segment/ },
  { name: 'validate: / as a cache path', files: { 'c.yaml': plus('preflight:\n  cachePaths: [/root/.kube/http-cache, /]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:40 preflight\.cachePaths\[1\]: must be an absolute path below \// },
  { name: 'validate: a cache path that climbs out with ..', files: { 'c.yaml': plus('preflight:\n  cachePaths: [/root/.kube/../../etc]\n') }, args: ['validate', '-c', 'c.yaml'], exit: 1, says: /c\.yaml:11:16 preflight\.cachePaths\[0\]: must be an absolute path below/ },
  { name: 'plan: Jinja in a preflight etcd endpoint', files: { 'c.yaml': plus('preflight:\n  etcdEndpoints: ["https://{{7*7}}:2379"]\n') }, args: ['plan', '1.16→1.17', '-c', 'c.yaml'], exit: 2, says: /c\.yaml:11:19 preflight\.etcdEndpoints\[0\]: holds a Jinja delimiter/ },
  { name: 'preflight: an invalid cluster file', files: { 'c.yaml': plus('network:\n  podsSubnet: 10.0.0.0/8\n') }, args: ['preflight', '-c', 'c.yaml', '--to', '1.17', '--skip-hosts'], exit: 2, says: /c\.yaml:5:21 nodes\[0\]\.ip: 10\.0\.0\.1 lies inside network\.podsSubnet/ },

  // pin
  { name: 'pin: two tags of one line', files: { 'c.yaml': GOOD }, args: ['pin', '-c', 'c.yaml', '--tag', 'v2.13.2', 'v2.13.4'], exit: 2, says: /--tag v2\.13\.2 v2\.13\.4: both are tags of Kubespray 2\.13, and a line is pinned to one tag/ },
  { name: 'pin: an unknown tag', files: { 'c.yaml': GOOD }, args: ['pin', '-c', 'c.yaml', '--tag', 'v2.99.1'], exit: 2, says: /v2\.99\.1/ },
  { name: 'pin: no cluster file beside which to pin', files: { f: 'x' }, args: ['pin', '-c', 'f/c.yaml', '--tag', 'v2.13.2'], exit: 2, says: /-c f\/c\.yaml: no such cluster file/ },

  // pipeline
  { name: 'pipeline: --cron that is not a cron line', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--cron', 'not a cron'], exit: 2, says: /--cron "not a cron": has 3 fields, a cron line has 5/ },
  { name: 'pipeline: --cron with a minute past 59', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'gitlab', '--to', '1.17', '--cron', '61 1 * * 6'], exit: 2, says: /--cron "61 1 \* \* 6": minute "61": "61" is not 0–59/ },
  { name: 'pipeline: --cron with six fields', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--cron', '0 30 1 * * 6'], exit: 2, says: /has 6 fields, a cron line has 5/ },
  { name: 'pipeline: --cron with a backward range', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--cron', '30 1 * * FRI-MON'], exit: 2, says: /day of week "FRI-MON": range "FRI-MON" runs backwards/ },
  { name: 'pipeline: --cron with a zero step', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--cron', '*/0 * * * *'], exit: 2, says: /minute "\*\/0": step "0" is not a whole number of 1 or more/ },
  { name: 'pipeline: an unknown CI', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'jenkins', '--to', '1.17'], exit: 2, says: /--ci jenkins: kspray writes gitlab or github pipelines/ },
  { name: 'pipeline: a window that is no window', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--window', 'Someday'], exit: 2, says: /--window: "Someday" has no HH:MM-HH:MM range/ },
  { name: 'pipeline: --canary as many as the workers', files: { 'c.yaml': GOOD }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--canary', '5'], exit: 2, says: /--canary 5: the cluster has 2 workers/ },
  { name: 'pipeline: --output is a directory', files: { 'c.yaml': GOOD, out: { dir: true } }, args: ['pipeline', '-c', 'c.yaml', '--ci', 'github', '--to', '1.17', '--output', 'out'], exit: 2, says: /cannot write out: it is a directory\n\s+pass --output a file path/ },

  // catalog, schema, and usage
  { name: 'catalog show: an unknown tag', args: ['catalog', 'show', 'v9.9.9'], exit: 2, says: /v9\.9\.9/ },
  { name: 'catalog list: a damaged refreshed catalog', files: { 'cache/catalog.json': '[]' }, args: ['catalog', 'list'], env: { KSPRAY_CACHE_DIR: '{dir}/cache' }, exit: 2, says: /the refreshed catalog .*catalog\.json is damaged: invalid catalog/ },
  { name: 'catalog refresh: a repository that does not exist', args: ['catalog', 'refresh', '--repo', '{dir}/no-such-repo'], exit: 2, says: /no such directory: .*no-such-repo\n\s+pass a Kubespray clone or a git URL to --repo/ },
  { name: 'schema: an unknown option', args: ['schema', '--yaml'], exit: 2, says: /unknown option '--yaml'/ },
  { name: 'an unknown command', args: ['frobnicate'], exit: 2, says: /unknown command 'frobnicate'/ },
  { name: 'validate: -c missing its value', args: ['validate', '-c'], exit: 2, says: /option '-c, --cluster <file>' argument missing/ },
  // apply: the plan file, the journal, the lock, the waivers (nothing runs, nothing is written)
  { name: 'apply: --plan that is not JSON', files: { 'c.yaml': GOOD, 'plan.json': '{"planVersion": 2,' }, args: ['apply', '-c', 'c.yaml', '--plan', 'plan.json', '--yes'], exit: 2, says: /cannot read the plan plan\.json: not JSON/ },
  { name: 'apply: --plan that is a directory', files: { 'c.yaml': GOOD, 'plan.json': { dir: true } }, args: ['apply', '-c', 'c.yaml', '--plan', 'plan.json', '--yes'], exit: 2, says: /cannot read the plan plan\.json: it is a directory/ },
  { name: 'apply: --plan that does not exist', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--plan', 'none.json', '--yes'], exit: 2, says: /cannot read the plan none\.json: no such file\n\s+write one with `kspray plan … --output FILE`/ },
  { name: 'apply: --plan of an older kspray', files: { 'c.yaml': GOOD, 'plan.json': '{"planVersion": 1, "hops": []}' }, args: ['apply', '-c', 'c.yaml', '--plan', 'plan.json', '--yes'], exit: 2, says: /plan\.json is a kspray plan of version 1; this kspray reads version 2/ },
  { name: 'apply: --plan with a damaged hop', files: { 'c.yaml': GOOD, 'plan.json': '{"planVersion": 2, "hops": "x"}' }, args: ['apply', '-c', 'c.yaml', '--plan', 'plan.json', '--yes'], exit: 2, says: /plan\.json is not a kspray plan: generatedBy: Invalid input: expected string/ },
  { name: 'apply: --plan and a target', files: { 'c.yaml': GOOD, 'plan.json': '{}' }, args: ['apply', '-c', 'c.yaml', '--plan', 'plan.json', '--to', '1.17', '--yes'], exit: 2, says: /--plan runs a reviewed plan file: do not combine it with a target version/ },
  { name: 'apply: a journal that is not JSON', files: { 'c.yaml': GOOD, '.kspray/state/t1.json': '{"journalVersion": 2,' }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--no-cluster-api', '--reason', 'r'], exit: 2, says: /the run journal .*t1\.json is not valid JSON[\s\S]*Move .*t1\.json aside/ },
  { name: 'apply: a journal of an older kspray', files: { 'c.yaml': GOOD, '.kspray/state/t1.json': '{"journalVersion": 1, "cluster": "t1"}' }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--no-cluster-api', '--reason', 'r'], exit: 2, says: /was written by an older kspray \(journalVersion 1\)/ },
  { name: 'apply: a journal whose recorded plan is damaged', files: { 'c.yaml': GOOD, '.kspray/state/t1.json': JSON.stringify({ journalVersion: 2, cluster: 't1', planId: 'x', plan: { planVersion: 2, hops: [{ steps: [{ argv: 'sh -c x' }] }] }, runs: [], steps: {}, cordonedByKspray: [], cleanups: [] }) }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--no-cluster-api', '--reason', 'r'], exit: 2, says: /the run journal .*t1\.json is damaged: plan\./ },
  { name: 'apply: the lock file is a directory', files: { 'c.yaml': GOOD, '.kspray/state/t1.lock': { dir: true } }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--no-cluster-api', '--reason', 'r'], exit: 2, says: /the lock file .*t1\.lock is a directory\n\s+kspray does not remove directories/ },
  { name: 'apply: kspray.lock.yaml is a directory', files: { 'c.yaml': GOOD, 'kspray.lock.yaml': { dir: true } }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes'], exit: 2, says: /cannot read .*kspray\.lock\.yaml: it is a directory/ },
  { name: 'apply: --dry-run --until yesterday', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--dry-run', '--until', 'yesterday'], exit: 2, says: /--until yesterday: neither HH:MM nor an ISO time/ },
  { name: 'apply: --no-cluster-api without a reason', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--no-cluster-api'], exit: 2, says: /--no-cluster-api without a --reason/ },
  { name: 'apply: a --reason after no waiver', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--reason', 'why'], exit: 2, says: /--reason "why" follows no waiver/ },
  { name: 'apply: --skip-check cluster-api', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--skip-check', 'cluster-api', '--reason', 'r'], exit: 2, says: /the cluster API is waived with --no-cluster-api --reason TEXT/ },
  { name: 'apply: --soak without the API', files: { 'c.yaml': GOOD }, args: ['apply', '-c', 'c.yaml', '--to', '1.17', '--yes', '--soak', '1m', '--no-cluster-api', '--reason', 'r'], exit: 2, says: /--soak watches the canary through the cluster API/ },
  { name: 'apply: a FROM that is not where the cluster is', files: { 'c.yaml': GOOD }, args: ['apply', '1.17→1.18', '-c', 'c.yaml', '--yes'], exit: 2, says: /FROM 1\.17 is not where the cluster is: it runs v1\.16\.3/ },
  { name: 'apply: a target below the cluster', files: { 'c.yaml': GOOD }, args: ['apply', '--to', '1.15', '-c', 'c.yaml', '--yes'], exit: 2, says: /kspray does not downgrade/ },
  { name: 'plan: kspray.lock.yaml is a directory', files: { 'c.yaml': GOOD, 'kspray.lock.yaml': { dir: true } }, args: ['plan', '--to', '1.17', '-c', 'c.yaml'], exit: 2, says: /cannot read .*kspray\.lock\.yaml: it is a directory/ },
  { name: 'pin: kspray.lock.yaml is a directory', files: { 'c.yaml': GOOD, 'kspray.lock.yaml': { dir: true } }, args: ['pin', '-c', 'c.yaml', '--tag', 'v2.13.4'], exit: 2, says: /cannot read .*kspray\.lock\.yaml: it is a directory/ },
  { name: 'status: a damaged journal', files: { 'c.yaml': GOOD, '.kspray/state/t1.json': 'not json' }, args: ['status', '-c', 'c.yaml'], exit: 2, says: /the run journal .*t1\.json is not valid JSON/ },
  { name: 'recover: --etcd and --node together', files: { 'c.yaml': GOOD }, args: ['recover', '-c', 'c.yaml', '--etcd', '--node', 'm1'], exit: 2, says: /--etcd and --node repair different things/ },
  { name: 'recover: neither --node nor --etcd', files: { 'c.yaml': GOOD }, args: ['recover', '-c', 'c.yaml'], exit: 2, says: /nothing to recover: pass --node NAME, or --etcd/ },
  { name: 'preflight: an alias-bomb kubeconfig', files: { 'c.yaml': GOOD, 'bomb.conf': `a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`).join('\n')}\n` }, args: ['preflight', '--to', '1.17', '-c', 'c.yaml', '--kubeconfig', 'bomb.conf', '--skip-hosts'], exit: 1, says: /bomb\.conf: the kubeconfig is not valid YAML: Excessive alias count/ },
];

/** Every path under `dir` with its type, mode and content hash: equal before and after means nothing was written. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string, rel: string): Promise<void> => {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name);
      const key = rel ? `${rel}/${name}` : name;
      const info = await lstat(full);
      if (info.isDirectory()) {
        out[key] = `dir ${(info.mode & 0o777).toString(8)}`;
        await walk(full, key);
      } else {
        out[key] = `file ${(info.mode & 0o777).toString(8)} ${createHash('sha256').update(await readFile(full)).digest('hex')}`;
      }
    }
  };
  await walk(dir, '');
  return out;
}

async function makeFiles(dir: string, files: Record<string, Entry>): Promise<void> {
  for (const [rel, entry] of Object.entries(files)) {
    const path = join(dir, rel);
    if (typeof entry === 'object' && 'dir' in entry) {
      await mkdir(path, { recursive: true });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    if (typeof entry === 'object' && 'mode' in entry) {
      await writeFile(path, entry.text);
      await chmod(path, entry.mode);
    } else {
      await writeFile(path, entry);
    }
  }
}

describe('bad input, every command: exit code, where, no stack trace, no secret, nothing written', () => {
  it('has at least 80 cases', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(80);
  });

  it.each(BAD_INPUTS)('$name', async (testCase) => {
    await withTempDir(async (dir) => {
      await makeFiles(dir, testCase.files ?? {});
      const before = await snapshot(dir);
      if (testCase.files?.locked) await chmod(join(dir, 'locked'), 0o555);
      const fill = (text: string): string => text.replaceAll('{dir}', dir);

      const result = await runCli(testCase.args.map(fill), {
        cwd: dir,
        env: { ...SECRETS, KSPRAY_NO_CODE_CACHE: '1', KSPRAY_CACHE_DIR: join(tmpdir(), 'kspray-bad-inputs-cache-none'), ...Object.fromEntries(Object.entries(testCase.env ?? {}).map(([key, value]) => [key, fill(value)])) },
      });
      if (testCase.files?.locked) await chmod(join(dir, 'locked'), 0o755);
      const output = `${result.stdout}\n${result.stderr}`;

      expect(result.exitCode, output).toBe(testCase.exit);
      expect(output).toMatch(testCase.says);
      expect(output).not.toMatch(/unexpected error/);
      expect(output).not.toMatch(/\n\s+at /);
      // The temporary directory's random name may hold a short secret's letters by chance (kspray-test-pKq7qm holds q7).
      const said = output.replaceAll(dir, '{dir}');
      for (const secret of [...Object.values(SECRETS), ...CLEAR_SECRETS]) expect(said).not.toContain(secret);
      expect(await snapshot(dir), 'the command wrote or changed files').toEqual(before);
    });
  });
});
