import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { printJson, printStderr, printStdout } from './output.js';
import { ALLOW_UNREAD_FLAG, ALLOW_UNREAD_HELP, collectOption } from './plan-options.js';

export interface ArtifactsCommandOptions {
  cluster: string;
  to?: string;
  tag?: string;
  hop?: string;
  kubeconfig?: string;
  context?: string;
  format?: string;
  json?: boolean;
  allowUnread?: string[];
}

const FORMATS = ['files', 'images', 'both'] as const;

const HELP_AFTER = `
Each hop's downloads come from its own Kubespray tag: kspray templates the
tag's download defaults with Ansible (on this machine, touching no node) with
the cluster's settings and the hop's Kubernetes version, for every node
architecture (nodes[].arch, default amd64), and adds the control-plane images
kubeadm pulls. The result is cached per tag and settings, so the second run
needs no Ansible.

--format files   one \`URL sha256\` per line (the URL alone when the tag checks no checksum)
--format images  one image reference per line
--format both    the files, an empty line, the images

Exit codes: 0 listed (problems and entries that depend on node facts are
warned about on stderr), 1 Ansible could not template a tag, 2 bad input.
`;

export function register(program: Command): void {
  program
    .command('artifacts')
    .description('every file (URL, sha256) and image the hops of the upgrade download: mirror them before the window')
    .argument('[versions]', 'FROM→TO, as for plan (or use --to)')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--to <version>', 'target: a minor (1.18) or a full version (1.18.10)')
    .option('--tag <tag>', 'the Kubespray tag for the last hop')
    .option('--hop <n>', 'only hop N (as `kspray plan` numbers them)')
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (where the cluster is; default: KUBECONFIG, then the cluster file\'s)')
    .option('--context <name>', 'kubeconfig context')
    .option('--format <list>', `lists ready for mirroring tools: ${FORMATS.join(' | ')}`)
    .option('--json', 'print the artifacts document (JSON) alone on stdout')
    .option(ALLOW_UNREAD_FLAG, ALLOW_UNREAD_HELP, collectOption)
    .addHelpText('after', HELP_AFTER)
    .action(async (versions: string | undefined, options: ArtifactsCommandOptions) => {
      await runArtifactsCommand(versions, options);
    });
}

async function runArtifactsCommand(versions: string | undefined, options: ArtifactsCommandOptions): Promise<void> {
  const format = options.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format ${format} is not a list kspray prints`, `pass --format ${FORMATS.join(', --format ')}`);
  if (format !== undefined && options.json) throw new UsageError('give either --json or --format, not both', '--json prints the whole document; --format one list for a mirroring tool');
  const { parseHopNumber } = await import('./preflight.js');
  const hop = options.hop === undefined ? undefined : parseHopNumber(options.hop);
  const { buildPlanContext } = await import('./plan-input.js');
  const built = await buildPlanContext({ cluster: options.cluster, pair: versions, to: options.to, tag: options.tag, kubeconfig: options.kubeconfig, context: options.context, allowUnread: options.allowUnread }, { waves: false });
  for (const line of built.state.sources) printStderr(`where the cluster is: ${line}`);
  if (built.kind === 'already') {
    if (options.json) printJson({ status: 'already-at', cluster: built.loaded.cluster.name, version: built.version, tag: built.tag ?? null });
    else printStderr(`${built.loaded.cluster.name} already runs ${built.version}: no hop, nothing to download`);
    return;
  }
  const { collectArtifacts, architecturesOf } = await import('../artifacts/collect.js');
  const { selectHops } = await import('../preflight/select-hops.js');
  const { artifactsDocument, filesList, imagesList } = await import('../artifacts/union.js');
  const { cacheDir } = await import('../util/paths.js');
  const plan = built.plan;
  const cluster = built.loaded.cluster;
  const hops = selectHops(plan.hops, hop);
  const collected = await collectArtifacts({ hops, cluster, clusterBaseDir: built.loaded.baseDir, catalog: built.catalog, cacheDir: cacheDir(), log: printStderr });
  const document = artifactsDocument({
    cluster: { name: cluster.name, file: options.cluster },
    from: { version: hops[0]!.fromVersion, tag: hops[0]!.fromTag },
    to: { version: hops.at(-1)!.toVersion },
    architectures: architecturesOf(cluster),
    hops: collected,
  });
  if (options.json) {
    printJson(document);
  } else if (format !== undefined) {
    const lists = [format !== 'images' ? filesList(document) : undefined, format !== 'files' ? imagesList(document) : undefined].filter((list): list is string => list !== undefined);
    const text = lists.join('\n\n');
    if (text.trim() !== '') printStdout(text);
  } else {
    const { formatArtifactsText } = await import('../report/artifacts-text.js');
    printStdout(formatArtifactsText(document));
  }
  if (options.json || format !== undefined) {
    for (const entry of document.hops) {
      for (const problem of entry.problems) printStderr(`warning: hop ${entry.index} (${entry.tag}): ${problem}`);
      for (const left of entry.undetermined) printStderr(`warning: hop ${entry.index} (${entry.tag}): not listed: ${left.name}${left.arch ? ` (${left.arch})` : ''}: its ${left.field} depends on what only a node knows: ${left.expression}`);
    }
  }
}
