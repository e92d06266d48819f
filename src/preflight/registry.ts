/**
 * What the list of checks (checks/index.ts) says about itself: the ids
 * --skip-check accepts and the journal records, their order in reports, the
 * help lines and the README table. A host check also blocks on a host
 * Ansible cannot reach.
 */
import { PREFLIGHT_CHECKS } from './checks/index.js';

export const CHECK_IDS: readonly string[] = PREFLIGHT_CHECKS.map((check) => check.id);

/** The position of a check in the list (unknown ids last), for stable ordering. */
export function checkOrder(id: string): number {
  const index = CHECK_IDS.indexOf(id);
  return index === -1 ? CHECK_IDS.length : index;
}

/** One line per check, for command help. */
export function checksHelp(): string {
  const width = Math.max(...CHECK_IDS.map((id) => id.length));
  return PREFLIGHT_CHECKS.map((check) => `  ${check.id.padEnd(width)}  ${check.docs.severity.padEnd(5)}  ${check.docs.description}`).join('\n');
}

/** The README's table of checks (between its preflight-checks markers). */
export function checksTable(): string {
  return ['| check | blocks when |', '|---|---|', ...PREFLIGHT_CHECKS.map((check) => `| \`${check.id}\` | ${check.docs.blocksWhen} |`)].join('\n');
}
