/**
 * inventory/sample/inventory.ini, read tolerantly. Ansible's INI inventory is
 * not INI: host lines are bare words with key=value pairs, sections may be
 * empty, and Kubespray comments its example hosts out (`# node1 ansible_host=…`)
 * and even whole sections (`# [bastion]`). The `ini` package mangles that;
 * what we need (sections, children, commented sections) is a few regexes.
 */
import { dialectOfGroups } from '../groups.js';

const SECTION = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/;
const COMMENTED_SECTION = /^\s*[#;]+\s*\[([^\]]+)\]\s*$/;

export interface SampleInventoryFacts {
  sections: string[];
  commented_sections: string[];
  children: Record<string, string[]>;
  etcd: { form: 'group' | 'children'; children?: string[] };
  dialect: 'dash' | 'underscore' | null;
}

export function readSampleInventory(text: string): SampleInventoryFacts {
  const sections: string[] = [];
  const commented: string[] = [];
  const children: Record<string, string[]> = {};
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const section = SECTION.exec(raw);
    if (section?.[1]) {
      current = section[1].trim();
      sections.push(current);
      const [group, suffix] = current.split(':');
      if (suffix === 'children' && group) children[group] ??= [];
      continue;
    }
    const hidden = COMMENTED_SECTION.exec(raw);
    if (hidden?.[1]) {
      commented.push(hidden[1].trim());
      continue;
    }
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || current === undefined) continue;
    const [group, suffix] = current.split(':');
    if (suffix === 'children' && group) {
      const child = line.split(/\s+/)[0];
      if (child) children[group]?.push(child);
    }
  }
  const etcdChildren = children.etcd;
  const groups = new Set(sections.map((section) => section.split(':')[0] ?? section));
  for (const members of Object.values(children)) for (const member of members) groups.add(member);
  return {
    sections,
    commented_sections: commented,
    children,
    etcd: etcdChildren ? { form: 'children', children: etcdChildren } : { form: 'group' },
    dialect: dialectOfGroups(groups) ?? null,
  };
}
