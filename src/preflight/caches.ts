/**
 * Stale caches on the control-plane hosts, pure: the result files of
 * playbooks/preflight-caches.yml and playbooks/cleanup-caches.yml → facts →
 * a check. Operators learned to remove kubectl's HTTP cache and old docker
 * login data before upgrading the masters; kspray removes them itself (apply
 * runs cleanup-caches.yml before the control-plane step), so finding them is
 * a warning that says so, never a block.
 */
import type { CheckOutcome, Finding, HopContext } from './types.js';

export const CACHES_CHECK = 'stale-caches';

/** What preflight.cachePaths defaults to. */
export const DEFAULT_CACHE_PATHS: readonly string[] = ['/root/.kube/http-cache', '/root/.docker/config'];

export interface CacheFacts {
  host: string;
  /** The paths looked for. */
  paths: string[];
  /** Those that exist. */
  found: string[];
}

export interface CacheCleanupFacts {
  host: string;
  removed: string[];
  /** Paths that exist and could not be removed, with the reason. */
  failed: Array<{ path: string; message: string }>;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const obj = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** One host's preflight-caches result file. */
export function parseCacheResult(raw: unknown): CacheFacts {
  const r = obj(raw);
  return { host: String(r.host ?? 'unknown host'), paths: strings(r.paths), found: strings(r.found) };
}

/** One host's cleanup-caches result file. */
export function parseCacheCleanupResult(raw: unknown): CacheCleanupFacts {
  const r = obj(raw);
  const failedPaths = strings(r.failed);
  const messages = strings(r.messages);
  return {
    host: String(r.host ?? 'unknown host'),
    removed: strings(r.removed),
    failed: failedPaths.map((path, i) => ({ path, message: (messages[i] ?? '').trim() })),
  };
}

/** Warn once per host that holds stale caches. Warnings do not fail the check: apply removes the caches itself. */
export function checkStaleCaches(facts: readonly CacheFacts[], hop?: HopContext): CheckOutcome {
  const findings: Finding[] = [...facts]
    .filter((f) => f.found.length > 0)
    .sort((a, b) => a.host.localeCompare(b.host))
    .map((f) => ({
      check: CACHES_CHECK,
      severity: 'warn' as const,
      ...(hop === undefined ? {} : { hop: hop.index }),
      what: `stale cache${f.found.length > 1 ? 's' : ''} on ${f.host}: ${f.found.join(', ')}`,
      where: f.host,
      why: 'kubectl\'s HTTP cache keeps API discovery from the old version, and old docker login data in /root/.docker/config breaks image pulls; ' +
        'operators saw both fail control-plane upgrades.',
      fix: 'Nothing to do: apply will remove them before the control-plane step (and record it in its journal). ' +
        `To remove them now: \`rm -rf ${f.found.join(' ')}\` on ${f.host}.`,
      details: { host: f.host, paths: f.found },
    }));
  const table = {
    title: 'Stale caches on control-plane hosts',
    columns: ['HOST', 'FOUND'],
    rows: [...facts].sort((a, b) => a.host.localeCompare(b.host)).map((f) => [f.host, f.found.length > 0 ? f.found.join(', ') : '-']),
  };
  return { check: CACHES_CHECK, status: 'pass', findings, table };
}
