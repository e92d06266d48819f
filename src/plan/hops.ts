/**
 * The chain of hops from the cluster's version to the target. Two rules
 * shape it: kubeadm never skips a Kubernetes minor, and Kubespray never skips
 * one of its release lines. So each hop moves one line forward and at most
 * one minor; by default a minor is reached on the line whose default it is,
 * at that line's latest patch tag (or the tag the lock file pins), with the
 * tag's default version. Pure: catalog in, hops out.
 */
import type { Catalog } from '../catalog/catalog.js';
import { compareMinors, compareVersions, minorOf } from '../catalog/versions.js';
import { UsageError } from '../util/errors.js';
import type { LockFile } from './lock-file.js';
import type { VersionSpec } from './version-pair.js';

export type TagSource = 'catalog' | 'lock' | 'override';

export interface HopChoice {
  index: number; // 1-based
  line: string;
  tag: string;
  tagSource: TagSource;
  fromVersion: string; // v1.16.3
  toVersion: string; // v1.17.12
  /** The Kubespray tag the cluster ran before this hop (undefined when unknown). */
  fromTag: string | undefined;
}

export interface HopChainInput {
  catalog: Catalog;
  from: { version: string; tag: string | undefined };
  to: VersionSpec;
  lock?: LockFile | undefined;
  /** `--tag`: the tag for the last hop (must be of that hop's line). */
  lastTag?: string | undefined;
}

export function chainHops(input: HopChainInput): HopChoice[] {
  const { catalog, from, to } = input;
  checkDirection(from.version, to);
  checkTargetKnown(catalog, to);
  let line = startLine(catalog, from);
  let version = from.version;
  let tag = from.tag;
  const hops: HopChoice[] = [];
  while (!reached(version, to)) {
    const minor = minorOf(version)!;
    const wantMinor = compareMinors(minor, to.minor) < 0 ? nextMinor(minor) : minor;
    // The cluster's own line may already default to a newer minor (it was
    // deployed with an older kube_version): move the minor on that line first.
    // A patch upgrade stays on the line when its tag offers the target.
    const sameLine = hops.length === 0 && (wantMinor !== minor
      ? compareMinors(defaultMinor(catalog, line, input.lock), wantMinor) >= 0
      : to.full !== undefined && catalog.supports(pickTag(catalog, line, input.lock).tag, to.full));
    const hopLine = sameLine ? line : catalog.nextLine(line);
    if (hopLine === undefined) throw beyondCatalog(catalog, to, version);
    const pick = pickTag(catalog, hopLine, input.lock);
    const hopMinor = compareMinors(defaultMinor(catalog, hopLine, input.lock), wantMinor) < 0 ? minorOf(catalog.defaultVersion(pick.tag))! : wantMinor;
    const target = versionFor(catalog, pick.tag, hopMinor, to, version);
    hops.push({ index: hops.length + 1, line: hopLine, tag: pick.tag, tagSource: pick.source, fromVersion: version, toVersion: target, fromTag: tag });
    line = hopLine;
    version = target;
    tag = pick.tag;
    if (hops.length > 64) throw new Error('hop chain does not converge'); // a catalog bug, not an operator's
  }
  if (input.lastTag !== undefined) overrideLastHop(catalog, hops, input.lastTag, to);
  return hops;
}

function reached(version: string, to: VersionSpec): boolean {
  return to.full ? compareVersions(version, to.full) >= 0 : compareMinors(minorOf(version)!, to.minor) >= 0;
}

function checkDirection(current: string, to: VersionSpec): void {
  const currentMinor = minorOf(current)!;
  const order = to.full ? compareVersions(to.full, current) : compareMinors(to.minor, currentMinor);
  if (order < 0) {
    throw new UsageError(`${to.full ?? to.minor} is older than the cluster's ${current}: kspray does not downgrade`, 'kubeadm cannot downgrade a control plane; restore from an etcd backup instead, or check the version you typed');
  }
  if (order === 0) {
    throw new UsageError(
      `the cluster already runs ${to.full ?? current}: nothing to plan`,
      to.full ? 'name a newer version' : `name a newer minor, or a full version (e.g. ${to.minor}.N) for a patch upgrade`,
    );
  }
}

function checkTargetKnown(catalog: Catalog, to: VersionSpec): void {
  const known = catalog.tags().some((record) => (to.full ? catalog.supports(record.tag, to.full) : catalog.supportedMinors(record.tag).some((m) => compareMinors(m, to.minor) === 0)));
  if (!known) throw beyondCatalog(catalog, to, undefined);
}

function beyondCatalog(catalog: Catalog, to: VersionSpec, reachedVersion: string | undefined): UsageError {
  const newest = catalog.newestTag();
  const newestVersion = catalog.supportedVersions(newest)[0];
  return new UsageError(
    `no Kubespray tag in the catalog supports Kubernetes ${to.full ?? to.minor}${reachedVersion ? ` (the chain stops at ${reachedVersion})` : ''}; the newest known is ${newest}, up to ${newestVersion}`,
    'if Kubespray has released a newer line, run `kspray catalog refresh --repo https://github.com/kubernetes-sigs/kubespray.git` (or a local mirror)',
  );
}

function startLine(catalog: Catalog, from: { version: string; tag: string | undefined }): string {
  if (from.tag !== undefined) {
    const record = catalog.requireTag(from.tag);
    if (!catalog.supports(record.tag, from.version)) {
      throw new UsageError(`the cluster file says Kubespray ${record.tag} runs Kubernetes ${from.version}, which that tag does not support`, 'fix kubespray.tag or kubernetes.version in the cluster file');
    }
    return catalog.lineOf(record.tag);
  }
  const minor = minorOf(from.version)!;
  const byDefault = catalog.lineForDefaultMinor(minor);
  if (byDefault !== undefined) return byDefault;
  const supporting = catalog.lines().filter((line) => {
    const latest = catalog.latestPatch(line);
    return latest !== undefined && catalog.supports(latest, from.version);
  });
  const line = supporting.at(-1);
  if (line === undefined) {
    throw new UsageError(`no Kubespray tag in the catalog supports the cluster's current Kubernetes ${from.version}`, 'set kubespray.tag in the cluster file to the tag it was deployed with, or refresh the catalog (`kspray catalog refresh`)');
  }
  return line;
}

function pickTag(catalog: Catalog, line: string, lock: LockFile | undefined): { tag: string; source: TagSource } {
  const pinned = lock?.lines[line];
  if (pinned) return { tag: catalog.requireTag(pinned.tag).tag, source: 'lock' };
  const latest = catalog.latestPatch(line);
  if (latest === undefined) throw new Error(`line ${line} has no tags`);
  return { tag: latest, source: 'catalog' };
}

function defaultMinor(catalog: Catalog, line: string, lock: LockFile | undefined): string {
  return minorOf(catalog.defaultVersion(pickTag(catalog, line, lock).tag))!;
}

/** The version a hop installs: the target if it is this hop's, else the tag's default for that minor, else its newest patch of it. */
function versionFor(catalog: Catalog, tag: string, minor: string, to: VersionSpec, current: string): string {
  if (to.full && minorOf(to.full) === minor && catalog.supports(tag, to.full)) return to.full;
  const fallback = catalog.defaultVersion(tag);
  const candidates = minorOf(fallback) === minor ? [fallback] : catalog.supportedVersions(tag).filter((v) => minorOf(v) === minor);
  const minimum = catalog.minRequired(tag);
  const chosen = candidates.find((v) => compareVersions(v, current) >= 0 && (minimum === undefined || compareVersions(v, minimum) >= 0));
  if (chosen === undefined) {
    throw new UsageError(`Kubespray ${tag} offers no Kubernetes ${minor} version at or above ${current}`, 'pin another tag of that line (kspray pin), or pass a full target version');
  }
  return chosen;
}

function overrideLastHop(catalog: Catalog, hops: HopChoice[], tagName: string, to: VersionSpec): void {
  const last = hops.at(-1);
  if (!last) return;
  const record = catalog.requireTag(tagName);
  const line = catalog.lineOf(record.tag);
  if (line !== last.line) {
    throw new UsageError(`--tag ${record.tag} is of line ${line}, but the last hop runs on line ${last.line}`, `pass a ${last.line}.x tag, or change the target version`);
  }
  last.tag = record.tag;
  last.tagSource = 'override';
  last.toVersion = versionFor(catalog, record.tag, minorOf(last.toVersion)!, to, last.fromVersion);
}

function nextMinor(minor: string): string {
  const [major, min] = minor.split('.').map(Number);
  return `${major}.${(min ?? 0) + 1}`;
}
