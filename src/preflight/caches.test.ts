import { describe, expect, it } from 'vitest';
import { checkStaleCaches, parseCacheCleanupResult, parseCacheResult } from './caches.js';

describe('checkStaleCaches', () => {
  it('passes when no host has a stale cache', () => {
    const facts = [parseCacheResult({ host: 'k1-master01', paths: ['/root/.kube/http-cache'], found: [] })];
    const outcome = checkStaleCaches(facts);
    expect(outcome).toMatchObject({ check: 'stale-caches', status: 'pass', findings: [] });
    expect(outcome.table?.rows).toEqual([['k1-master01', '-']]);
  });

  it('warns once per host that has some, naming host and paths, sorted by host', () => {
    const facts = [
      parseCacheResult({ host: 'k1-master03', paths: [], found: ['/root/.docker/config'] }),
      parseCacheResult({ host: 'k1-master02', paths: [], found: [] }),
      parseCacheResult({ host: 'k1-master01', paths: [], found: ['/root/.kube/http-cache', '/root/.docker/config'] }),
    ];
    const outcome = checkStaleCaches(facts);
    // Warnings, not blocks: apply removes the caches itself.
    expect(outcome.status).toBe('pass');
    expect(outcome.findings.map((f) => [f.severity, f.where, f.what])).toEqual([
      ['warn', 'k1-master01', 'stale caches on k1-master01: /root/.kube/http-cache, /root/.docker/config'],
      ['warn', 'k1-master03', 'stale cache on k1-master03: /root/.docker/config'],
    ]);
    expect(outcome.findings[0]!.fix).toContain('apply will remove them before the control-plane step');
  });
});

describe('parsers', () => {
  it('reads a result leniently', () => {
    expect(parseCacheResult({ host: 'm1', found: ['/a', 3] })).toEqual({ host: 'm1', paths: [], found: ['/a'] });
    expect(parseCacheResult(null)).toEqual({ host: 'unknown host', paths: [], found: [] });
  });

  it('pairs failed removals with their messages', () => {
    expect(parseCacheCleanupResult({
      host: 'm1', removed: ['/a'], failed: ['/proc/1/status'], messages: ["unlinking failed: [Errno 1] Operation not permitted: b'/proc/1/status' "],
    })).toEqual({
      host: 'm1', removed: ['/a'],
      failed: [{ path: '/proc/1/status', message: "unlinking failed: [Errno 1] Operation not permitted: b'/proc/1/status'" }],
    });
  });
});
