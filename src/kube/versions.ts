/**
 * Versions as clusters report them: "v1.16.3", but also "v1.20.4-eks-6b7464"
 * or "v1.18.8+k3s1". Lenient (semver.coerce keeps major.minor.patch), compared
 * with semver only.
 */
import semver from 'semver';

/** "v1.16.3-foo" → "1.16.3"; undefined when there is no version in it. */
export function coreVersion(version: string): string | undefined {
  return semver.coerce(version)?.version;
}

/** The minor number of a 1.x version or minor ("v1.16.3", "1.16" → 16). */
export function minorNumber(version: string): number | undefined {
  const parsed = semver.coerce(version);
  return parsed && parsed.major === 1 ? parsed.minor : undefined;
}

/** semver comparison of two reported versions; unparsable ones sort first. */
export function compareReported(a: string, b: string): number {
  const ca = coreVersion(a);
  const cb = coreVersion(b);
  if (ca === undefined || cb === undefined) return (ca === undefined ? 0 : 1) - (cb === undefined ? 0 : 1);
  return semver.compare(ca, cb);
}

/** "1.22" for minor 22. */
export function minorLabel(minor: number): string {
  return `1.${minor}`;
}
