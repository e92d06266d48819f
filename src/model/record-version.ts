/**
 * The cluster file stays true: after each hop apply finishes, it writes the
 * cluster's new kubernetes.version and kubespray.tag into the operator's own
 * file, in place. The `yaml` Document API finds the two scalars and their
 * source ranges, and only those bytes are replaced (in the scalar's own
 * quoting), so every comment, its spacing, key order and blank line stay as
 * the operator wrote them. A missing kubespray.tag is added through the
 * Document. Atomic: the file is replaced whole, with its mode, or not at all.
 */
import { readFile, stat } from 'node:fs/promises';
import { isMap, isScalar, parseDocument, type Document, type Scalar } from 'yaml';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KsprayError } from '../util/errors.js';

export interface RecordedVersion {
  /** What changed, e.g. "kubernetes.version: v1.16.3 → v1.17.12"; empty when the file already said so. */
  changes: string[];
}

export async function recordClusterVersion(path: string, state: { version: string; tag: string }): Promise<RecordedVersion> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mode & 0o7777)]);
  } catch (error) {
    throw new KsprayError(`cannot read the cluster file ${path} to record the new version: ${(error as Error).message}`);
  }
  const updated = withVersion(text, state);
  if (updated.changes.length > 0) await writeFileAtomic(path, updated.text, { mode });
  return { changes: updated.changes };
}

/** The text with the two settings changed, everything else as it was. Pure. */
export function withVersion(text: string, state: { version: string; tag: string }): { text: string; changes: string[] } {
  const parse = (source: string): Document => {
    const doc = parseDocument(source);
    if (doc.errors.length > 0 || !isMap(doc.contents)) {
      throw new KsprayError(`the cluster file no longer parses (${doc.errors[0]?.message.split('\n')[0] ?? 'not a mapping'}): cannot record the new version`);
    }
    return doc;
  };
  const changes: string[] = [];
  let out = text;
  const set = (path: readonly string[], next: (old: unknown) => string): void => {
    const doc = parse(out);
    const node = doc.getIn(path, true);
    if (isScalar(node) && node.range) {
      const to = next(node.value);
      if (node.value === to) return;
      changes.push(`${path.join('.')}: ${String(node.value)} → ${to}`);
      out = out.slice(0, node.range[0]) + sourceOf(to, node.type) + out.slice(node.range[1]);
      return;
    }
    const to = next(undefined);
    changes.push(`${path.join('.')}: (unset) → ${to}`);
    doc.setIn(path, to);
    out = doc.toString();
  };
  set(['kubernetes', 'version'], (old) => (typeof old === 'string' && !old.startsWith('v') ? state.version.replace(/^v/, '') : state.version));
  set(['kubespray', 'tag'], () => state.tag);
  return { text: out, changes };
}

/** A version or tag as its scalar was written: plain, or in the same quotes. */
function sourceOf(value: string, type: Scalar['type']): string {
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value}'`;
  return value;
}
