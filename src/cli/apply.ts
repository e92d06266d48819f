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
  /** --skip-gate NAME: a health gate waived for the run (with its --reason). */
  skipGate?: string[];
  reason?: string[];
  /** --events FILE: every event of the run, one JSON object per line. */
  events?: string;
  skipPreflight?: boolean;
  soak?: string;
  /** false with --no-cluster-api (commander's negated option). */
  clusterApi?: boolean;
  /** false with --no-etcd-snapshot. */
  etcdSnapshot?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const HELP_AFTER = `
Stopping: the first Ctrl-C (or SIGTERM, or SIGHUP: a dropped SSH session) stops
at the next safe boundary: the hosts in flight finish their batch of the play
that drains them, no further node is cordoned or drained, and apply exits 3
with the journal at that boundary; the same apply resumes there. A second one
stops ansible-playbook at once (its whole process group), as a crash would:
the journal names the nodes it may have left cordoned (kspray recover).

Progress: at a terminal, a live view redrawn in place (the step, elapsed and
remaining time, the hosts per state, the running and failed ones); otherwise
one timestamped line per change. --events FILE writes every event as JSON
lines (kspray schema events). Colour follows the terminal and NO_COLOR.

Health gates (upgrade.gates in the cluster file) are checked after the canary
and after each wave, before the next one may drain; one that does not pass
before its timeout stops the run (exit 1). --skip-gate NAME --reason TEXT
waives one for the run (recorded).
`;

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
    .option('--skip-gate <name>', 'go on without health gate NAME (upgrade.gates; repeatable, each with its --reason; the journal records both)', collect)
    .option('--reason <text>', 'why the waiver just before it (--skip-check ID, --skip-gate NAME, --no-cluster-api, --no-etcd-snapshot) is knowingly taken', collect)
    .option('--skip-preflight', 'do not run the preflight checks before each hop, but for the cluster API (they run by default, see `kspray preflight --help`; the journal records the skip)')
    .option('--no-cluster-api', 'run without the Kubernetes API: no PDB check, fixed batches, verify from the playbook results (needs --reason TEXT; recorded in the journal and the reports)')
    .option('--no-etcd-snapshot', 'take no etcd snapshot before each hop\'s control plane (needs --reason TEXT; recorded in the journal and the reports)')
    .option('--window <spec>', 'maintenance window, e.g. "Sat 01:00-05:00" or "Sat,Sun 23:00-03:00 UTC": a step starts only if it should end inside it (needs --yes)')
    .option('--until <time>', 'stop at a step boundary before TIME (HH:MM, or ISO like 2024-05-04T05:00:00Z; needs --yes)')
    .option('--report <file>', 'write the run report (JSON) to FILE at the end of the run, whatever its outcome')
    .option('--junit <file>', 'write the run as JUnit XML (one testcase per step) to FILE at the end of the run')
    .option('--events <file>', 'append every event of the run (steps, waves, hosts, plays, tasks, gates) to FILE as JSON lines (kspray schema events)')
    .addHelpText('after', HELP_AFTER)
    .action(async (versions: string | undefined, options: ApplyCommandOptions, command: Command) => {
      const { runApplyCommand } = await import('./apply-action.js');
      // The raw arguments: a --reason belongs to the waiver written just before it.
      // (commander keeps them on the program as rawArgs, which its typings do not declare)
      const rawArgs = (command.parent as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv.slice(2);
      await runApplyCommand(versions, options, rawArgs);
    });
}
