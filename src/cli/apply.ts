import type { Command } from 'commander';
import { withPlanOptions, type PlanShapeOptions } from './plan-options.js';

export interface ApplyCommandOptions extends PlanShapeOptions {
  plan?: string;
  hop?: string;
  mastersOnly?: boolean;
  workersOnly?: boolean;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  breakLock?: boolean;
  forceAnsible?: boolean;
  replan?: boolean;
  window?: string;
  until?: string;
  report?: string;
  junit?: string;
  skipCheck?: string[];
  reason?: string[];
  skipPreflight?: boolean;
  soak?: string;
  /** false with --no-cluster-api (commander's negated option). */
  clusterApi?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  withPlanOptions(program
    .command('apply')
    .description('run the plan: facts, control plane and etcd, a canary, the workers; resumable, one run per cluster')
    .argument('[versions]', 'FROM→TO, as for plan (or use --to); without a target, resume the unfinished plan the journal recorded'))
    .option('--plan <file>', 'run the plan reviewed in FILE (written by `kspray plan --output`): kspray plans it again from today\'s inputs and runs only if the result is that plan, else exits 2 naming what changed')
    .option('--hop <n>', 'run only hop N')
    .option('--masters-only', 'run facts and the control-plane step of the current hop, then stop')
    .option('--workers-only', 'run the canary and worker steps of the current hop (its control plane must be done)')
    .option('--soak <duration>', 'after the canary, wait this long (30s, 10m, 1h) while its node stays Ready and its pods Running; needs the cluster API')
    .option('--dry-run', 'print the steps that would run, run nothing')
    .option('--json', 'print one JSON document on stdout (progress stays on stderr)')
    .option('-y, --yes', 'run without asking before each hop (unattended, CI)')
    .option('--break-lock', 'take over the lock of a run that died')
    .option('--force-ansible', 'run even when the local Ansible is outside the tag\'s range')
    .option('--replan', 'discard the unfinished recorded plan (or one that no longer matches today\'s inputs) and plan afresh from where the cluster is')
    .option('--skip-check <id>', 'run a hop although preflight check ID blocks it (repeatable, each with its --reason; the journal records both)', collect)
    .option('--reason <text>', 'why the --skip-check in the same position may be skipped; with --no-cluster-api, its reason comes last', collect)
    .option('--skip-preflight', 'do not run the preflight checks before each hop, but for the cluster API (they run by default, see `kspray preflight --help`; the journal records the skip)')
    .option('--no-cluster-api', 'run without the Kubernetes API: no PDB check, fixed batches, verify from the playbook results (needs --reason TEXT; recorded in the journal and the reports)')
    .option('--window <spec>', 'maintenance window, e.g. "Sat 01:00-05:00" or "Sat,Sun 23:00-03:00 UTC": a step starts only if it should end inside it (needs --yes)')
    .option('--until <time>', 'stop at a step boundary before TIME (HH:MM, or ISO like 2024-05-04T05:00:00Z; needs --yes)')
    .option('--report <file>', 'write the run report (JSON) to FILE at the end of the run, whatever its outcome')
    .option('--junit <file>', 'write the run as JUnit XML (one testcase per step) to FILE at the end of the run')
    .action(async (versions: string | undefined, options: ApplyCommandOptions) => {
      const { runApplyCommand } = await import('./apply-action.js');
      await runApplyCommand(versions, options);
    });
}
