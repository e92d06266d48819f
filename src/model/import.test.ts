import { describe, expect, it } from 'vitest';
import { parseInventoryList } from '../ansible/inventory.js';
import { UnsafeText } from '../ansible/ansible-yaml.js';
import { importCluster } from './import.js';

describe('importCluster: host variables', () => {
  it('leaves out !unsafe text with a Jinja delimiter (an inventory host line cannot carry it), saying so; other !unsafe text is the text itself', () => {
    const imported = importCluster({
      inventory: parseInventoryList({
        _meta: { hostvars: { m1: { ip: '10.0.0.1' } } },
        all: { children: ['kube_control_plane', 'etcd', 'kube_node'] },
        kube_control_plane: { hosts: ['m1'] }, etcd: { hosts: ['m1'] }, kube_node: { hosts: ['m1'] },
      }),
      extraVars: {},
      groupVars: { cluster: {}, hosts: { m1: { motd: new UnsafeText('{{ not templated }}'), rack: new UnsafeText('r1') } } },
      name: 'un', kubeVersion: '1.29.5',
    });
    expect(imported.cluster.nodes[0]!.vars).toEqual({ rack: 'r1' });
    expect(imported.notes).toContain('m1: motd was left out: it is !unsafe text holding a Jinja delimiter, which an inventory host line cannot carry as literal text; set it under extraVars (written !unsafe) if every host has it');
  });
});
