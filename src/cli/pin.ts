import type { Command } from 'commander';
import { printStderr } from './output.js';

export function register(program: Command): void {
  program
    .command('pin')
    .description('pin Kubespray tags (and their commits) per line in kspray.lock.yaml beside the cluster file')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .requiredOption('--tag <tag...>', 'tags to pin, e.g. --tag v2.13.2 v2.14.2')
    .action(async (options: { cluster: string; tag: string[] }) => {
      const { existsSync, readFileSync } = await import('node:fs');
      const { dirname, join } = await import('node:path');
      const { loadCatalog } = await import('../catalog/load.js');
      const { LOCK_FILE_NAME, parseLockFile, pinTags, serializeLockFile } = await import('../plan/lock-file.js');
      const { writeFileAtomic } = await import('../util/atomic-write.js');
      const { resolve } = await import('node:path');
      const { statSync } = await import('node:fs');
      const { UsageError } = await import('../util/errors.js');
      // The lock file belongs beside a cluster file: without one, it would pin nothing anyone reads.
      const isFile = (() => {
        try {
          return statSync(options.cluster).isFile();
        } catch {
          return false;
        }
      })();
      if (!isFile) {
        throw new UsageError(`-c ${options.cluster}: no such cluster file`, 'pass the cluster file whose Kubespray tags to pin; kspray.lock.yaml is written beside it');
      }
      const path = join(dirname(resolve(options.cluster)), LOCK_FILE_NAME);
      const catalog = loadCatalog();
      const current = existsSync(path) ? parseLockFile(readFileSync(path, 'utf8'), path) : undefined;
      const next = pinTags(current, catalog, options.tag);
      const { writeError } = await import('../util/fs-errors.js');
      await writeFileAtomic(path, serializeLockFile(next)).catch((error: unknown) => {
        throw writeError(path, error, 'kspray.lock.yaml lives beside the cluster file: make that directory writable, or remove what is in the way');
      });
      for (const [line, entry] of Object.entries(next.lines)) printStderr(`${line}: ${entry.tag} ${entry.sha.slice(0, 12)}`);
      printStderr(`wrote ${path}`);
    });
}
