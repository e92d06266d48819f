/**
 * "N or P%": the one parser and the one rounding for --batch,
 * --max-unavailable, the worker waves and the duration estimate. The rounding
 * is Ansible's own for `serial: "P%"` (ansible/utils/helpers.py pct_to_int:
 * `int((pct / 100.0) * hosts) or 1`): truncation of the same floating-point
 * product, at least one. So a batch kspray computes is the batch Kubespray's
 * `serial` would make of the same hosts. Pure.
 */
export type CountOrPercent =
  | { kind: 'count'; count: number; text: string }
  | { kind: 'percent'; percent: number; text: string };

/**
 * N (a whole number ≥ 1) or P% (a whole percent, 1 – 100, as Ansible's
 * int() reads it); undefined for anything else.
 */
export function parseCountOrPercent(value: number | string): CountOrPercent | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 ? { kind: 'count', count: value, text: String(value) } : undefined;
  const text = value.trim();
  if (/^[1-9]\d*$/.test(text)) return { kind: 'count', count: Number(text), text };
  const percent = /^([1-9]\d{0,2})%$/.exec(text);
  if (percent && Number(percent[1]) <= 100) return { kind: 'percent', percent: Number(percent[1]), text };
  return undefined;
}

/** How many of `total` items the spec means, Ansible's way; a count is returned as is (callers cap it). */
export function resolveCountOrPercent(spec: CountOrPercent, total: number): number {
  if (spec.kind === 'count') return spec.count;
  return Math.trunc((spec.percent / 100) * total) || 1;
}

/** Kubespray's worker batch when kspray sets none: upgrade-cluster.yml's `serial: "{{ serial | default('20%') }}"`. */
export const KUBESPRAY_DEFAULT_SERIAL: CountOrPercent = { kind: 'percent', percent: 20, text: '20%' };
