/**
 * `kspray catalog list | show TAG | refresh --repo URL|PATH`. The table and
 * the summary are the product of list/show, so they go to stdout; progress
 * and the refresh summary go to stderr.
 */
import type { Command } from 'commander';
import { printJson, printStderr, printStdout } from './output.js';

export function register(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('the Kubespray catalog: tags, default and supported Kubernetes versions, Ansible, group names');

  catalog
    .command('list')
    .description('one row per Kubespray line: latest tag, default Kubernetes, supported minors, Ansible pin and range')
    .option('--json', 'print the rows as one JSON document')
    .action(async (options: { json?: boolean }) => {
      const { loadCatalog } = await import('../catalog/load.js');
      const { lineSummaries, renderLineTable, sourceNote } = await import('../catalog/present.js');
      const loaded = loadCatalog();
      const rows = lineSummaries(loaded);
      if (options.json) printJson({ source: loaded.source, lines: rows });
      else printStdout(renderLineTable(rows));
      printStderr(sourceNote(loaded));
    });

  catalog
    .command('show')
    .description('what kspray knows about one Kubespray tag')
    .argument('<tag>', 'Kubespray tag, e.g. v2.13.4')
    .option('--json', 'print the catalog record')
    .action(async (tag: string, options: { json?: boolean }) => {
      const { loadCatalog } = await import('../catalog/load.js');
      const { renderTagSummary } = await import('../catalog/present.js');
      const loaded = loadCatalog();
      const record = loaded.requireTag(tag);
      if (options.json) printJson(record);
      else printStdout(renderTagSummary(loaded, record.tag));
    });

  catalog
    .command('refresh')
    .description('rebuild the catalog from a Kubespray git repository (URL or local clone) into the cache')
    .requiredOption('--repo <url-or-path>', 'Kubespray git URL or git bundle file (mirrored into the cache), or a local clone (read in place)')
    .action(async (options: { repo: string }) => {
      const { loadCatalogOrBundled } = await import('../catalog/load.js');
      const { refreshKubespray, writeRefreshedCatalog, writeRefreshedVariables, diffCatalogs, displayRepo } = await import('../catalog/refresh.js');
      const { renderRefreshSummary } = await import('../catalog/present.js');
      // A damaged refreshed catalog is what a refresh repairs: compare with the bundled one then.
      const before = loadCatalogOrBundled().tags();
      printStderr(`reading Kubespray tags from ${displayRepo(options.repo)} …`);
      const { catalog: document, variables } = await refreshKubespray({
        repo: options.repo,
        onTag: (tag, done, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r  ${done}/${total} ${tag}   `);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const path = await writeRefreshedCatalog(document);
      const variablesPath = await writeRefreshedVariables(variables);
      printStderr(renderRefreshSummary(document, diffCatalogs(before, document.tags), path));
      printStderr(`variable facts of ${variables.tags.length} tag(s): ${variablesPath}`);
    });
}
