import { describe, expect, it } from 'vitest';
import { diffGroupVars } from './group-vars-diff.js';

describe('diffGroupVars', () => {
  it('compares values as data: key order is no difference, null is one from absent', () => {
    const sample = { h1: { a: { x: 1, y: [1, { p: 1, q: 2 }] }, c: 1 }, h2: { a: { x: 1, y: [1, { p: 1, q: 2 }] }, c: 1 } };
    const operator = { h1: { a: { y: [1, { q: 2, p: 1 }], x: 1 }, b: null, c: 1 }, h2: { a: { y: [1, { q: 2, p: 1 }], x: 1 }, b: null, c: 2 } };
    expect(diffGroupVars(operator, sample)).toEqual({ cluster: { b: null }, hosts: { h2: { c: 2 } }, dropped: ['a'], removed: [] });
  });
});
