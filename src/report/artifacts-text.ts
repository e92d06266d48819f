/**
 * `kspray artifacts` at a terminal: what each hop needs, then the union with
 * the first hop that needs each file and image, then what kspray could not
 * list. The same data as `--json`.
 */
import type { ArtifactsDocument } from '../artifacts/types.js';
import { formatTable } from './table.js';

export function formatArtifactsText(document: ArtifactsDocument): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const out: string[] = [
    `Artifacts for ${document.cluster.name}: ${document.from.version} → ${document.to.version} in ${plural(document.hops.length, 'hop')}` +
      ` (architectures: ${document.architectures.join(', ')}): ${plural(document.files.length, 'file')}, ${plural(document.images.length, 'image')}`,
    '',
    formatTable(['HOP', 'TAG', 'KUBERNETES', 'FILES', 'IMAGES', ''], document.hops.map((hop) => [
      String(hop.index), hop.tag, `${hop.fromVersion} → ${hop.toVersion}`, String(hop.files), String(hop.images), hop.cached ? '(cached)' : '',
    ])),
    '',
    `Files (first hop that needs each; \`--format files\` lists them as URL sha256):`,
    formatTable(['HOP', 'NAME', 'VERSION', 'ARCH', 'URL', 'SHA256'], document.files.map((file) => [
      String(file.firstHop), file.name, file.version ?? '-', file.arch, file.url, file.sha256 ?? '(none)',
    ])),
    '',
    `Images (\`--format images\` lists them one per line):`,
    formatTable(['HOP', 'NAME', 'IMAGE', 'PULLED BY'], document.images.map((image) => [
      String(image.firstHop), image.name, image.ref, image.source === 'kubeadm' ? 'kubeadm' : 'download role',
    ])),
  ];
  const undetermined = document.hops.flatMap((hop) => hop.undetermined.map((entry) => ({ hop: hop.index, ...entry })));
  if (undetermined.length > 0) {
    out.push('', 'Not listed: the tag decides these from what only a node knows (its facts):');
    for (const entry of undetermined) out.push(`  hop ${entry.hop}: ${entry.name}${entry.arch ? ` (${entry.arch})` : ''} ${entry.field}: ${entry.expression}`);
  }
  const problems = document.hops.flatMap((hop) => hop.problems.map((problem) => `hop ${hop.index} (${hop.tag}): ${problem}`));
  if (problems.length > 0) {
    out.push('', 'Problems:');
    for (const problem of problems) out.push(`  ${problem}`);
  }
  return out.join('\n');
}
