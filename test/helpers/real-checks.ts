/**
 * Checks of kspray's rendered files against a real Kubespray tag's tree: the
 * hosts each play of the tag's own playbooks selects (`ansible-playbook
 * --list-hosts`, with kspray's inventory, extra-vars and --limit), the
 * tag's upgrade plays as its YAML says (names, host patterns, serial), and
 * whether the tag's files use a variable at all — a plain-text index of the
 * tag's roles, playbooks and sample group_vars, independent of kspray's own
 * extractor (src/catalog/extract/variables.ts), so each checks the other.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { run } from '../../src/process/exec.js';

export interface ListedPlay {
  name: string;
  pattern: string;
  hosts: string[];
}

/** The plays and hosts `ansible-playbook … --list-hosts` prints for an argv (cwd: the tag's tree). */
export async function listHosts(argv: readonly string[], cwd: string): Promise<ListedPlay[]> {
  const result = await run([...argv, '--list-hosts'], { cwd, reject: false, timeoutMs: 300_000, env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: 'False' } });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} --list-hosts failed in ${cwd}: ${result.stderr.slice(-2000)}`);
  return parseListHosts(result.stdout);
}

export function parseListHosts(stdout: string): ListedPlay[] {
  const plays: ListedPlay[] = [];
  let current: ListedPlay | undefined;
  let inHosts = false;
  for (const line of stdout.split('\n')) {
    const play = /^\s*play #\d+ \((.*)\): (.*?)\tTAGS:/.exec(line);
    if (play) {
      current = { pattern: play[1] ?? '', name: play[2] ?? '', hosts: [] };
      plays.push(current);
      inHosts = false;
      continue;
    }
    if (/^\s*hosts \(\d+\):/.test(line)) {
      inHosts = true;
      continue;
    }
    if (/^\s*pattern:/.test(line)) continue;
    if (inHosts && current && line.trim() !== '') current.hosts.push(line.trim());
    else if (line.trim() === '') inHosts = false;
  }
  for (const play of plays) play.hosts.sort();
  return plays;
}

export interface YamlPlay {
  name: string | null;
  hosts: string;
  serial: unknown;
}

/** The plays of a playbook as ansible-playbook runs them: import_playbook followed, relative to the importing file. */
export async function yamlPlays(tree: string, playbook: string): Promise<YamlPlay[]> {
  const out: YamlPlay[] = [];
  const visit = async (file: string): Promise<void> => {
    const document = parse(await readFile(join(tree, file), 'utf8'), { version: '1.1', uniqueKeys: false }) as unknown;
    for (const item of Array.isArray(document) ? document : []) {
      if (typeof item !== 'object' || item === null) continue;
      const entry = item as Record<string, unknown>;
      const imported = entry.import_playbook ?? entry['ansible.builtin.import_playbook'];
      if (typeof imported === 'string') {
        await visit(relative(tree, join(tree, file, '..', imported.trim())));
        continue;
      }
      if (entry.hosts === undefined) continue;
      const hosts = Array.isArray(entry.hosts) ? entry.hosts.map(String).join(':') : String(entry.hosts);
      out.push({ name: typeof entry.name === 'string' ? entry.name : null, hosts, serial: entry.serial ?? null });
    }
  };
  await visit(playbook);
  return out;
}

/**
 * Words the tag's files use as code: every identifier on a line of its roles,
 * playbooks and sample group_vars that is not a comment; and the names an
 * assert refuses (`that: x is not defined`, or such a line in its `that:` list).
 */
export async function treeWords(tree: string): Promise<{ uses(name: string): boolean; refuses(name: string): boolean }> {
  const used = new Set<string>();
  const refused = new Set<string>();
  const roots = ['roles', 'playbooks', join('inventory', 'sample', 'group_vars')];
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.(ya?ml|j2)$/.test(entry.name) || path.includes(`${join('', 'templates', '')}`)) files.push(path);
    }
  };
  for (const root of roots) await walk(join(tree, root));
  for (const entry of await readdir(tree)) if (/\.ya?ml$/.test(entry)) files.push(join(tree, entry));
  const notDefined = /^"?'?([A-Za-z_]\w*) is not defined'?"?$/;
  for (const file of files) {
    let thatIndent = -1;
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (/^\s*#/.test(line) || line.trim() === '') continue;
      const indent = line.length - line.trimStart().length;
      if (thatIndent >= 0 && indent <= thatIndent && !line.trimStart().startsWith('-')) thatIndent = -1;
      const that = /^\s*that:\s*(.*)$/.exec(line);
      if (that) {
        const inline = notDefined.exec((that[1] ?? '').trim())?.[1];
        if (inline) refused.add(inline);
        thatIndent = inline || (that[1] ?? '').trim() !== '' ? -1 : indent;
      } else if (thatIndent >= 0) {
        const item = notDefined.exec(line.trim().replace(/^-\s*/, ''))?.[1];
        if (item) refused.add(item);
      }
      for (const match of line.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) used.add(match[0]);
    }
  }
  return { uses: (name) => used.has(name), refuses: (name) => refused.has(name) };
}
