/**
 * inventory.ini as Ansible reads it: every host variable, label and address
 * the model allows round-trips through the real `ansible-inventory --list`
 * (Ansible's INI parser: splitlines, shlex, literal_eval), and no host or group
 * appears that the model does not have. What the INI format cannot carry, the
 * model refuses at its position.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupMembers, inventoryList } from '../src/ansible/inventory.js';
import { loadCatalog } from '../src/catalog/load.js';
import { parseCluster } from '../src/model/load.js';
import { formatProblem } from '../src/model/problems.js';
import { cluster as clusterSchema, type ClusterInput } from '../src/model/schema.js';
import { renderInventory } from '../src/render/inventory.js';
import { renderTarget } from '../src/render/target.js';
import { stringify } from 'yaml';
import { withTempDir } from './helpers/cli.js';

/** Strings that look like something else to shlex, to literal_eval, or to a shell. */
const STRINGS = [
  'pa$$word', '$HOME', '${x}', '`id`', '$(id)', 'a b', ' lead', 'trail ', 'a#b', '#c', ';c', 'a;b', 'x=y', '=', 'a"b', "a'b", `'"`, 'back\\slash', '\\', '\\n', 'bs\\"q',
  'True', 'False', 'None', 'true', 'none', 'True,1', 'None.x', '1,2', '(1)', '[1]', '{}', '...', '1', '-1', '+1', '1.5', '1e5', '1j', '1_000', '0x10', '0o7', '0b1', '007', '1.2.3.4', 'fd00::1', '10.0.0.1/24',
  "b'x'", "u'x'", 'r"x"', 'lambda:1', 'not 1', '', '  ', 'ünïcødé', '日本語', '😀', '[all]', '[kube_node]', 'k1-node99 ansible_host=evil',
];

const NODE_VARS: Record<string, unknown> = {
  ...Object.fromEntries(STRINGS.map((value, index) => [`s${index}`, value])),
  int: 200, negative: -3, float: 0.25, big: 1e21, yes_bool: true, no_bool: false, nothing: null,
  list: ['a b', 'pa$$word', 1, true, null, ['nested', { k: '`x`' }]], map: { 'key with space': 'v', "quote'key": 'x"y', n: { deeper: [1, '#'] } },
};

const model: ClusterInput = {
  name: 'ini1',
  kubernetes: { version: '1.16.3' },
  nodes: [
    { name: 'm1', ansibleHost: 'fd00::10', ip: '10.0.0.1', accessIp: '172.16.0.1', iface: 'eno49.100', roles: ['control-plane', 'etcd'] },
    { name: 'w1.example.net', ansibleHost: 'W1.Example.NET', ip: '10.0.0.2', roles: ['worker'], labels: { 'example.com/rack': 'r-1_2.3', 'node-role.kubernetes.io/ingress': '', plain: 'True' }, vars: NODE_VARS },
    { name: 'w2', ip: 'fd00::2', roles: ['worker'], vars: { ansible_user: 'ops', ansible_port: 2222, only: 'None' } },
  ],
};

describe('inventory.ini read back by ansible-inventory', () => {
  it.each(['v2.12.10', 'v2.27.0'])('round-trips every value of the model, and adds no host or group (%s)', async (tag) => {
    const cluster = clusterSchema.parse(model);
    // The model itself accepts all of this: nothing here is refused by validation.
    const loaded = await parseCluster(stringify(model), 'model.yaml', { baseDir: '/' });
    expect(loaded.ok, loaded.ok ? '' : loaded.problems.map(formatProblem).join('\n')).toBe(true);

    await withTempDir(async (dir) => {
      const path = join(dir, 'inventory.ini');
      await writeFile(path, renderInventory(cluster, renderTarget(loadCatalog().requireTag(tag))));
      const list = await inventoryList(path);

      expect(Object.keys(list.hostvars).sort()).toEqual(['m1', 'w1.example.net', 'w2']);
      expect(groupMembers(list, 'all').sort()).toEqual(['m1', 'w1.example.net', 'w2']);
      const expectedGroups = tag === 'v2.12.10'
        ? ['all', 'calico-rr', 'etcd', 'k8s-cluster', 'kube-master', 'kube-node', 'ungrouped']
        // v2.27.0's sample declares no k8s_cluster or calico_rr; kspray declares k8s_cluster on every tag (its facts play needs it).
        : ['all', 'etcd', 'k8s_cluster', 'kube_control_plane', 'kube_node', 'ungrouped'];
      expect(Object.keys(list.groups).sort()).toEqual(expectedGroups);
      // iface stays in the model: no Kubespray tag reads it, so it is not written.
      expect(list.hostvars.m1).toEqual({ ansible_host: 'fd00::10', ip: '10.0.0.1', access_ip: '172.16.0.1' });
      expect(list.hostvars['w1.example.net']).toEqual({
        ansible_host: 'W1.Example.NET', ip: '10.0.0.2',
        node_labels: { 'example.com/rack': 'r-1_2.3', 'node-role.kubernetes.io/ingress': '', plain: 'True' },
        ...NODE_VARS,
      });
      expect(list.hostvars.w2).toEqual({ ansible_host: 'w2', ip: 'fd00::2', ansible_user: 'ops', ansible_port: 2222, only: 'None' });
    });
  });

  it.each([
    { what: 'a newline in a var value', vars: 'vars: { note: "a\\nb" }', at: ':5:', message: /nodes\[1\]\.vars\.note: holds U\+000A \(newline\)/ },
    { what: 'a carriage return', vars: 'vars: { note: "a\\rb" }', at: ':5:', message: /holds U\+000D \(carriage return\)/ },
    { what: 'U+2028 in a nested value', vars: 'vars: { note: ["ok", { k: "a\\u2028b" }] }', at: ':5:', message: /vars\.note\[1\]\.k: holds U\+2028 \(line separator\)/ },
    { what: 'NEL (U+0085)', vars: 'vars: { note: "a\\x85b" }', at: ':5:', message: /holds U\+0085 \(next line\)/ },
    { what: 'a newline in a var key', vars: 'vars: { "evil\\n[kube_control_plane]\\nrogue": 1 }', at: ':5:', message: /is not an Ansible variable name/ },
    { what: 'NUL', vars: 'vars: { note: "a\\0b" }', at: ':5:', message: /holds U\+0000 \(NUL\)/ },
    { what: 'Jinja in a var', vars: 'vars: { note: "{{ lookup(\'pipe\', \'id\') }}" }', at: ':5:', message: /holds a Jinja delimiter/ },
    { what: 'Jinja in a nested key', vars: 'vars: { note: { "{% x %}": 1 } }', at: ':5:', message: /the key holds a control character or a Jinja delimiter/ },
    { what: 'a label value with a line break', vars: 'labels: { a: "x\\ry" }', at: ':5:', message: /label value "x\\ry" is not a Kubernetes label value/ },
    { what: 'a label value with Jinja', vars: 'labels: { a: "{{ x }}" }', at: ':5:', message: /is not a Kubernetes label value/ },
    { what: 'a label key that is not a qualified name', vars: 'labels: { "Bad Key": x }', at: ':5:', message: /label key "Bad Key" is not a Kubernetes label name/ },
    { what: 'an ansibleHost with a space', vars: 'ansibleHost: "h1 ansible_user=root"', at: ':5:', message: /is neither an IP address nor a host name/ },
    { what: 'an infinite number', vars: 'vars: { n: .inf }', at: ':5:', message: /Infinity cannot be written on an inventory host line/ },
  ])('refuses $what at its position', async ({ vars, at, message }) => {
    const text = `name: ini2\nkubernetes: { version: 1.16.3 }\nnodes:\n  - { name: m1, ip: 10.0.0.1, roles: [control-plane, etcd] }\n  - { name: w1, ip: 10.0.0.2, roles: [worker], ${vars} }\n`;
    const loaded = await parseCluster(text, 'c.yaml', { baseDir: '/' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const lines = loaded.problems.map(formatProblem);
    expect(lines.find((line) => line.startsWith(`c.yaml${at}`) && message.test(line)), lines.join('\n')).toBeDefined();
  });
});
