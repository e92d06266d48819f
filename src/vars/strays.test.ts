/**
 * The variable table is the only place in src/ that names a Kubespray
 * variable: a name anywhere else is a stray that can drift from the table
 * (the three places issue 13 found). This test greps every source file's
 * code and string literals for the names the real tags define (role defaults
 * and vars, sample group_vars, data/kubespray/variables.json) and the
 * table's own names.
 *
 * What it does not count, and why:
 * - comments: they explain, they do not render;
 * - one-word names (ip, peers, serial, iface): ordinary words in every message;
 *   the multi-word names are what drifts;
 * - tests (*.test.ts): they pin the table's behaviour with literal names;
 * - src/catalog/: the catalog records facts under the name of the Kubespray
 *   variable they come from (kube_version, kube_version_min_required), and its
 *   extractors must name what they read in the tag's files;
 * - Ansible's own variables (ansible_*), kspray's playbook variables (kspray_*),
 *   and environment variables the process allow-list passes (no_proxy);
 * - FIELD_NAMES: fields of catalog records read outside src/catalog.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledVariablesPath } from '../catalog/snapshot.js';
import { foldVariables, type VariablesDocument } from '../catalog/variables-document.js';
import { SETTINGS } from './table.js';

const SRC = join(import.meta.dirname, '..');
const TABLE = join(SRC, 'vars', 'table.ts');
const ENVIRONMENT = new Set(['no_proxy', 'http_proxy', 'https_proxy']);
/** Catalog record fields read outside src/catalog: the dns block's computed addresses (src/preflight/dns.ts). */
const FIELD_NAMES = new Map([['preflight/dns.ts', new Set(['kube_service_addresses'])]]);

function kubesprayNames(): Set<string> {
  const document = JSON.parse(readFileSync(bundledVariablesPath, 'utf8')) as VariablesDocument;
  const names = new Set<string>();
  for (const variables of foldVariables(document).values()) for (const name of [...variables.defaults, ...variables.roleVars, ...variables.sample]) names.add(name);
  for (const setting of SETTINGS) for (const range of setting.names) names.add(range.name);
  return new Set([...names].filter((name) => name.includes('_') && !/^(ansible|kspray)_/.test(name) && !ENVIRONMENT.has(name)));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return relative(SRC, path) === 'catalog' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && path !== TABLE ? [path] : [];
  });
}

/** Code and string contents without comments (a `//` inside a string is kept). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' ')).replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1|\/\/.*$/gm, (match) => (match.startsWith('//') ? ' ' : match));
}

describe('variable names outside the table', () => {
  it('there are none in src/', () => {
    const names = kubesprayNames();
    const strays: string[] = [];
    for (const file of sources(SRC)) {
      const where = relative(SRC, file);
      const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        for (const match of line.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)) {
          if (names.has(match[0]) && !FIELD_NAMES.get(where)?.has(match[0])) strays.push(`src/${where}:${index + 1}: ${match[0]}`);
        }
      });
    }
    expect(strays, 'name these through src/vars/table.ts (RUN_VARS, KUBESPRAY_VARS, SETTINGS)').toEqual([]);
  });

  it('would see one (the grep is not blind)', () => {
    const names = kubesprayNames();
    const code = withoutComments("const x = { calico_ipip_mode: 1 }; // kube_proxy_mode\nwarn(`set dashboard_enabled`);");
    expect([...code.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)].map((m) => m[0]).filter((n) => names.has(n))).toEqual(['calico_ipip_mode', 'dashboard_enabled']);
  });
});
