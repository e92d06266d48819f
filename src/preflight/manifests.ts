/**
 * Reads a directory of manifests (`--manifests DIR`) into apiVersion/kind
 * records with file:line, for the removed-API check: plain YAML, multi-doc
 * files, `kind: List` wrappers, JSON, and `helm template` output (whose
 * `# Source:` comments name the chart template). What cannot be parsed (an
 * unrendered Helm template, say) is skipped and said so, never fatal.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isMap, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';

export interface ManifestDoc {
  file: string;
  /** 1-based line where the object starts. */
  line: number;
  apiVersion: string;
  kind: string;
  name: string | undefined;
  namespace: string | undefined;
  /** The chart template a `helm template` document came from. */
  helmSource: string | undefined;
}

export interface ManifestScan {
  docs: ManifestDoc[];
  skipped: Array<{ file: string; reason: string }>;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export async function scanManifestDir(dir: string): Promise<ManifestScan> {
  const scan: ManifestScan = { docs: [], skipped: [] };
  for (const file of await manifestFiles(dir)) {
    const text = await readFile(file, 'utf8');
    const parsed = parseManifestText(text, file);
    scan.docs.push(...parsed.docs);
    scan.skipped.push(...parsed.skipped);
  }
  return scan;
}

/** Manifest files under `dir`, sorted; hidden directories and node_modules are left out. */
async function manifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') out.push(...(await manifestFiles(path)));
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** Parses one file's text (exported for tests and for manifests read from elsewhere). */
export function parseManifestText(text: string, file: string): ManifestScan {
  const scan: ManifestScan = { docs: [], skipped: [] };
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(documents)) return scan; // an empty stream
  for (const doc of documents) {
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const line = first?.linePos?.[0]?.line;
      scan.skipped.push({ file, reason: `${line === undefined ? '' : `line ${line}: `}${first?.message.split('\n')[0] ?? 'not YAML'}` });
      continue;
    }
    // `# Source:` lands on the document or on its first node, depending on where the `---` is.
    const comments = `${doc.commentBefore ?? ''}\n${(doc.contents as YamlNode | null)?.commentBefore ?? ''}`;
    const helmSource = /Source:\s*(\S+)/.exec(comments)?.[1];
    collect(doc.contents, file, lineCounter, helmSource, scan.docs);
  }
  return scan;
}

function collect(node: unknown, file: string, lines: LineCounter, helmSource: string | undefined, out: ManifestDoc[]): void {
  if (!isMap(node)) return;
  const scalar = (key: string): string | undefined => {
    const value = node.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const apiVersion = scalar('apiVersion');
  const kind = scalar('kind');
  if (!apiVersion || !kind) return;
  // `kind: List` (kubectl get -o yaml, some charts): the items are the objects.
  const items = kind.endsWith('List') ? node.get('items', true) : undefined;
  if (isSeq(items)) {
    for (const item of items.items) collect(item, file, lines, helmSource, out);
    return;
  }
  const metadata = node.get('metadata', true);
  const meta = (key: string): string | undefined => {
    if (!isMap(metadata)) return undefined;
    const value = metadata.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const offset = (node as YamlNode).range?.[0] ?? 0;
  out.push({ file, line: lines.linePos(offset).line, apiVersion, kind, name: meta('name'), namespace: meta('namespace'), helmSource });
}
