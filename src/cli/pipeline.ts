import type { Command } from 'commander';
import type { LoadedCluster } from '../model/load.js';
import type { PlanDocument } from '../plan/types.js';

export interface PipelineCommandOptions {
  cluster: string;
  ci: string;
  to?: string;
  tag?: string;
  canary?: string;
  batch?: string;
  window: string;
  cron?: string[];
  image: string;
  nodeVersion: string;
  runnerTag: string;
  runnerLabel?: string[];
  output?: string;
}

export function register(program: Command): void {
  program
    .command('pipeline')
    .description('print a scheduled CI pipeline (GitLab or GitHub) that plans, preflights and applies the upgrade hop by hop, each hop behind a manual gate')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .requiredOption('--ci <kind>', 'gitlab or github')
    .option('--to <version>', 'target version (default: the plan the journal recorded)')
    .option('--tag <tag>', 'the Kubespray tag for the last hop')
    .option('--canary <n>', 'canary workers upgraded alone before the rest (default 1)')
    .option('--batch <n|p%>', 'workers per batch after the canary')
    .option('--window <spec>', 'maintenance window each apply job runs in (apply --window)', 'Sat 01:00-05:00 UTC')
    .option('--cron <line>', 'schedule (repeatable; default: at each window\'s opening)', (value: string, all: string[] | undefined) => [...(all ?? []), value])
    .option('--image <image>', 'GitLab job image', 'node:20-bookworm')
    .option('--node-version <v>', 'Node.js version for GitHub\'s setup-node', '20')
    .option('--runner-tag <tag>', 'GitLab: the tag of the self-hosted runner that reaches the nodes and the API', 'kspray')
    .option('--runner-label <label>', 'GitHub: a label of the self-hosted runner that reaches the nodes and the API (repeatable; default kspray)', (value: string, all: string[] | undefined) => [...(all ?? []), value])
    .option('--output <file>', 'write the definition to FILE instead of stdout')
    .action(async (options: PipelineCommandOptions) => {
      await runPipelineCommand(options);
    });
}

async function runPipelineCommand(options: PipelineCommandOptions): Promise<void> {
  const { dirname, relative, resolve, sep } = await import('node:path');
  const { UsageError } = await import('../util/errors.js');
  const { printStderr, printStdout } = await import('./output.js');
  const { parseWindows } = await import('../apply/window-spec.js');
  const { pipelineDefinition, pipelinePath, secretEnvNames } = await import('../report/pipeline.js');
  if (options.ci !== 'gitlab' && options.ci !== 'github') throw new UsageError(`--ci ${options.ci}: kspray writes gitlab or github pipelines`, 'pass --ci gitlab or --ci github');
  const ci = options.ci;
  const { cronProblem } = await import('../report/cron.js');
  for (const line of options.cron ?? []) {
    const problem = cronProblem(line);
    if (problem) throw new UsageError(`--cron "${line}": ${problem}`, 'pass five fields, e.g. --cron "30 1 * * 6" (01:30 every Saturday), or leave --cron out to schedule each window\'s opening');
  }
  const windows = parseWindows(options.window);
  const planned = await planFor(options);
  if (!planned) {
    printStderr(`${options.cluster}: the cluster already runs ${options.to ?? 'the target'}: no pipeline to write`);
    return;
  }
  const { plan, loaded } = planned;
  const file = resolve(options.cluster);
  const root = await repositoryRoot(dirname(file));
  if (root === undefined) printStderr(`warning: ${options.cluster} is not in a git repository: paths are relative to ${process.cwd()}`);
  const posix = (path: string): string => path.split(sep).join('/');
  const clusterFile = posix(relative(root ?? process.cwd(), file));
  const text = pipelineDefinition({
    ci: options.ci, cluster: plan.cluster.name, clusterFile, clusterDir: posix(dirname(clusterFile)).replace(/^\.$/, ''),
    from: plan.from.version, to: plan.to.version,
    hops: plan.hops.map((hop) => ({ index: hop.index, tag: hop.tag, fromVersion: hop.fromVersion, toVersion: hop.toVersion })),
    windowText: options.window, windows, cron: options.cron,
    secretEnv: secretEnvNames(loaded.cluster), ansible: loaded.cluster.kubespray.ansible,
    image: options.image, nodeVersion: options.nodeVersion, runnerTag: options.runnerTag, runnerLabels: options.runnerLabel ?? ['kspray'],
    command: `kspray pipeline -c ${clusterFile} --ci ${options.ci} --to ${plan.to.version} --window "${options.window}"`,
  });
  if (options.output) {
    const { writeFileAtomic } = await import('../util/atomic-write.js');
    const { writeError } = await import('../util/fs-errors.js');
    const output = options.output;
    await writeFileAtomic(output, text).catch((error: unknown) => {
      throw writeError(output, error, `pass --output a file path you can write (in the repository: ${pipelinePath(ci, plan.cluster.name)})`);
    });
    printStderr(`wrote ${options.output} (in the repository it belongs at ${pipelinePath(options.ci, plan.cluster.name)})`);
  } else {
    printStdout(text);
    printStderr(`save it as ${pipelinePath(options.ci, plan.cluster.name)} in the repository`);
  }
}

/** The plan as `kspray plan` makes it, or the journal's unfinished plan (planned again) when no target is given; undefined when the cluster is already there. */
async function planFor(options: PipelineCommandOptions): Promise<{ plan: PlanDocument; loaded: LoadedCluster } | undefined> {
  const { buildPlanContext } = await import('./plan-input.js');
  const context = await buildPlanContext({ cluster: options.cluster, to: options.to, tag: options.tag, canary: options.canary, batch: options.batch });
  if (context.kind === 'already') return undefined;
  return { plan: context.plan, loaded: context.loaded };
}

async function repositoryRoot(dir: string): Promise<string | undefined> {
  const { run } = await import('../process/exec.js');
  const result = await run(['git', 'rev-parse', '--show-toplevel'], { cwd: dir, reject: false }).catch(() => undefined);
  return result && result.exitCode === 0 ? result.stdout.trim() : undefined;
}
