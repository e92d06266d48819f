import { describe, expect, it } from 'vitest';
import { smallCluster } from '../../test/helpers/plan-doc.js';
import { describeGate, planGates } from './gates.js';

describe('describeGate', () => {
  it('shows a command gate as the argv that runs: a word with a space or ; stays one quoted word, never a shell line', () => {
    const cluster = smallCluster({ upgrade: { gates: [{ name: 'db', command: ['/usr/local/bin/check', 'ok; rm -rf /', '--namespace', 'shop'] }] } });
    const [gate] = planGates(cluster, []);
    expect(describeGate(gate!)).toBe("command /usr/local/bin/check 'ok; rm -rf /' --namespace shop");
  });
});
