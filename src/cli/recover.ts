import type { Command } from 'commander';

export interface RecoverCommandOptions {
  cluster: string;
  node: string;
  peer?: string;
  dryRun?: boolean;
  yes?: boolean;
  extraVars: string[];
  kubeconfig?: string;
  context?: string;
  breakLock?: boolean;
}

export function register(program: Command): void {
  program
    .command('recover')
    .description('repair a node a failed upgrade step left behind: previous kubelet from a healthy peer, kubelet restart, uncordon (only if kspray cordoned it)')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .requiredOption('--node <name>', 'the node to recover')
    .option('--peer <name>', 'copy the kubelet from this node (default: a healthy node of the same role still at the old version)')
    .option('--dry-run', 'read the state and print what would be done; change nothing')
    .option('-y, --yes', 'do it without asking')
    .option('-e, --extra-vars <var>', 'variable for playbooks/recover-node.yml: key=value or @FILE (repeatable), e.g. -e kspray_kubelet_path=/opt/bin/kubelet', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--kubeconfig <path>', 'kubeconfig of the cluster (optional: without one, kubectl runs on the first control-plane host)')
    .option('--context <name>', 'kubeconfig context')
    .option('--break-lock', 'take over the lock of a run that died')
    .action(async (options: RecoverCommandOptions) => {
      const { loadClusterOrFail } = await import('./load-cluster.js');
      const { recoverNode } = await import('../recover/recover.js');
      const { printStderr } = await import('./output.js');
      const { UsageError } = await import('../util/errors.js');
      const loaded = await loadClusterOrFail(options.cluster);
      await recoverNode(
        {
          loaded, node: options.node, peer: options.peer, dryRun: Boolean(options.dryRun), extraVars: options.extraVars,
          kubeconfig: options.kubeconfig, context: options.context, breakLock: Boolean(options.breakLock),
        },
        {
          log: printStderr,
          now: () => new Date(),
          confirm: async (question) => {
            if (options.yes) return true;
            if (!process.stdin.isTTY) throw new UsageError('not at a terminal and --yes not given: kspray will not change a node unasked', 'pass --yes, or --dry-run to see what would be done');
            const { createInterface } = await import('node:readline/promises');
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return /^y(es)?$/i.test((await rl.question(question)).trim());
            } finally {
              rl.close();
            }
          },
        },
      );
    });
}
