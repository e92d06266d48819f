/**
 * Which kubeconfig kspray reads the cluster with. The order is the operator's
 * intent, most explicit first: --kubeconfig, then KUBECONFIG, then the cluster
 * file's access.kubeconfig, then the admin.conf Kubespray copies beside the
 * inventory when kubeconfig_localhost is on. ~/.kube/config is deliberately
 * not a fallback: reading whatever cluster it points at and calling it this
 * one is how an upgrade preflight passes for the wrong cluster.
 */
import { existsSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type KubeResult, fail, ok } from './result.js';
import type { KubeAccess } from './types.js';

export interface KubeconfigSources {
  /** --kubeconfig */
  flag?: string | undefined;
  /** --context */
  flagContext?: string | undefined;
  /** The KUBECONFIG environment variable (one or more paths). */
  env?: string | undefined;
  /** access.kubeconfig from the cluster file; relative to the cluster file. */
  model?: string | undefined;
  /** access.context from the cluster file. */
  modelContext?: string | undefined;
  /** Path of the cluster file (anchors relative paths and the artifacts fallback). */
  clusterFile?: string | undefined;
  /** The cluster's name: inventories/<name>/artifacts/admin.conf. */
  clusterName?: string | undefined;
}

export type KubeconfigSource = 'flag' | 'env' | 'model' | 'artifacts';

export interface ResolvedKubeconfig extends KubeAccess {
  source: KubeconfigSource;
}

/** The places Kubespray's admin.conf may sit, relative to the cluster file. */
export function artifactCandidates(clusterFile: string, clusterName: string | undefined): string[] {
  const base = dirname(resolve(clusterFile));
  // A cluster file kept inside its own inventory directory (inventories/k1/cluster.yaml): only its artifacts/.
  const insideInventory = clusterName !== undefined && basename(base) === clusterName && basename(dirname(base)) === 'inventories';
  const candidates = clusterName && !insideInventory ? [join(base, 'inventories', clusterName, 'artifacts', 'admin.conf')] : [];
  candidates.push(join(base, 'artifacts', 'admin.conf'));
  return candidates;
}

export function resolveKubeconfig(sources: KubeconfigSources, exists: (path: string) => boolean = existsSync): KubeResult<ResolvedKubeconfig> {
  const context = sources.flagContext ?? sources.modelContext;
  const withContext = (paths: string[], source: KubeconfigSource): KubeResult<ResolvedKubeconfig> =>
    ok({ kubeconfigPaths: paths, source, ...(context === undefined ? {} : { context }) });
  const missing = (path: string, from: string) =>
    fail<ResolvedKubeconfig>({ kind: 'kubeconfig', cause: 'missing', server: undefined, message: `kubeconfig ${path} (from ${from}) does not exist` });

  if (sources.flag) {
    const path = resolve(sources.flag);
    return exists(path) ? withContext([path], 'flag') : missing(path, '--kubeconfig');
  }
  const envPaths = (sources.env ?? '').split(delimiter).filter((p) => p.trim() !== '').map((p) => resolve(p));
  if (envPaths.length > 0) {
    // kubectl skips KUBECONFIG entries that do not exist; so do we, unless none does.
    const present = envPaths.filter((p) => exists(p));
    return present.length > 0 ? withContext(present, 'env') : missing(envPaths.join(delimiter), 'KUBECONFIG');
  }
  if (sources.model) {
    const anchor = sources.clusterFile ? dirname(resolve(sources.clusterFile)) : process.cwd();
    const path = isAbsolute(sources.model) ? sources.model : resolve(anchor, sources.model);
    return exists(path) ? withContext([path], 'model') : missing(path, 'access.kubeconfig in the cluster file');
  }
  const candidates = sources.clusterFile ? artifactCandidates(sources.clusterFile, sources.clusterName) : [];
  const found = candidates.find((p) => exists(p));
  if (found) return withContext([found], 'artifacts');
  return fail({
    kind: 'kubeconfig',
    cause: 'missing',
    server: undefined,
    message: candidates.length > 0 ? `no kubeconfig: none given and no admin.conf at ${candidates.join(' or ')}` : 'no kubeconfig given',
    hint: 'pass --kubeconfig PATH, set KUBECONFIG, set access.kubeconfig in the cluster file, or let Kubespray copy admin.conf (access.kubeconfigLocalhost: true)',
  });
}

/**
 * What is wrong with a kubeconfig's text before @kubernetes/client-node reads
 * it (its own errors name no file, and an empty file fails with a TypeError):
 * a YAML error as FILE:LINE:COL, or a document that is not a mapping.
 */
export function kubeconfigTextProblem(text: string, file: string): string | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return `${file}:${pos.line}:${pos.col}: the kubeconfig is not valid YAML: ${error.message.split('\n')[0]}`;
  }
  let value: unknown;
  try {
    // An alias bomb or an alias to no anchor: the yaml package refuses to expand it (maxAliasCount), and says why.
    value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (caught) {
    return `${file}: the kubeconfig is not valid YAML: ${(caught as Error).message.split('\n')[0]}`;
  }
  if (value === null || value === undefined) return `${file}: the kubeconfig is empty`;
  if (typeof value !== 'object' || Array.isArray(value)) return `${file}: not a kubeconfig (expected a mapping with clusters, users and contexts)`;
  return undefined;
}
