import type { Command } from 'commander';
import type { Catalog } from '../catalog/catalog.js';
import type { Cluster } from '../model/schema.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
// Both tiny and free of dependencies: fine to load at start-up.
import { CHECK_IDS, checksHelp } from '../preflight/registry.js';
import { UsageError } from '../util/errors.js';
import { printJson, printStderr, printStdout } from './output.js';
import type { PlanContext } from './plan-input.js';

export interface PreflightCommandOptions {
  cluster: string;
  to?: string;
  tag?: string;
  hop?: string;
  kubeconfig?: string;
  context?: string;
  manifests?: string;
  skipHosts?: boolean;
  forceAnsible?: boolean;
  allowUnread?: string[];
  json?: boolean;
}

const HELP_AFTER = `
Without a target (FROM→TO or --to), preflight checks the next hop of the plan
an unfinished \`kspray apply\` recorded; with none recorded it asks for a target.

The cluster is read through --kubeconfig, else KUBECONFIG, else the cluster
file's access.kubeconfig, else the admin.conf Kubespray copies to
inventories/<name>/artifacts/. With none of them (or none answering), the API
checks say 'skipped: no cluster reachable: …'. Host checks run kspray's own
playbooks on the hosts (become, as Kubespray); --skip-hosts leaves them out.

Exit codes: 0 nothing blocks, 1 a finding blocks, 2 bad input.

Checks (id, worst severity, what):
`;

export function register(program: Command): void {
  program
    .command('preflight')
    .description('check the cluster before an upgrade: PDBs, nodes, DNS, removed APIs, etcd, caches, kubeadm, Ansible, variables')
    .argument('[versions]', 'FROM→TO, as for plan (or use --to)')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--to <version>', 'target: a minor (1.18) or a full version (1.18.10)')
    .option('--tag <tag>', 'the Kubespray tag for the last hop')
    .option('--hop <n>', 'check only hop N (as `kspray plan` numbers them)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: KUBECONFIG, then the cluster file\'s)')
    .option('--context <name>', 'kubeconfig context')
    .option('--manifests <dir>', 'also check these manifests (YAML, JSON, helm template output) for removed APIs')
    .option('--skip-hosts', 'do not run the host checks (etcd, caches, kubeadm dry run)')
    .option('--force-ansible', 'an Ansible outside a tag\'s range warns instead of blocking (as apply --force-ansible)')
    .option('--allow-unread <var>', 'report this setting as allowed although a hop\'s tag does not read it (as render, plan and apply take it; repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print the report (JSON) alone on stdout')
    .addHelpText('after', () => `${HELP_AFTER}${checksHelp()}`)
    .action(async (versions: string | undefined, options: PreflightCommandOptions) => {
      await runPreflightCommand(versions, options);
    });
}

export function parseHopNumber(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--hop ${text} is not a hop number`, 'hops are numbered from 1, as `kspray plan` shows them');
  return Number(text);
}

async function runPreflightCommand(versions: string | undefined, options: PreflightCommandOptions): Promise<void> {
  let hop = options.hop === undefined ? undefined : parseHopNumber(options.hop);
  const { join } = await import('node:path');
  const { runPreflights } = await import('../preflight/run-preflights.js');
  let plan: PlanDocument;
  let context: { cluster: Cluster; baseDir: string; catalog: Catalog };
  if (versions || options.to) {
    const { buildPlanContext, makePlan } = await import('./plan-input.js');
    // No waves: the checks read the cluster themselves, and no check looks at how the workers are batched.
    const built = await buildPlanContext({ cluster: options.cluster, pair: versions, to: options.to, tag: options.tag }, { waves: false });
    // Settings a tag does not read are findings of vars-drift here, not a refusal.
    plan = makePlan(built, { checkReads: false });
    context = { cluster: built.loaded.cluster, baseDir: built.loaded.baseDir, catalog: built.catalog };
  } else {
    const recorded = await recordedPlan(options.cluster);
    plan = recorded.plan;
    hop ??= recorded.nextHop;
    context = recorded.context;
  }
  const report = await runPreflights({
    plan, cluster: context.cluster, clusterFile: options.cluster, catalog: context.catalog, stateDir: join(context.baseDir, '.kspray'), hop,
    kube: { kubeconfig: options.kubeconfig, context: options.context, env: process.env.KUBECONFIG },
    skipHosts: options.skipHosts ? 'not run (--skip-hosts)' : undefined,
    manifestsDir: options.manifests, forceAnsible: Boolean(options.forceAnsible), allowUnread: options.allowUnread, log: printStderr,
  });
  if (options.json) {
    printJson(report);
  } else {
    const { formatPreflightText } = await import('../report/findings.js');
    printStdout(formatPreflightText(report));
  }
  process.exitCode = report.blocking ? 1 : 0;
}

/** The plan an unfinished apply recorded, and its next hop. */
async function recordedPlan(clusterFile: string): Promise<{ plan: PlanDocument; nextHop: number; context: { cluster: Cluster; baseDir: string; catalog: Catalog } }> {
  const { loadClusterOrFail } = await import('./load-cluster.js');
  const { loadJournal, firstUnfinishedStep } = await import('../journal/journal.js');
  const { loadCatalog } = await import('../catalog/load.js');
  const loaded = await loadClusterOrFail(clusterFile);
  const journal = await loadJournal(loaded.baseDir, loaded.cluster.name);
  const plan = journal?.plan as PlanDocument | undefined;
  if (!journal || !plan) {
    throw new UsageError('no target version, and no plan recorded by an unfinished apply', 'pass FROM→TO (e.g. 1.16→1.18) or --to VERSION');
  }
  const steps = plan.hops.flatMap((h) => h.steps);
  const next = firstUnfinishedStep(journal, steps.map((s) => s.id));
  const nextHop = steps.find((s) => s.id === next)?.hop;
  if (nextHop === undefined) {
    throw new UsageError(`the recorded plan (${plan.from.version} → ${plan.to.version}) is finished: nothing left to check`, 'pass a new target: --to VERSION or FROM→TO');
  }
  printStderr(`preflight: no target given; checking hop ${nextHop} of the plan recorded by an unfinished apply (${plan.from.version} → ${plan.to.version})`);
  return { plan, nextHop, context: { cluster: loaded.cluster, baseDir: loaded.baseDir, catalog: loadCatalog() } };
}

/** --skip-check ID and --reason TEXT, paired in order; every ID a known check, every skip with its reason. */
export function parseSkippedChecks(ids: readonly string[] | undefined, reasons: readonly string[] | undefined): Array<{ id: string; reason: string }> {
  const checks = ids ?? [];
  const why = reasons ?? [];
  if (checks.length !== why.length) {
    throw new UsageError(`${checks.length} --skip-check but ${why.length} --reason`, 'give every --skip-check ID its own --reason TEXT (the journal records why a check was skipped)');
  }
  return checks.map((id, i) => {
    if (!CHECK_IDS.includes(id)) throw new UsageError(`--skip-check ${id}: no such check`, `known checks: ${CHECK_IDS.join(', ')}`);
    const reason = (why[i] ?? '').trim();
    if (reason === '') throw new UsageError(`--skip-check ${id}: the --reason is empty`, 'say why the check may be skipped; the journal keeps it');
    return { id, reason };
  });
}

export interface HopGateOptions {
  /** The plan apply was given (its cluster and settings; the hops come from the gate's argument). */
  plan: PlanDocument;
  cluster: Cluster;
  clusterFile: string;
  baseDir: string;
  /** Default: loadCatalog(). */
  catalog?: Catalog | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  skipped: ReadonlyArray<{ id: string; reason: string }>;
  forceAnsible?: boolean | undefined;
  log: (text: string) => void;
}

/**
 * `apply`'s gate before a hop's first step: that hop's checks, refused (exit
 * 1) while a finding blocks whose check is not skipped with --skip-check. A
 * hop resumed half way is not checked again: its state is the upgrade's own
 * (masters ahead of workers) and was checked when the hop started.
 */
export function makeHopGate(options: HopGateOptions): (hop: PlanHop, steps: readonly PlanStep[]) => Promise<void> {
  return async (hop, steps) => {
    if (steps[0]?.id !== hop.steps[0]?.id) {
      options.log(`hop ${hop.index}: resuming at ${steps[0]?.id ?? 'its next step'}; its preflight ran when the hop started`);
      return;
    }
    const { runPreflights, blockingChecks } = await import('../preflight/run-preflights.js');
    const { formatPreflightBrief } = await import('../report/findings.js');
    const { join } = await import('node:path');
    const { WorkFailedError } = await import('../util/errors.js');
    const catalog = options.catalog ?? (await import('../catalog/load.js')).loadCatalog();
    const report = await runPreflights({
      // The hop as apply runs it (a resumed run follows the recorded plan, which may not be options.plan).
      plan: { ...options.plan, hops: [hop] }, cluster: options.cluster, clusterFile: options.clusterFile, catalog,
      stateDir: join(options.baseDir, '.kspray'), hop: hop.index,
      kube: { kubeconfig: options.kubeconfig, context: options.context, env: process.env.KUBECONFIG },
      forceAnsible: options.forceAnsible, log: options.log,
    });
    options.log(formatPreflightBrief(report));
    const skippedIds = new Set(options.skipped.map((s) => s.id));
    const blocking = blockingChecks(report);
    for (const id of blocking.filter((check) => skippedIds.has(check))) {
      options.log(`hop ${hop.index}: ${id} blocks, skipped as asked (--skip-check ${id}: ${options.skipped.find((s) => s.id === id)?.reason}); the journal records it`);
    }
    const refused = blocking.filter((id) => !skippedIds.has(id));
    if (refused.length > 0) {
      throw new WorkFailedError(
        `hop ${hop.index} (Kubespray ${hop.tag}, ${hop.fromVersion} → ${hop.toVersion}) refused: preflight blocks in ${refused.join(', ')}; nothing was run`,
        `fix the findings above (all details: kspray preflight -c ${options.clusterFile} --hop ${hop.index}), or skip a check knowingly: ${refused.map((id) => `--skip-check ${id} --reason TEXT`).join(' ')}`,
      );
    }
  };
}

export interface PlanPreflightFlags {
  cluster: string;
  preflight?: boolean | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  manifests?: string | undefined;
  skipHosts?: boolean | undefined;
}

/**
 * `kspray plan --preflight` (every check) or `plan --kubeconfig` (the API and
 * model checks; the host checks run Ansible on every host and wait for
 * --preflight): the plan again, with the findings on the hops they gate.
 */
export async function withPreflightFindings(context: PlanContext, plan: PlanDocument, flags: PlanPreflightFlags): Promise<PlanDocument> {
  const { runPreflights } = await import('../preflight/run-preflights.js');
  const { planUpgrade } = await import('../plan/plan.js');
  const { verdictLine } = await import('../report/findings.js');
  const report = await runPreflights({
    plan, cluster: context.loaded.cluster, clusterFile: flags.cluster, catalog: context.catalog, stateDir: context.stateDir,
    kube: { kubeconfig: flags.kubeconfig, context: flags.context, env: process.env.KUBECONFIG }, live: context.live,
    skipHosts: flags.skipHosts ? 'not run (--skip-hosts)' : flags.preflight ? undefined : 'not run (host checks run with kspray plan --preflight)',
    manifestsDir: flags.manifests, allowUnread: context.allowUnread, log: printStderr,
  });
  const skippedBy = new Map<string, string[]>();
  for (const o of report.outcomes.filter((x) => x.status === 'skipped')) skippedBy.set(o.reason ?? '', [...(skippedBy.get(o.reason ?? '') ?? []), o.check]);
  for (const [reason, checks] of skippedBy) printStderr(`preflight: skipped ${checks.join(', ')}: ${reason}`);
  if (report.blocking) printStderr(`preflight: ${verdictLine(report)}`);
  return planUpgrade({ ...context.input, findings: report.findings });
}
