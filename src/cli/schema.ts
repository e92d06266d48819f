import type { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { printJson } from './output.js';

/** Every document kspray reads or writes, and where its JSON Schema is published (schema/<name>.schema.json). */
const DOCUMENTS: Record<string, { what: string; load: () => Promise<Record<string, unknown>> }> = {
  cluster: { what: 'the cluster file', load: async () => (await import('../model/json-schema.js')).clusterJsonSchema() },
  plan: { what: 'a plan (plan --json, plan --output, apply --plan)', load: async () => (await import('../plan/plan-schema.js')).planJsonSchema() },
  preflight: { what: 'the preflight report (preflight --json)', load: async () => (await import('../preflight/report-schema.js')).preflightJsonSchema() },
  status: { what: 'the status (status --json)', load: async () => (await import('../journal/status.js')).statusJsonSchema() },
  report: { what: 'the run report (apply --report)', load: async () => (await import('../report/run-report.js')).runReportJsonSchema() },
  events: { what: 'one line of apply --events FILE', load: async () => (await import('../apply/events-schema.js')).eventsJsonSchema() },
  artifacts: { what: 'the artifacts of a plan (artifacts --json)', load: async () => (await import('../artifacts/artifacts-schema.js')).artifactsJsonSchema() },
};

export function register(program: Command): void {
  program
    .command('schema')
    .description(`print a JSON Schema: ${Object.entries(DOCUMENTS).map(([name, doc]) => `${name} (${doc.what})`).join(', ')}; schema/<name>.schema.json holds each`)
    .argument('[document]', Object.keys(DOCUMENTS).join(' | '), 'cluster')
    .action(async (document: string) => {
      const entry = DOCUMENTS[document];
      if (!entry) throw new UsageError(`no schema for ${JSON.stringify(document)}`, `kspray schema ${Object.keys(DOCUMENTS).join('|')}`);
      printJson(await entry.load());
    });
}
