/**
 * Version arguments as operators type them: `1.16→1.18`, `1.16->1.18`,
 * `1.16..1.18`, full versions `1.16.3→1.18.8`, with or without `v`.
 */
import { UsageError } from '../util/errors.js';

/** A minor (`1.18`) or a full version (`v1.18.8`), normalized. */
export interface VersionSpec {
  minor: string; // "1.18"
  full: string | undefined; // "v1.18.8"
}

export interface VersionPair {
  from: VersionSpec | undefined;
  to: VersionSpec;
}

const SPEC_RE = /^v?(1)\.(\d+)(?:\.(\d+))?$/;

export function parseVersionSpec(text: string): VersionSpec {
  const match = SPEC_RE.exec(text.trim());
  if (!match && /^v?2\.\d+(\.\d+)?$/.test(text.trim())) {
    throw new UsageError(`"${text}" looks like a Kubespray release, not a Kubernetes version`, 'name the Kubernetes version (e.g. 1.18); pick a Kubespray tag with --tag');
  }
  if (!match) {
    throw new UsageError(`"${text}" is not a Kubernetes version`, 'write a minor like 1.18 or a full version like 1.18.8 (a leading v is fine)');
  }
  const [, major, minor, patch] = match;
  return {
    minor: `${Number(major)}.${Number(minor)}`,
    full: patch === undefined ? undefined : `v${Number(major)}.${Number(minor)}.${Number(patch)}`,
  };
}

/** `FROM→TO` (or `->`, `..`); a lone version is the target. */
export function parseVersionPair(text: string): VersionPair {
  const parts = text.split(/\s*(?:→|->|\.\.)\s*/u);
  if (parts.length === 1) return { from: undefined, to: parseVersionSpec(parts[0]!) };
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(`"${text}" is not a version pair`, 'write FROM→TO, e.g. 1.16→1.18, 1.16->1.18, 1.16..1.18 or 1.16.3→1.18.8');
  }
  return { from: parseVersionSpec(parts[0]), to: parseVersionSpec(parts[1]) };
}
