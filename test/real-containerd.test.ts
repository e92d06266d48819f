/**
 * containerd's insecure registries, as each real tag reads them: the
 * variable kspray writes for k1 on containerd (src/vars/table.ts) must be
 * iterated by that tag's own role in the shape kspray writes (a dict through
 * `.items()` or with_dict, a list through a plain `for … in`), and where an
 * extra-var replaces a whole default (containerd_config, containerd_registries)
 * the rest of kspray's value must be that tag's default. Every containerd tag.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareTags } from '../src/catalog/versions.js';
import { run } from '../src/process/exec.js';
import { mapTypedVars } from '../src/vars/render.js';
import { CONTAINERD_CONFIG_DEFAULT, CONTAINERD_DOCKER_IO } from '../src/vars/table.js';
import { k1Variant } from './helpers/k1-variants.js';
import { realRepo } from './helpers/real-kubespray.js';
import { allRealTags } from './helpers/real-tags.js';

const TAGS = allRealTags().filter((tag) => compareTags(tag, 'v2.11.0') >= 0);

async function gitShow(tag: string, path: string): Promise<string> {
  return (await run(['git', '--git-dir', await realRepo(), 'show', `${tag}:${path}`])).stdout;
}

async function roleText(tag: string): Promise<string> {
  const listed = (await run(['git', '--git-dir', await realRepo(), 'ls-tree', '-r', '--name-only', tag, 'roles/container-engine/containerd'])).stdout.split('\n');
  const files = listed.filter((path) => /\/(tasks|templates)\//.test(path));
  return (await Promise.all(files.map((path) => gitShow(tag, path)))).join('\n');
}

describe.each(TAGS)('containerd on Kubespray %s', (tag) => {
  it('reads kspray\'s insecure registries in the shape kspray writes them', async () => {
    const cluster = await k1Variant('k1+containerd');
    const written = mapTypedVars(cluster, tag, 'v1.20.0').find((entry) => entry.source === 'registries.insecure');
    expect(written, tag).toBeDefined();
    const { name, value } = written!;
    const text = await roleText(tag);
    const iterated = name === 'containerd_config' ? 'containerd_config.registries' : name;
    const asDict = new RegExp(`${iterated.replace('.', '\\.')}\\.items\\(\\)|with_dict:\\s*"\\{\\{\\s*${iterated}\\s*\\}\\}"`).test(text);
    const asList = new RegExp(`for \\w+ in ${iterated}\\s*%\\}|loop:\\s*"\\{\\{\\s*${iterated}\\s*\\}\\}"`).test(text);
    if (Array.isArray(value)) expect({ tag, name, asList, asDict }).toEqual({ tag, name, asList: true, asDict: false });
    else expect({ tag, name, asDict }).toEqual({ tag, name, asDict: true });
    expect(JSON.stringify(value)).toContain('tacorepo:5000');
  });

  it('keeps the rest of a default it replaces as the tag has it', async () => {
    const defaults = parse(await gitShow(tag, 'roles/container-engine/containerd/defaults/main.yml'), { version: '1.1' }) as Record<string, unknown>;
    if (compareTags(tag, 'v2.16.0') < 0) expect(defaults.containerd_config, tag).toEqual(CONTAINERD_CONFIG_DEFAULT);
    else if (compareTags(tag, 'v2.18.0') < 0) expect(defaults.containerd_registries, tag).toEqual(CONTAINERD_DOCKER_IO);
  });
});
