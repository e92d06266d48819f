/**
 * The `mirror` check: when the cluster declares mirrors (offline.registry,
 * offline.imageRepos, offline.files), every file each hop downloads answers
 * at its URL and every image it pulls has its manifest in the registry,
 * before any node is touched. It blocks naming each thing missing, where
 * it was asked for, and the first hop that needs it; it counts what is
 * there. Pure: the artifacts and the mirror's answers are gathered before
 * (mirror-gather.ts).
 */
import type { HopArtifacts } from '../artifacts/types.js';
import type { MirrorProbes } from '../mirror/probe.js';
import type { CheckOutcome, Finding, HopContext, Severity } from './types.js';

export const MIRROR_CHECK = 'mirror';

/** What the check is, for the registry, help and README (the engine's check modules take the same fields). */
export const MIRROR_DOCS = {
  title: 'Mirror has every download',
  severity: 'block' as Severity,
  hops: 'each' as const,
  description: 'with mirrors declared (offline.*): every file of every hop answers at its URL (HEAD; --verify-checksums downloads and checks sha256), every image manifest is in the registry',
  blocksWhen: 'the cluster declares mirrors (`offline.registry`, `offline.imageRepos`, `offline.files`) and a file a hop downloads does not answer at its URL (HEAD: its status, and an empty file counts as missing; `--verify-checksums`: its sha256), an image manifest is not in the registry (`HEAD /v2/<name>/manifests/<tag>`, with the registry\'s token when `offline.registryAuth` is set), the time limit ran out first, or Kubespray itself has no checksum for a file; names each, where, and the first hop that needs it',
};

export interface MirrorHop {
  context: HopContext;
  artifacts: HopArtifacts;
}

export interface MirrorEvaluation {
  hops: readonly MirrorHop[];
  probes: MirrorProbes;
  /** The mirrors the cluster declares, in words (`registry registry.local:5000`, `files https://files.local`). */
  mirrors: readonly string[];
  verifyChecksums: boolean;
}

export function checkMirror(input: MirrorEvaluation): CheckOutcome {
  const findings: Finding[] = [];
  const seenFiles = new Set<string>();
  const seenImages = new Set<string>();
  const rows: string[][] = [];
  const totals = { files: 0, filesPresent: 0, images: 0, imagesPresent: 0 };
  for (const { context, artifacts } of [...input.hops].sort((a, b) => a.context.index - b.context.index)) {
    const hop = context.index;
    let filesPresent = 0;
    let imagesPresent = 0;
    for (const file of artifacts.files) {
      const probe = input.probes.files.get(file.url);
      const present = probe?.state === 'present';
      if (present) filesPresent += 1;
      if (seenFiles.has(file.url)) continue;
      seenFiles.add(file.url);
      totals.files += 1;
      if (present) {
        totals.filesPresent += 1;
        continue;
      }
      const label = `${file.name}${file.version ? ` ${file.version}` : ''} (${file.arch})`;
      const state = probe?.state ?? 'not-checked';
      findings.push({
        check: MIRROR_CHECK, severity: 'block', hop,
        what: state === 'mismatch' ? `file ${label} on the mirror is not the file Kubespray ${context.toTag} expects` : state === 'not-checked' ? `file ${label} was not checked before the time limit` : `file ${label} is missing`,
        where: `${file.url}${probe?.reason ? ` (${probe.reason})` : ''}`,
        why: `hop ${hop} (Kubespray ${context.toTag}) downloads it on the nodes: without it the download fails part way through the hop`,
        fix: state === 'mismatch' ? 'copy the file again from its upstream URL (its sha256 is in `kspray artifacts --format files`)' : 'copy it there (`kspray artifacts -c FILE --format files` lists every file with its sha256), then run the preflight again',
        details: { kind: 'file', name: file.name, version: file.version, arch: file.arch, url: file.url, sha256: file.sha256, state, ...(probe?.status ? { status: probe.status } : {}) },
      });
    }
    for (const image of artifacts.images) {
      const probe = input.probes.images.get(image.ref);
      const present = probe?.state === 'present';
      if (present) imagesPresent += 1;
      if (seenImages.has(image.ref)) continue;
      seenImages.add(image.ref);
      totals.images += 1;
      if (present) {
        totals.imagesPresent += 1;
        continue;
      }
      const state = probe?.state ?? 'not-checked';
      findings.push({
        check: MIRROR_CHECK, severity: 'block', hop,
        what: state === 'denied' ? `image ${image.ref} cannot be read from its registry` : state === 'not-checked' ? `image ${image.ref} was not checked before the time limit` : `image ${image.ref} is missing`,
        where: `${image.repo.split('/')[0]}${probe?.reason ? ` (${probe.reason})` : ''}`,
        why: `hop ${hop} (Kubespray ${context.toTag}) pulls it${image.source === 'kubeadm' ? ' (kubeadm, for the control plane)' : ''}: without it the pull fails part way through the hop`,
        fix: state === 'denied' ? 'check offline.registryAuth (the user and the secret it names)' : 'push it there (`kspray artifacts -c FILE --format images` lists every image), then run the preflight again',
        details: { kind: 'image', name: image.name, ref: image.ref, source: image.source, state, ...(probe?.status ? { status: probe.status } : {}) },
      });
    }
    for (const problem of artifacts.problems) {
      findings.push({ check: MIRROR_CHECK, severity: 'block', hop, what: problem, where: `Kubespray ${context.toTag}`, why: 'what Kubespray itself cannot download or check stops the hop whatever the mirror holds', fix: 'pick a Kubernetes version the tag has checksums for (kspray plan --to), or a tag that has them' });
    }
    for (const left of artifacts.undetermined) {
      findings.push({
        check: MIRROR_CHECK, severity: 'info', hop,
        what: `${left.name}${left.arch ? ` (${left.arch})` : ''} was not checked: whether the tag downloads it depends on what only a node knows`,
        where: `Kubespray ${context.toTag}: ${left.field} ${left.expression}`,
        why: 'kspray lists what the tag decides from the cluster\'s settings, not from each node\'s facts',
        fix: 'mirror it too if your nodes run what it is for',
      });
    }
    rows.push([String(hop), context.toTag, `${filesPresent}/${artifacts.files.length}`, `${imagesPresent}/${artifacts.images.length}`]);
  }
  const how = input.verifyChecksums ? 'downloaded and checked' : 'answered';
  const reason = `${totals.filesPresent}/${totals.files} files ${how}, ${totals.imagesPresent}/${totals.images} images present, on ${input.mirrors.join(' and ')}` +
    (input.probes.timedOut ? ` (the time limit of ${Math.round(input.probes.limits.totalTimeoutMs / 1000)} s ran out)` : '');
  return {
    check: MIRROR_CHECK,
    status: findings.some((f) => f.severity === 'block') ? 'fail' : 'pass',
    findings,
    reason,
    table: { title: 'What the mirror has, per hop', columns: ['HOP', 'TAG', 'FILES', 'IMAGES'], rows },
  };
}
