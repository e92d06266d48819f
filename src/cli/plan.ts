import type { Command } from 'commander';
import { printJson, printStderr, printStdout } from './output.js';

export interface PlanCommandOptions {
  cluster: string;
  to?: string;
  tag?: string;
  canary?: string;
  batch?: string;
  json?: boolean;
  markdown?: boolean;
  output?: string;
  kubeconfig?: string;
  context?: string;
  maxUnavailable?: string;
  zoneSpread?: boolean;
  preflight?: boolean;
  manifests?: string;
  skipHosts?: boolean;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('plan the upgrade hop by hop: Kubespray tag, Kubernetes version, Ansible and every command')
    .argument('[versions]', 'FROM→TO (also ->, ..), e.g. 1.16→1.18 or 1.16.3→1.18.8; FROM defaults to the cluster file')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--to <version>', 'target: a minor (1.18) or a full version (1.18.10)')
    .option('--tag <tag>', 'the Kubespray tag for the last hop')
    .option('--canary <n>', 'canary workers upgraded alone before the rest', '1')
    .option('--batch <n|p%>', 'workers per batch after the canary (default: Kubespray\'s own serial)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster, for PDB-aware worker waves (default: KUBECONFIG, then the cluster file\'s)')
    .option('--context <name>', 'kubeconfig context')
    .option('--max-unavailable <n|p%>', 'most workers drained at once in a wave', '20%')
    .option('--zone-spread', 'never two nodes of the same zone in one wave')
    .option('--preflight', 'run every preflight check and show the findings on the hops they gate (with --kubeconfig alone: the API and model checks); plan still exits 0, `kspray preflight` exits 1 on a block')
    .option('--manifests <dir>', 'with --preflight/--kubeconfig: also check these manifests for removed APIs')
    .option('--skip-hosts', 'with --preflight: leave out the host checks (etcd, caches, kubeadm dry run)')
    .option('--json', 'print the plan document (JSON) alone on stdout')
    .option('--markdown', 'print the plan as Markdown, for a change ticket')
    .option('--output <file>', 'also write the JSON plan to FILE (run it later with apply --plan FILE)')
    .action(async (versions: string | undefined, options: PlanCommandOptions) => {
      const { buildPlanContext, makePlan } = await import('./plan-input.js');
      const context = await buildPlanContext({ ...options, pair: versions });
      let plan = makePlan(context);
      if (options.preflight || options.kubeconfig) {
        const { withPreflightFindings } = await import('./preflight.js');
        plan = await withPreflightFindings(context, plan, options);
      }
      if (options.output) {
        const { writeFileAtomic } = await import('../util/atomic-write.js');
        await writeFileAtomic(options.output, `${JSON.stringify(plan, null, 2)}\n`);
        printStderr(`wrote the plan to ${options.output}`);
      }
      if (options.json) {
        printJson(plan);
      } else if (options.markdown) {
        const { formatPlanMarkdown } = await import('../report/plan-markdown.js');
        printStdout(formatPlanMarkdown(plan));
      } else {
        const { formatPlanText } = await import('../report/plan-text.js');
        printStdout(formatPlanText(plan));
      }
    });
}
