import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.js';
import { compareVersions } from '../catalog/versions.js';
import { UsageError } from '../util/errors.js';
import { chainHops } from './hops.js';
import { pinTags } from './lock-file.js';
import { parseVersionPair } from './version-pair.js';

const catalog = loadCatalog();

function chain(pair: string, fromVersion: string, fromTag?: string, extra: { lastTag?: string; lock?: string[] } = {}) {
  const { to } = parseVersionPair(pair);
  return chainHops({
    catalog, from: { version: fromVersion, tag: fromTag }, to,
    ...(extra.lastTag ? { lastTag: extra.lastTag } : {}),
    ...(extra.lock ? { lock: pinTags(undefined, catalog, extra.lock) } : {}),
  }).map((hop) => `${hop.line} ${hop.tag} ${hop.toVersion}`);
}

describe('chainHops: one Kubespray line and at most one Kubernetes minor per hop', () => {
  it.each([
    // [pair, current version, current tag, expected hops]
    ['1.16→1.18', 'v1.16.3', 'v2.12.10', ['2.13 v2.13.4 v1.17.12', '2.14 v2.14.2 v1.18.10']],
    ['1.16->1.18', 'v1.16.3', undefined, ['2.13 v2.13.4 v1.17.12', '2.14 v2.14.2 v1.18.10']],
    ['1.15..1.17', 'v1.15.11', undefined, ['2.12 v2.12.10 v1.16.15', '2.13 v2.13.4 v1.17.12']],
    ['1.14→1.15', 'v1.14.3', 'v2.10.4', ['2.11 v2.11.2 v1.15.11']],
    ['1.17→1.20', 'v1.17.12', undefined, ['2.14 v2.14.2 v1.18.10', '2.15 v2.15.1 v1.19.9', '2.16 v2.16.0 v1.20.7']],
    ['1.22→1.28', 'v1.22.8', undefined, ['2.19 v2.19.1 v1.23.7', '2.20 v2.20.0 v1.24.6', '2.21 v2.21.0 v1.25.6', '2.22 v2.22.2 v1.26.13', '2.23 v2.23.3 v1.27.10', '2.24 v2.24.3 v1.28.14']],
    ['1.27→1.29', 'v1.27.10', undefined, ['2.24 v2.24.3 v1.28.14', '2.25 v2.25.1 v1.29.10']],
    ['1.31→1.32', 'v1.31.9', 'v2.27.1', ['2.28 v2.28.1 v1.32.8']],
    ['1.32→1.35', 'v1.32.8', undefined, ['2.29 v2.29.1 v1.33.7', '2.30 v2.30.0 v1.34.3', '2.31 v2.31.0 v1.35.4']],
    ['1.16.3→1.18.8', 'v1.16.3', 'v2.12.10', ['2.13 v2.13.4 v1.17.12', '2.14 v2.14.2 v1.18.8']],
    ['v1.16.3→v1.17.5', 'v1.16.3', 'v2.12.10', ['2.13 v2.13.4 v1.17.5']],
    ['1.16.3→1.16.15', 'v1.16.3', 'v2.12.10', ['2.12 v2.12.10 v1.16.15']],
    // The cluster's line already defaults to the next minor: move the minor on that line first.
    ['1.16→1.18', 'v1.16.3', 'v2.13.2', ['2.13 v2.13.4 v1.17.12', '2.14 v2.14.2 v1.18.10']],
    // The cluster runs ahead of its line's default: the next line keeps the minor at a newer patch.
    ['1.17→1.18', 'v1.17.7', 'v2.12.10', ['2.13 v2.13.4 v1.17.12', '2.14 v2.14.2 v1.18.10']],
    ['1.20→1.21', 'v1.20.7', 'v2.16.0', ['2.17 v2.17.1 v1.21.6']],
    ['1.25→1.26', 'v1.25.6', undefined, ['2.22 v2.22.2 v1.26.13']],
  ] as const)('%s from %s (%s)', (pair, from, tag, expected) => {
    expect(chain(pair, from, tag)).toEqual(expected);
  });

  it('never skips a line or a minor, and keeps every hop inside its tag\'s supported set and minimum', () => {
    const hops = chainHops({ catalog, from: { version: 'v1.14.3', tag: undefined }, to: parseVersionPair('1.35').to });
    hops.forEach((hop, index) => {
      const previous = hops[index - 1];
      if (previous) expect(Number(hop.line.split('.')[1])).toBe(Number(previous.line.split('.')[1]) + 1);
      const minor = (v: string) => Number(v.split('.')[1]);
      expect(minor(hop.toVersion) - minor(hop.fromVersion)).toBeLessThanOrEqual(1);
      expect(catalog.supports(hop.tag, hop.toVersion)).toBe(true);
      const minimum = catalog.minRequired(hop.tag);
      if (minimum) expect(compareVersions(hop.toVersion, minimum)).toBeGreaterThanOrEqual(0);
    });
    expect(hops).toHaveLength(21);
  });

  it('honours a lock file: with v2.13.2 pinned for line 2.13, hop 1 runs its default v1.17.7', () => {
    expect(chain('1.16→1.18', 'v1.16.3', 'v2.12.10', { lock: ['v2.13.2'] })).toEqual(['2.13 v2.13.2 v1.17.7', '2.14 v2.14.2 v1.18.10']);
  });

  it('honours --tag for the last hop, and refuses a tag of another line', () => {
    expect(chain('1.16→1.18', 'v1.16.3', 'v2.12.10', { lastTag: 'v2.14.0' })).toEqual(['2.13 v2.13.4 v1.17.12', '2.14 v2.14.0 v1.18.8']);
    expect(() => chain('1.16→1.18', 'v1.16.3', 'v2.12.10', { lastTag: 'v2.15.1' })).toThrow(/--tag v2\.15\.1 is of line 2\.15, but the last hop runs on line 2\.14/);
  });

  it.each([
    ['downgrade', '1.18→1.16', 'v1.18.10', /1\.16 is older than the cluster's v1\.18\.10: kspray does not downgrade/],
    ['same version', '1.16', 'v1.16.3', /the cluster already runs v1\.16\.3: nothing to plan/],
    ['same full version', '1.16.3', 'v1.16.3', /the cluster already runs v1\.16\.3/],
    ['a target beyond the catalog', '1.40', 'v1.16.3', /no Kubespray tag in the catalog supports Kubernetes 1\.40; the newest known is v2\.31\.0, up to v1\.35\.4/],
    ['a full target no tag supports', '1.18.99', 'v1.16.3', /no Kubespray tag in the catalog supports Kubernetes v1\.18\.99/],
    ['a current version no tag supports', '1.12', 'v1.10.1', /no Kubespray tag in the catalog supports the cluster's current Kubernetes v1\.10\.1/],
  ] as const)('refuses %s with a UsageError that says what to do', (_name, pair, from, message) => {
    let error: unknown;
    try {
      chain(pair, from);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).hint).toBeTruthy();
  });

  it('suggests catalog refresh for a target beyond the catalog', () => {
    expect(() => chain('1.40', 'v1.16.3')).toThrow(UsageError);
    try {
      chain('1.40', 'v1.16.3');
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/kspray catalog refresh/);
    }
  });

  it.each(['1.16-1.18', 'latest', '1.16→', '1.16→1.17→1.18', 'v2.13.4'])('rejects the malformed version pair %s', (pair) => {
    expect(() => parseVersionPair(pair)).toThrow(UsageError);
  });
});
