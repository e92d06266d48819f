import type { Command } from 'commander';
import { printJson, printStderr, printStdout } from './output.js';
import { withPlanOptions, type PlanShapeOptions } from './plan-options.js';

export interface PlanCommandOptions extends PlanShapeOptions {
  json?: boolean;
  markdown?: boolean;
  output?: string;
  preflight?: boolean;
  manifests?: string;
  skipHosts?: boolean;
}

export function register(program: Command): void {
  withPlanOptions(program
    .command('plan')
    .description('plan the upgrade hop by hop: Kubespray tag, Kubernetes version, Ansible and every command')
    .argument('[versions]', 'FROM→TO (also ->, ..), e.g. 1.16→1.18 or 1.16.3→1.18.8; FROM defaults to the cluster file'))
    .option('--preflight', 'run every preflight check and show the findings on the hops they gate (with --kubeconfig alone: the API and model checks); plan still exits 0, `kspray preflight` exits 1 on a block')
    .option('--manifests <dir>', 'with --preflight/--kubeconfig: also check these manifests for removed APIs')
    .option('--skip-hosts', 'with --preflight: leave out the host checks (etcd, caches, kubeadm dry run)')
    .option('--json', 'print the plan document (JSON) alone on stdout')
    .option('--markdown', 'print the plan as Markdown, for a change ticket')
    .option('--output <file>', 'also write the JSON plan to FILE (run it later with apply --plan FILE)')
    .action(async (versions: string | undefined, options: PlanCommandOptions) => {
      const { buildPlanContext, makePlan } = await import('./plan-input.js');
      const withFindings = Boolean(options.preflight || options.kubeconfig);
      // One read of the cluster serves the waves and, with findings asked for, the checks.
      const context = await buildPlanContext({ ...options, pair: versions }, { forPreflight: withFindings });
      let plan = makePlan(context);
      if (withFindings) {
        const { withPreflightFindings } = await import('./preflight.js');
        plan = await withPreflightFindings(context, plan, options);
      }
      if (options.output) {
        const { writeFileAtomic } = await import('../util/atomic-write.js');
        const { writeError } = await import('../util/fs-errors.js');
        const output = options.output;
        await writeFileAtomic(output, `${JSON.stringify(plan, null, 2)}\n`).catch((error: unknown) => {
          throw writeError(output, error, 'pass --output a file path you can write (e.g. --output plan.json)');
        });
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
