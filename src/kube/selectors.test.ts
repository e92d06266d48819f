import { describe, expect, it } from 'vitest';
import { labelSelectorOf, matchesSelector, parseSelectorString } from './selectors.js';

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'front' };

  it('ANDs matchLabels and every expression operator', () => {
    const selector = labelSelectorOf({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'app', operator: 'Exists' },
        { key: 'tier', operator: 'NotIn', values: ['db'] },
      ],
    });

    expect(selector && matchesSelector(labels, selector)).toBe(true);
    expect(selector && matchesSelector({ ...labels, legacy: 'yes' }, selector)).toBe(false);
    expect(selector && matchesSelector({ app: 'web', tier: 'db' }, selector)).toBe(false);
  });

  it('reads absent selectors as null and drops unknown operators', () => {
    expect(labelSelectorOf(undefined)).toBeNull();
    expect(labelSelectorOf({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toEqual({ matchLabels: {}, matchExpressions: [] });
  });
});

describe('parseSelectorString', () => {
  it('parses the query-string forms the API accepts', () => {
    const selector = parseSelectorString('app=web,tier!=db,env in (prod, staging),!legacy,team');

    expect(selector).toEqual({
      matchLabels: {},
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'legacy', operator: 'DoesNotExist', values: [] },
        { key: 'team', operator: 'Exists', values: [] },
      ],
    });
    expect(selector && matchesSelector({ app: 'web', env: 'prod', team: 'x' }, selector)).toBe(true);
    expect(parseSelectorString('app=(')).toBeUndefined();
  });
});
