/**
 * Queries over the variable table: which name a setting has in a tag, the
 * value it renders, and the settings a cluster sets. Pure.
 */
import semver from 'semver';
import type { Cluster, ClusterNode } from '../model/schema.js';
import { SETTINGS } from './table.js';
import type { NameRange, Rendered, RenderContext, Setting } from './types.js';

/** Whether `tag` lies in the range (`from` inclusive, `until` exclusive). */
export function inRange(tag: string, range: Pick<NameRange, 'from' | 'until'>): boolean {
  return (range.from === undefined || semver.gte(tag, range.from)) && (range.until === undefined || semver.lt(tag, range.until));
}

/** The name range that covers the tag, or undefined when the tag reads the setting under no name. */
export function rangeFor(setting: Setting, tag: string): NameRange | undefined {
  return setting.names.find((range) => inRange(tag, range));
}

/** The value at a dotted path (`network.calico.ipipMode`; `nodes[].x` reads x of the node). */
export function valueAt(source: unknown, field: string): unknown {
  const path = field.startsWith('nodes[].') ? field.slice('nodes[].'.length) : field;
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A setting the cluster sets (value present, condition met), with the range the tag reads it under (if any). */
export interface SetSetting {
  setting: Setting;
  value: unknown;
  range: NameRange | undefined;
}

export function clusterSettings(cluster: Cluster, tag: string): SetSetting[] {
  return SETTINGS.filter((setting) => setting.scope === 'cluster')
    .map((setting) => ({ setting, value: valueAt(cluster, setting.field) }))
    .filter(({ setting, value }) => value !== undefined && (setting.when?.test(cluster, tag) ?? true))
    .map(({ setting, value }) => ({ setting, value, range: rangeFor(setting, tag) }));
}

export function hostSettings(cluster: Cluster, node: ClusterNode, tag: string): SetSetting[] {
  return SETTINGS.filter((setting) => setting.scope === 'host')
    .map((setting) => ({ setting, value: valueAt(node, setting.field) }))
    .filter(({ setting, value }) => value !== undefined && (setting.when?.test(cluster, tag) ?? true))
    .map(({ setting, value }) => ({ setting, value, range: rangeFor(setting, tag) }));
}

export function renderValue(set: SetSetting, context: RenderContext): Rendered {
  const transform = set.range?.transform as ((value: unknown, context: RenderContext) => Rendered) | undefined;
  return transform ? transform(set.value, context) : (set.value as Rendered);
}

/** Every setting that writes `name` in some tag (an extraVars key that shadows one is an error). */
export function settingsNaming(name: string): Setting[] {
  return SETTINGS.filter((setting) => setting.scope !== 'run' && setting.names.some((range) => range.name === name));
}

/** The cluster-file field of every setting by variable name, in table order. */
export function fieldsByName(scope: Setting['scope']): Map<string, string> {
  const out = new Map<string, string>();
  for (const setting of SETTINGS) {
    if (setting.scope !== scope) continue;
    for (const range of setting.names) if (!out.has(range.name)) out.set(range.name, setting.field);
  }
  return out;
}

/** The (first) variable a cluster-file field becomes, for messages that name it. */
export function variableOfField(field: string): string {
  const name = SETTINGS.find((setting) => setting.field === field)?.names[0]?.name;
  if (name === undefined) throw new Error(`the variable table has no variable for ${field}`);
  return name;
}

/** How a setting's names span the tags, for docs: `ipip_mode (…v2.12.x), calico_ipip_mode (v2.13.0…)`. */
export function describeNames(setting: Setting): string {
  if (setting.inert) return 'not written (read by no tag)';
  const ranges = setting.names.map((range) => {
    const span = range.from && range.until ? `${range.from} – <${range.until}` : range.from ? `${range.from}+` : range.until ? `< ${range.until}` : '';
    return span ? `${range.name} (${span})` : range.name;
  });
  return [...new Set(ranges)].join(', ');
}
