/**
 * What Ansible reads from kspray's YAML is what the model says: the extra-vars
 * and secrets files render writes, loaded with Ansible's own loader (PyYAML,
 * YAML 1.1, !unsafe) by the Python that runs Ansible; what kspray import reads
 * from an operator's extra-vars is what that loader reads; and text holding a
 * Jinja delimiter is never templated by a real ansible-playbook, at any depth.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnsibleYaml, UnsafeText } from '../src/ansible/ansible-yaml.js';
import { loadCatalog } from '../src/catalog/load.js';
import { cluster as clusterSchema } from '../src/model/schema.js';
import { run } from '../src/process/exec.js';
import { renderExtraVars } from '../src/render/extra-vars.js';
import { renderTarget } from '../src/render/target.js';
import { ansiblePython } from './helpers/ansible-python.js';
import { repoRoot, withTempDir } from './helpers/cli.js';

const LOADER = join(repoRoot, 'test', 'fixtures', 'python', 'ansible_load_yaml.py');

/** Strings YAML 1.1 would read as something else, and strings that test the quoting itself. */
const STRINGS = [
  // booleans in every case PyYAML knows, and the ones it does not (y, n)
  ...['yes', 'no', 'on', 'off', 'true', 'false', 'y', 'n'].flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()]), 'yEs', 'oN',
  // sexagesimal, octal, hex, binary, leading zeros, underscores, signs
  '1:20', '190:20:30', '190:20:30.15', '-1:30', '0755', '017', '0o17', '08', '0', '00', '007', '0x1F', '0X1f', '0b101', '1_000', '+12', '-0',
  '12345678901234567890',
  // null, empty, dates, floats, YAML 1.1's value and merge keys
  '~', 'null', 'Null', 'NULL', '', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '.inf', '-.Inf', '+.INF', '.NaN', '.nan',
  '1e3', '1.0e+3', '1.', '.5', '6.8523015e+5', '685.230_15e+03', '=', '<<',
  // Jinja: never templated
  '{{ lookup("pipe", "touch /tmp/kspray-never") }}', '{% if true %}x{% endif %}', '{# comment #}', 'a{{b', "{{ 'x' }}",
  // YAML indicators and quotes
  'x: y', '- a', '#c', 'a #b', '"q"', "it's", '@x', '`x`', '!x', '&x', '*x', '%x', '|', '>', '?', ':', '-', '---', '...', '[a]', '{a}', ' lead', 'trail ',
  // control characters, line breaks of YAML 1.1 and Python, the BOM
  'tab\there', 'nl\nx', 'two\n\nlines\n', 'cr\rx', 'nel\u0085x', 'ls\u2028x', 'ps\u2029x', 'c1\u0080\u009f', 'del\u007f', 'bom\ufeffx', 'bell\u0007', 'esc\u001b',
  // non-ASCII and backslashes
  'ünïcødé', '日本語', '😀', 'bs\\', 'a\\nb', 'pa$$word', '`id`',
];
const NUMBERS = [0, -1, 1.5, 1e21, 1e-7, 2 ** 53, -2.5e-300, 123456789012, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const TRICKY_KEYS = ['yes', 'null', '123', '1:20', '<<', '=', '~', 'on', '0755'];

const corpus = {
  strings: STRINGS,
  numbers: NUMBERS,
  scalars: [true, false, null],
  keys: Object.fromEntries(TRICKY_KEYS.map((key, index) => [key, index])),
  nested: { list: [['{{ deep }}', { k: '{%- raw -%}' }]], map: { inner: { yes: 'no', text: '{{ x }}' } } },
};

/** The model's value as the loader script prints it (ansible_load_yaml.py). */
function asAnsibleReads(value: unknown): unknown {
  if (typeof value === 'string') return /\{[{%#]/.test(value) ? { unsafe: value } : value;
  if (typeof value === 'number' && !Number.isFinite(value)) return { float: Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf' };
  if (Array.isArray(value)) return value.map(asAnsibleReads);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asAnsibleReads(item)]));
  return value;
}

/** What kspray's reader gives, in the loader script's terms. */
function asLoaderPrints(value: unknown): unknown {
  if (value instanceof UnsafeText) return { unsafe: value.text };
  if (typeof value === 'number' && !Number.isFinite(value)) return asAnsibleReads(value);
  if (Array.isArray(value)) return value.map(asLoaderPrints);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asLoaderPrints(item)]));
  return value;
}

async function ansibleLoad(file: string): Promise<unknown> {
  const result = await run([ansiblePython(), LOADER, file]);
  return JSON.parse(result.stdout);
}

describe('YAML for Ansible', () => {
  it('renders extra-vars and secrets that Ansible\'s loader reads back as the model\'s values', async () => {
    const model = clusterSchema.parse({
      name: 'y1', kubernetes: { version: '1.16.3' }, nodes: [{ name: 'm1', ip: '10.0.0.1', roles: ['control-plane', 'etcd', 'worker'] }],
      dns: { clusterName: 'yes' },
      addons: { rbdProvisioner: { monitors: ['10.0.0.9:6789'], pool: '0755', adminSecret: { fromEnv: 'A' }, userSecret: { fromEnv: 'B' } } },
      extraVars: { corpus },
    });
    const secrets: Record<string, string> = { A: '{{ not_a_template }}', B: 'no' };
    const rendered = renderExtraVars(model, renderTarget(loadCatalog().requireTag('v2.16.0')), (ref) => ('fromEnv' in ref ? secrets[ref.fromEnv]! : ''));

    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'vars.yml'), rendered.vars);
      await writeFile(join(dir, 'secrets.yml'), rendered.secrets!);
      const vars = await ansibleLoad(join(dir, 'vars.yml')) as Record<string, unknown>;
      const secretVars = await ansibleLoad(join(dir, 'secrets.yml')) as Record<string, unknown>;

      expect(vars.corpus).toEqual(asAnsibleReads(corpus));
      expect(vars).toMatchObject({ cluster_name: 'yes', rbd_provisioner_pool: '0755', kube_version: 'v1.16.3' });
      expect(secretVars).toEqual({ rbd_provisioner_secret: { unsafe: '{{ not_a_template }}' }, rbd_provisioner_user_secret: 'no' });
    });
  });

  it('reads an operator\'s extra-vars as Ansible\'s loader does (kspray import)', async () => {
    const text = [
      'plain: [yes, No, ON, off, y, n, True, 1:20, 190:20:30.15, 0755, 08, 0x1F, 0b101, 0o17, ~, null, 1e3, 1.0e+3, 1_000, +12, -0, 007, 1., .5, 1_0.5, .inf, -.Inf, .NaN]',
      'empty:',
      'quoted: ["yes", \'0755\', "1:20"]',
      'base: &base {a: 1, b: [x, y]}',
      'merged:',
      '  <<: *base',
      '  b: 2',
      'literal: !unsafe "{{ kept }}"',
      'block: |',
      '  two',
      '  lines',
      'folded: >-',
      '  one',
      '  line',
      'dup: 1',
      'dup: 2',
    ].join('\n');
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'extra.yml'), text);
      const parsed = parseAnsibleYaml(text);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const ours = asLoaderPrints(parsed.value);

      expect(ours).toEqual(await ansibleLoad(join(dir, 'extra.yml')));
    });
  });

  it('reads dates as their text, saying so, where Ansible reads a date', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'dates.yml'), 'since: 2001-12-14\n');
      const parsed = parseAnsibleYaml('since: 2001-12-14\n');
      expect(parsed).toEqual({ ok: true, value: { since: '2001-12-14' }, timestamps: ['2001-12-14'] });
      expect(await ansibleLoad(join(dir, 'dates.yml'))).toEqual({ since: { date: '2001-12-14' } });
    });
  });

  it('refuses what Ansible\'s loader refuses, with the position: a plain =, an undefined alias, two documents', async () => {
    for (const [text, where, message] of [
      ['a: =\n', { line: 1, col: 4 }, /plain = is YAML 1\.1's value key/],
      ['a: *nowhere\n', { line: 1, col: 4 }, /alias \*nowhere has no anchor/],
      ['a: 1\n---\nb: 2\n', { line: 2, col: 1 }, /more than one YAML document/],
    ] as const) {
      const parsed = parseAnsibleYaml(text);
      expect(parsed.ok, text).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.problems[0]).toMatchObject({ ...where, message: expect.stringMatching(message) });
      await withTempDir(async (dir) => {
        await writeFile(join(dir, 'bad.yml'), text);
        const loaded = await run([ansiblePython(), LOADER, join(dir, 'bad.yml')], { reject: false });
        expect(loaded.exitCode, `Ansible's loader accepted ${JSON.stringify(text)}`).not.toBe(0);
      });
    }
  });

  it('never templates Jinja text from the cluster file in a real ansible-playbook run, in lists and maps alike', async () => {
    await withTempDir(async (dir) => {
      const marker = (name: string) => join(dir, name);
      const extraVars = {
        probe: `{{ lookup('pipe', 'touch ${marker('top')}') }}`,
        nested: { list: [`{{ lookup('pipe', 'touch ${marker('in-list')}') }}`, 'plain'], map: { deeper: [{ k: `{% set x = lookup('pipe', 'touch ${marker('in-map')}') %}x` }] } },
      };
      const model = clusterSchema.parse({ name: 'y2', kubernetes: { version: '1.16.3' }, nodes: [{ name: 'm1', ip: '10.0.0.1', roles: ['control-plane', 'etcd'] }], extraVars });
      const rendered = renderExtraVars(model, renderTarget(loadCatalog().requireTag('v2.16.0')), () => '');
      await writeFile(join(dir, 'vars.yml'), rendered.vars);
      await writeFile(join(dir, 'show.yml'), [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - copy:',
        '        content: "{{ {\'probe\': probe, \'nested\': nested} | to_json }}"',
        '        dest: "{{ out }}"',
      ].join('\n'));
      const result = await run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', '-e', `@${join(dir, 'vars.yml')}`, '-e', `out=${join(dir, 'out.json')}`, join(dir, 'show.yml')], {
        cwd: dir, reject: false, env: { ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1' },
      });

      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'))).toEqual(extraVars);
      for (const name of ['top', 'in-list', 'in-map']) expect(existsSync(marker(name)), `${name} was templated`).toBe(false);
    });
  });
});
