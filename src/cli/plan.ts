import type { Command } from 'commander';
import { WorkFailedError } from '../util/errors.js';
import { printJson, printStderr, printStdout } from './output.js';
import { withPlanOptions, type PlanShapeOptions } from './plan-options.js';

export interface PlanCommandOptions extends PlanShapeOptions {
  json?: boolean;
  markdown?: boolean;
  output?: string;
  preflight?: boolean;
  artifacts?: boolean;
  verifyChecksums?: boolean;
  manifests?: string;
  skipHosts?: boolean;
  requireAnsible?: boolean;
}

export function register(program: Command): void {
  withPlanOptions(program
    .command('plan')
    .description('plan the upgrade hop by hop: Kubespray tag, Kubernetes version, Ansible and every command')
    .argument('[versions]', 'FROM→TO (also ->, ..), e.g. 1.16→1.18 or 1.16.3→1.18.8; FROM must be where the cluster is (default: it); without a target, the unfinished plan the journal recorded'))
    .option('--preflight', 'run every preflight check and show the findings on the hops they gate (with --kubeconfig alone: the API and model checks); plan still exits 0, `kspray preflight` exits 1 on a block')
    .option('--artifacts', 'count the files and images each hop downloads (its Kubespray tag templated with Ansible, cached; kspray artifacts lists them); --preflight counts them too, with what the mirrors have')
    .option('--verify-checksums', 'with --preflight: the mirror check downloads every file and compares its sha256')
    .option('--manifests <dir>', 'with --preflight/--kubeconfig: also check these manifests for removed APIs')
    .option('--skip-hosts', 'with --preflight: leave out the host checks (etcd, caches, kubeadm dry run)')
    .option('--json', 'print the plan document (JSON) alone on stdout')
    .option('--markdown', 'print the plan as Markdown, for a change ticket')
    .option('--require-ansible', 'exit 1 unless the ansible-playbook on PATH is in every hop\'s range (kubespray.ansible: system), naming what each hop needs: a CI plan job checks its image with it')
    .option('--output <file>', 'also write the JSON plan to FILE (run it later with apply --plan FILE: apply plans again and runs only if the result is this plan)')
    .action(async (versions: string | undefined, options: PlanCommandOptions) => {
      const { buildPlanContext } = await import('./plan-input.js');
      const withFindings = Boolean(options.preflight || options.kubeconfig);
      // One read of the cluster serves where-the-cluster-is, the waves and, with findings asked for, the checks.
      const context = await buildPlanContext({ ...options, pair: versions }, { forPreflight: withFindings });
      for (const line of context.state.sources) printStderr(`where the cluster is: ${line}`);
      if (context.kind === 'already') {
        const message = `${context.loaded.cluster.name} already runs ${context.version}${context.tag ? ` (Kubespray ${context.tag})` : ''}: nothing to plan`;
        if (options.json) printJson({ status: 'already-at', cluster: context.loaded.cluster.name, version: context.version, tag: context.tag ?? null, sources: context.state.sources });
        else printStdout(message);
        return;
      }
      if (context.live && !context.live.ok) printStderr(`warning: the live cluster was not read (${context.live.reason}): where the cluster is comes from the files alone, and the workers go in Kubespray's own batches`);
      if (context.mode === 'resume') {
        printStderr(`resuming the unfinished plan the journal recorded (${context.plan.from.version} → ${context.plan.to.version})`);
        if (context.drift.length > 0) printStderr(`warning: apply would refuse to resume it, because today's plan of the same request differs: ${context.drift.join('; ')}; \`kspray apply --replan\` plans afresh from where the cluster is`);
      }
      let plan = context.plan;
      if (options.requireAnsible) requireAnsible(plan);
      let mirror;
      if (withFindings) {
        const { withPreflightFindings } = await import('./preflight.js');
        ({ plan, mirror } = await withPreflightFindings(context, plan, options));
      }
      // Counted only when asked (--artifacts) or when the preflight ran: a plain plan stays fast (bench/plan.ts).
      if (options.artifacts || options.preflight) {
        const { countArtifacts } = await import('./plan-artifacts.js');
        plan = await countArtifacts(context, plan, { template: Boolean(options.artifacts), mirror });
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
      const done = context.mode === 'resume' && context.journal ? (id: string) => context.journal?.steps[id]?.status === 'succeeded' : undefined;
      if (options.json) {
        printJson(plan);
      } else if (options.markdown) {
        const { formatPlanMarkdown } = await import('../report/plan-markdown.js');
        printStdout(formatPlanMarkdown(plan));
      } else {
        const { formatPlanText } = await import('../report/plan-text.js');
        printStdout(formatPlanText(plan, done));
      }
    });
}

/** --require-ansible: every hop that runs the system Ansible finds one in its range, or the command fails saying what each needs. */
function requireAnsible(plan: import('../plan/types.js').PlanDocument): void {
  const misfits = plan.hops.filter((hop) => hop.ansible.mode === 'system' && !hop.ansible.local?.satisfies);
  if (misfits.length === 0) return;
  const range = (hop: (typeof misfits)[number]) => [hop.ansible.range.min_inclusive ? `>= ${hop.ansible.range.min_inclusive}` : '', hop.ansible.range.max_exclusive ? `< ${hop.ansible.range.max_exclusive}` : ''].filter(Boolean).join(' and ') || 'any';
  const local = misfits[0]!.ansible.local?.version;
  throw new WorkFailedError(
    `the ansible-playbook here (${local ?? 'none on PATH'}) cannot run ${misfits.map((hop) => `hop ${hop.index} (Kubespray ${hop.tag}: Ansible ${range(hop)}, pins ${hop.ansible.pins.join(', ') || 'none'})`).join('; ')}`,
    'run the jobs in an image whose ansible-playbook is in each hop\'s range, or set kubespray.ansible: venv in the cluster file (kspray then installs the Ansible each Kubespray line pins)',
  );
}
