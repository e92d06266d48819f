/**
 * The options that shape a plan, declared once for every command that makes
 * one (plan, apply), so their spelling, defaults and help never drift apart.
 */
import type { Command } from 'commander';

export interface PlanShapeOptions {
  cluster: string;
  to?: string;
  tag?: string;
  canary?: string;
  batch?: string;
  kubeconfig?: string;
  context?: string;
  maxUnavailable?: string;
  zoneSpread?: boolean;
  allowUnread?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--allow-unread VAR`, shared by render, plan and apply. */
export const ALLOW_UNREAD_FLAG = '--allow-unread <var>';
export const ALLOW_UNREAD_HELP = 'accept a setting a hop\'s tag does not read (a Kubespray variable or a cluster-file path; repeatable): an extra or node variable is written anyway, a typed setting with no name in that tag is left out';
export { collect as collectOption };

export function withPlanOptions(command: Command): Command {
  return command
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--to <version>', 'target: a minor (1.18) or a full version (1.18.10)')
    .option('--tag <tag>', 'the Kubespray tag for the last hop')
    .option('--canary <n>', 'canary workers upgraded alone before the rest (default 1; must leave workers after it)')
    .option('--batch <n|p%>', 'workers per batch after the canary, instead of PDB-aware waves (default: waves when the cluster is reachable, else Kubespray\'s own serial)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: KUBECONFIG, then the cluster file\'s access.kubeconfig, then artifacts/admin.conf beside it)')
    .option('--context <name>', 'kubeconfig context')
    .option('--max-unavailable <n|p%>', 'most workers drained at once in a PDB-aware wave', '20%')
    .option('--zone-spread', 'never two nodes of the same zone in one wave')
    .option(ALLOW_UNREAD_FLAG, ALLOW_UNREAD_HELP, collect);
}
