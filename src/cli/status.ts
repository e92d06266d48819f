import type { Command } from 'commander';
import { printJson, printStdout } from './output.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('where the last apply of a cluster stands: steps done, a failure, an interruption, where the next run resumes')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--json', 'print the status as one JSON document')
    .action(async (options: { cluster: string; json?: boolean }) => {
      const { loadClusterOrFail } = await import('./load-cluster.js');
      const { loadJournal } = await import('../journal/journal.js');
      const { inspectLock } = await import('../journal/lock.js');
      const { summarizeStatus, formatStatus, noRunStatus, statusExitCode } = await import('../journal/status.js');
      const loaded = await loadClusterOrFail(options.cluster);
      const journal = await loadJournal(loaded.baseDir, loaded.cluster.name);
      const fileSays = { version: loaded.cluster.kubernetes.version, tag: loaded.cluster.kubespray.tag };
      if (!journal) {
        if (options.json) printJson(noRunStatus(loaded.cluster.name, fileSays));
        else printStdout(`${loaded.cluster.name}: no apply has run yet (journal: none); the cluster file says Kubernetes ${fileSays.version}, Kubespray ${fileSays.tag ?? '(not set)'}`);
        return;
      }
      const summary = summarizeStatus(journal, undefined, { lock: await inspectLock(loaded.baseDir, loaded.cluster.name), clusterFile: fileSays });
      if (options.json) printJson(summary);
      else printStdout(formatStatus(summary));
      process.exitCode = statusExitCode(summary);
    });
}
