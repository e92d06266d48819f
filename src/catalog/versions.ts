/**
 * Version helpers shared by the catalog, the planner and the CLI. Kubernetes
 * versions are written with or without a leading `v` (Kubespray itself drops
 * it from v2.28.0), Kubespray tags always carry one. Everything is compared
 * with semver: file order is never trusted (v2.22.2 lists newer patches last).
 */
import semver from 'semver';

const VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)$/;
const MINOR_RE = /^v?(\d+)\.(\d+)$/;
const TAG_RE = /^v(\d+)\.(\d+)\.(\d+)$/;

/** `1.16.3` or `v1.16.3` → `v1.16.3`; undefined when it is not a full x.y.z version. */
export function normalizeVersion(version: string): string | undefined {
  const match = VERSION_RE.exec(version.trim());
  if (!match) return undefined;
  return `v${Number(match[1])}.${Number(match[2])}.${Number(match[3])}`;
}

/** Like normalizeVersion, but throws (for data we produce, where a bad value is a bug). */
export function requireVersion(version: string): string {
  const normalized = normalizeVersion(version);
  if (normalized === undefined) throw new Error(`not a version: ${JSON.stringify(version)}`);
  return normalized;
}

/** `v1.16.3` → `1.16.3`. */
export function bareVersion(version: string): string {
  return version.trim().replace(/^v/, '');
}

/** The minor of a version or of a minor: `v1.16.3`, `1.16.3`, `1.16`, `v1.16` → `1.16`. */
export function minorOf(version: string): string | undefined {
  const trimmed = version.trim();
  const full = VERSION_RE.exec(trimmed) ?? MINOR_RE.exec(trimmed);
  if (!full) return undefined;
  return `${Number(full[1])}.${Number(full[2])}`;
}

/** The minor with a `v`, as catalog records write it: `v1.16`. */
export function vMinorOf(version: string): string | undefined {
  const minor = minorOf(version);
  return minor === undefined ? undefined : `v${minor}`;
}

/** semver comparison of two versions, `v` optional on either. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(requireVersion(a).slice(1), requireVersion(b).slice(1));
}

/** Compares two minors (`1.16`, `v1.17`) numerically. */
export function compareMinors(a: string, b: string): number {
  return compareVersions(`${minorOf(a) ?? a}.0`, `${minorOf(b) ?? b}.0`);
}

export function sortVersionsAsc(versions: readonly string[]): string[] {
  return [...versions].sort(compareVersions);
}

export function sortVersionsDesc(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}

/** A Kubespray release tag: `vX.Y.Z` exactly (no pre-releases, no `1.3.0_k1.1.3`). */
export function isReleaseTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `2.13.4` or `v2.13.4` → `v2.13.4`; undefined for anything else. */
export function normalizeTag(tag: string): string | undefined {
  const trimmed = tag.trim();
  const withV = trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
  return TAG_RE.test(withV) ? withV : undefined;
}

export function compareTags(a: string, b: string): number {
  return semver.compare(a.replace(/^v/, ''), b.replace(/^v/, ''));
}

/** The Kubespray minor line of a tag: `v2.13.4` → `2.13`. */
export function lineOfTag(tag: string): string | undefined {
  const match = TAG_RE.exec(tag.trim());
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
}

/** Compares Kubespray lines numerically (`2.9` < `2.10`). */
export function compareLines(a: string, b: string): number {
  return compareMinors(a, b);
}

/** Whether `version` (e.g. an ansible-core `2.14.18`, or `2.14`) lies in [min, max). Null bounds are open. */
export function inRange(version: string, range: { min_inclusive: string | null; max_exclusive: string | null }): boolean {
  const coerced = semver.coerce(version);
  if (!coerced) return false;
  const min = range.min_inclusive === null ? null : semver.coerce(range.min_inclusive);
  const max = range.max_exclusive === null ? null : semver.coerce(range.max_exclusive);
  if (min && semver.lt(coerced, min)) return false;
  if (max && semver.gte(coerced, max)) return false;
  return true;
}
