import type { Command } from 'commander';
import type { Catalog } from '../catalog/catalog.js';
import type { Cluster } from '../model/schema.js';
import type { PlanDocument, PlanHop, PlanStep } from '../plan/types.js';
// Loaded at start-up (the help lists the checks synchronously): the list of checks, each check module with its pure logic; no I/O.
import { checksHelp } from '../preflight/registry.js';
import { UsageError } from '../util/errors.js';
import { printJson, printStderr, printStdout } from './output.js';
import { ALLOW_UNREAD_FLAG, collectOption } from './plan-options.js';
import type { PlanContext } from './plan-input.js';
import type { GateVerdict } from '../apply/apply.js';
import type { CheckOutcome } from '../preflight/types.js';

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
  verifyChecksums?: boolean;
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
With mirrors declared (offline.*), the mirror check asks them for every file
and image of the hops (8 at a time, each request within 10 s, all within 3
minutes; --verify-checksums downloads each file, within 30 minutes in all).

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
    .option(ALLOW_UNREAD_FLAG, 'report this setting as allowed although a hop\'s tag does not read it (as render, plan and apply take it; repeatable)', collectOption)
    .option('--verify-checksums', 'the mirror check downloads every file and compares its sha256 (default: HEAD: its status and size, an empty file counts as missing)')
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
  const { buildPlanContext } = await import('./plan-input.js');
  // One read of the cluster: where it is, and what the checks look at (no waves: no check looks at how the workers are batched).
  const built = await buildPlanContext({ cluster: options.cluster, pair: versions, to: options.to, tag: options.tag, kubeconfig: options.kubeconfig, context: options.context, allowUnread: options.allowUnread }, { waves: false, forPreflight: true, checkReads: false });
  // Settings a tag does not read are findings of vars-drift here, not a refusal (render, plan and apply refuse them).
  for (const line of built.state.sources) printStderr(`where the cluster is: ${line}`);
  if (built.kind === 'already') {
    if (options.json) printJson({ status: 'already-at', cluster: built.loaded.cluster.name, version: built.version, tag: built.tag ?? null, blocking: false, findings: [] });
    else printStdout(`${built.loaded.cluster.name} already runs ${built.version}: nothing to check`);
    return;
  }
  const plan = built.plan;
  if (built.mode === 'resume' && hop === undefined) {
    const { firstUnfinishedStep } = await import('../journal/journal.js');
    const steps = plan.hops.flatMap((h) => h.steps);
    const next = built.journal ? firstUnfinishedStep(built.journal, steps.map((s) => s.id)) : undefined;
    hop = steps.find((s) => s.id === next)?.hop;
    printStderr(`preflight: checking hop ${hop} of the unfinished plan the journal recorded (${plan.from.version} → ${plan.to.version})`);
  }
  const report = await runPreflights({
    plan, cluster: built.loaded.cluster, clusterFile: options.cluster, catalog: built.catalog, stateDir: join(built.loaded.baseDir, '.kspray'), hop,
    kube: { kubeconfig: options.kubeconfig, context: options.context, env: process.env.KUBECONFIG }, live: built.live,
    skipHosts: options.skipHosts ? 'not run (--skip-hosts)' : undefined,
    manifestsDir: options.manifests, forceAnsible: Boolean(options.forceAnsible), allowUnread: options.allowUnread, verifyChecksums: Boolean(options.verifyChecksums), log: printStderr,
  });
  if (options.json) {
    printJson(report);
  } else {
    const { formatPreflightText } = await import('../report/findings.js');
    printStdout(formatPreflightText(report));
  }
  process.exitCode = report.blocking ? 1 : 0;
}

export interface HopGateOptions {
  /** The plan apply runs (its cluster and settings; the hops come from the gate's argument). */
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
  /** --no-cluster-api's reason: the API checks are waived, not failed. */
  noClusterApi?: string | undefined;
  /** --skip-preflight: only the cluster API is checked (no API, no drain). */
  skipPreflight?: boolean | undefined;
  /** --allow-unread: what vars-drift reports as allowed, not refused. */
  allowUnread?: readonly string[] | undefined;
  log: (text: string) => void;
}

/** The checks a hop resumed half way still needs: the API answers, and no budget hangs the drains to come. */
const RESUME_CHECKS = ['cluster-api', 'pdb'];

/**
 * `apply`'s gate before a hop's first step, before the operator is asked:
 * that hop's checks, refused (exit 1) while a finding blocks whose check is
 * not skipped with --skip-check. A hop resumed half way gets RESUME_CHECKS:
 * the others describe the cluster kspray itself half upgraded (masters ahead
 * of workers) and ran when the hop started.
 */
export function makeHopGate(options: HopGateOptions): (hop: PlanHop, steps: readonly PlanStep[]) => Promise<GateVerdict> {
  return async (hop, steps) => {
    const resumed = steps[0]?.id !== hop.steps[0]?.id;
    const only = options.skipPreflight ? ['cluster-api'] : resumed ? RESUME_CHECKS : undefined;
    if (resumed) options.log(`hop ${hop.index}: resuming at ${steps[0]?.id ?? 'its next step'}; checking ${only!.join(' and ')} again (the other checks ran when the hop started)`);
    if (only && options.noClusterApi !== undefined && only.every((id) => id === 'cluster-api' || id === 'pdb')) {
      return { ok: true, summary: `the cluster API is waived (--no-cluster-api: ${options.noClusterApi})` };
    }
    const { runPreflights, blockingChecks } = await import('../preflight/run-preflights.js');
    const { formatPreflightBrief } = await import('../report/findings.js');
    const { join } = await import('node:path');
    const catalog = options.catalog ?? (await import('../catalog/load.js')).loadCatalog();
    const report = await runPreflights({
      // The hop as apply runs it.
      plan: { ...options.plan, hops: [hop] }, cluster: options.cluster, clusterFile: options.clusterFile, catalog,
      stateDir: join(options.baseDir, '.kspray'), hop: hop.index, only,
      kube: { kubeconfig: options.kubeconfig, context: options.context, env: process.env.KUBECONFIG },
      ...(options.noClusterApi !== undefined ? { skipApi: `waived: --no-cluster-api (${options.noClusterApi})` } : {}),
      forceAnsible: options.forceAnsible, allowUnread: options.allowUnread, log: options.log,
    });
    const brief = formatPreflightBrief(report);
    options.log(brief);
    const findings = report.findings.map((f) => ({ check: f.check, severity: f.severity, what: f.what, where: f.where, fix: f.fix }));
    const skippedIds = new Set(options.skipped.map((s) => s.id));
    const blocking = blockingChecks(report);
    for (const id of blocking.filter((check) => skippedIds.has(check))) {
      options.log(`hop ${hop.index}: ${id} blocks, skipped as asked (--skip-check ${id}: ${options.skipped.find((s) => s.id === id)?.reason}); the journal records it`);
    }
    const refused = blocking.filter((id) => !skippedIds.has(id));
    if (refused.length === 0) return { ok: true, summary: brief, findings };
    const causes = report.findings.filter((f) => f.severity === 'block' && refused.includes(f.check)).map((f) => `${f.check}: ${f.what}`);
    return {
      ok: false,
      findings,
      message: `hop ${hop.index} (Kubespray ${hop.tag}, ${hop.fromVersion} → ${hop.toVersion}) refused: preflight blocks in ${refused.join(', ')}; nothing of it was run\n    ${causes.join('\n    ')}`,
      hint: refused.includes('cluster-api')
        ? `make the cluster API reachable (--kubeconfig PATH), or run knowingly without it: --no-cluster-api --reason TEXT${refused.length > 1 ? `; and for the rest: ${refused.filter((id) => id !== 'cluster-api').map((id) => `--skip-check ${id} --reason TEXT`).join(' ')}` : ''}`
        : `fix the findings above (all details: kspray preflight -c ${options.clusterFile} --hop ${hop.index}), or skip a check knowingly: ${refused.map((id) => `--skip-check ${id} --reason TEXT`).join(' ')}`,
    };
  };
}

export interface PlanPreflightFlags {
  cluster: string;
  preflight?: boolean | undefined;
  verifyChecksums?: boolean | undefined;
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
export async function withPreflightFindings(context: PlanContext, plan: PlanDocument, flags: PlanPreflightFlags): Promise<{ plan: PlanDocument; mirror: CheckOutcome | undefined }> {
  const { runPreflights } = await import('../preflight/run-preflights.js');
  const { planUpgrade } = await import('../plan/plan.js');
  const { verdictLine } = await import('../report/findings.js');
  const report = await runPreflights({
    plan, cluster: context.loaded.cluster, clusterFile: flags.cluster, catalog: context.catalog, stateDir: context.stateDir,
    kube: { kubeconfig: flags.kubeconfig, context: flags.context, env: process.env.KUBECONFIG }, live: context.live,
    skipHosts: flags.skipHosts ? 'not run (--skip-hosts)' : flags.preflight ? undefined : 'not run (host checks run with kspray plan --preflight)',
    skipMirror: flags.preflight ? undefined : 'not run (the mirror check runs with kspray plan --preflight)',
    verifyChecksums: Boolean(flags.verifyChecksums),
    manifestsDir: flags.manifests, allowUnread: context.allowUnread, log: printStderr,
  });
  const skippedBy = new Map<string, string[]>();
  for (const o of report.outcomes.filter((x) => x.status === 'skipped')) skippedBy.set(o.reason ?? '', [...(skippedBy.get(o.reason ?? '') ?? []), o.check]);
  for (const [reason, checks] of skippedBy) printStderr(`preflight: skipped ${checks.join(', ')}: ${reason}`);
  if (report.blocking) printStderr(`preflight: ${verdictLine(report)}`);
  return { plan: planUpgrade({ ...context.input, findings: report.findings }), mirror: report.outcomes.find((o) => o.check === 'mirror') };
}
