import { describe, expect, it } from 'vitest';
import { withVersion } from './record-version.js';

const FILE = `# yaml-language-server: $schema=../../schema/cluster.schema.json
# k1: the reference cluster
name: k1
kubernetes:
  version: v1.16.3   # what runs now
kubespray:
  repo: https://github.com/kubernetes-sigs/kubespray.git
  tag: "v2.12.10"    # deployed with

nodes: []
`;

describe('withVersion', () => {
  it('changes the two scalars in place: comments, quoting and blank lines stay', () => {
    const { text, changes } = withVersion(FILE, { version: 'v1.17.12', tag: 'v2.13.4' });
    expect(changes).toEqual(['kubernetes.version: v1.16.3 → v1.17.12', 'kubespray.tag: v2.12.10 → v2.13.4']);
    expect(text).toBe(FILE.replace('v1.16.3', 'v1.17.12').replace('"v2.12.10"', '"v2.13.4"'));
  });

  it('keeps a version written without v, adds a missing tag, and changes nothing when the file already says so', () => {
    const bare = 'name: k1\nkubernetes:\n  version: 1.16.3\nnodes: []\n';
    const { text, changes } = withVersion(bare, { version: 'v1.17.12', tag: 'v2.13.4' });
    expect(text).toBe('name: k1\nkubernetes:\n  version: 1.17.12\nnodes: []\nkubespray:\n  tag: v2.13.4\n');
    expect(changes).toEqual(['kubernetes.version: 1.16.3 → 1.17.12', 'kubespray.tag: (unset) → v2.13.4']);
    expect(withVersion(text, { version: 'v1.17.12', tag: 'v2.13.4' })).toEqual({ text, changes: [] });
  });
});
