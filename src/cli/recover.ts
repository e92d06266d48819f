import type { Command } from 'commander';

export interface RecoverCommandOptions {
  cluster: string;
  node?: string;
  etcd?: boolean;
  fromLiveDb?: boolean;
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
    .description('repair a node a failed upgrade step left behind (previous kubelet from a healthy peer, kubelet restart, uncordon only if kspray cordoned it); or, with --etcd, print the single-member etcd restore for this cluster')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--node <name>', 'the node to recover')
    .option('--etcd', 'print the procedure that restores etcd to one member from the newest snapshot apply took (else the live db), then adds the others back; nothing is run')
    .option('--from-live-db', 'with --etcd: restore from the first member\'s live database even when a snapshot exists')
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
      if (options.etcd && options.node) throw new UsageError('--etcd and --node repair different things: pass one of them');
      if (!options.etcd && !options.node) throw new UsageError('nothing to recover: pass --node NAME, or --etcd for the etcd restore procedure');
      const loaded = await loadClusterOrFail(options.cluster);
      if (options.etcd) {
        await printEtcdRestore(loaded, Boolean(options.fromLiveDb));
        return;
      }
      const node = options.node!;
      await recoverNode(
        {
          loaded, node, peer: options.peer, dryRun: Boolean(options.dryRun), extraVars: options.extraVars,
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

/** `recover --etcd`: the procedure, filled in from the cluster file and the newest snapshot the journal recorded. */
async function printEtcdRestore(loaded: import('../model/load.js').LoadedCluster, fromLiveDb: boolean): Promise<void> {
  const { loadJournal } = await import('../journal/journal.js');
  const { restoreProcedure } = await import('../recover/etcd-restore.js');
  const { printStdout } = await import('./output.js');
  const journal = await loadJournal(loaded.baseDir, loaded.cluster.name);
  const snapshot = journal?.snapshots.at(-1);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  printStdout(restoreProcedure({ cluster: loaded.cluster, snapshot, fromLiveDb, stamp }));
}
