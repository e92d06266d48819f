import type { Command } from 'commander';
import { relative } from 'node:path';
import { printStderr } from './output.js';
import { ALLOW_UNREAD_FLAG, ALLOW_UNREAD_HELP, collectOption } from './plan-options.js';

export function register(program: Command): void {
  program
    .command('render')
    .description('write inventories/<name>/inventory.ini and extra-vars/<name>.yml for a Kubespray tag')
    .requiredOption('-c, --cluster <file>', 'cluster file (YAML)')
    .option('--tag <tag>', 'Kubespray tag whose dialect to render (default: the cluster\'s current tag)')
    .option('--out <dir>', 'output directory', '.')
    .option(ALLOW_UNREAD_FLAG, ALLOW_UNREAD_HELP, collectOption)
    .action(async (options: { cluster: string; tag?: string; out: string; allowUnread?: string[] }) => {
      const { loadClusterOrFail } = await import('./load-cluster.js');
      const { loadCatalog } = await import('../catalog/load.js');
      const { currentTag } = await import('../render/default-tag.js');
      const { renderTarget } = await import('../render/target.js');
      const { renderClusterFiles, renderPaths } = await import('../render/render-files.js');
      const { resolveSecret } = await import('../model/secrets.js');
      const { writeFilesAtomic } = await import('../util/atomic-write.js');
      const { writeError } = await import('../util/fs-errors.js');

      const loaded = await loadClusterOrFail(options.cluster, { checkSecrets: true });
      const catalog = loadCatalog();
      const tag = options.tag ? catalog.requireTag(options.tag).tag : currentTag(catalog, loaded.cluster);
      const target = renderTarget(catalog.requireTag(tag));
      // A setting the tag does not read is an error before anything is written.
      const { checkSettingsRead } = await import('../vars/check.js');
      checkSettingsRead(loaded.cluster, [tag], { tableVerified: catalog.source.kind === 'bundled', allowUnread: options.allowUnread });
      const files = renderClusterFiles(loaded.cluster, target, (ref) => resolveSecret(ref, loaded.baseDir), renderPaths(options.out, loaded.cluster.name));
      // All or none: a file that cannot be written leaves every other one as it was.
      await writeFilesAtomic(files).catch((error: unknown) => {
        throw writeError((error as { path?: string }).path ?? options.out, error, `pass --out a directory you can write (it is created if missing); now ${options.out}`);
      });
      for (const file of files) printStderr(`wrote ${relative(process.cwd(), file.path) || file.path}${file.secret ? ' (secrets, mode 0600)' : ''}`);
      printStderr(`rendered ${loaded.cluster.name} for Kubespray ${tag} (${target.dialect} group names)`);
    });
}
