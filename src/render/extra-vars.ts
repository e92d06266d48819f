/**
 * The extra-vars files for one Kubespray tag: the operator's settings under
 * that tag's variable names. Secrets go to a separate file (mode 0600, never
 * committed), so the main file can live in git and be diffed: the typed
 * secrets, extraVars written as { fromEnv } / { fromFile }, and any extraVars
 * value under a secret-looking name (validate warns about those).
 *
 * Both files are YAML as Ansible reads it (1.1, PyYAML's types): strings
 * PyYAML would read as something else are quoted, and text holding a Jinja
 * delimiter is written `!unsafe` (ansible/ansible-yaml.ts).
 */
import type { Cluster, SecretRef } from '../model/schema.js';
import { stringifyForAnsible } from '../ansible/ansible-yaml.js';
import { isPlainSwitch, isSecretName, isSecretRef } from '../model/secret-names.js';
import { registerSecret } from '../util/redact.js';
import { isSecretValue, mapTypedVars, type VarValue } from '../vars/render.js';
import { RUN_VARS } from '../vars/table.js';
import { formatKubeVersion, type RenderTarget } from './target.js';

export interface RenderedExtraVars {
  /** The settings without secrets (safe to commit). */
  vars: string;
  /** The secret settings, or undefined when the cluster has none. */
  secrets: string | undefined;
  /** Variable names in the order written, and the field each came from (for vars-drift). */
  names: Array<{ name: string; source: string }>;
}

export type SecretResolver = (ref: SecretRef) => string;

export interface ExtraVarsOptions {
  /** kube_version to write; default the cluster's current version. */
  kubeVersion?: string;
  /**
   * Where Kubespray copies admin.conf and kubectl (kubeconfig_localhost): by default
   * beside its inventory, which for kspray is a per-tag workspace; apply points it at
   * the cluster file's own artifacts/ so the next plan and preflight find the kubeconfig.
   */
  artifactsDir?: string;
}

export function renderExtraVars(cluster: Cluster, target: RenderTarget, resolveSecret: SecretResolver, options: ExtraVarsOptions = {}): RenderedExtraVars {
  const kubeVersion = formatKubeVersion(target, options.kubeVersion ?? cluster.kubernetes.version);
  const mapped = mapTypedVars(cluster, target.tag, kubeVersion);
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const entry of mapped) {
    if (isSecretValue(entry.value)) secret[entry.name] = resolveSecret(entry.value.secret);
    else plain[entry.name] = entry.value;
  }
  if (options.artifactsDir !== undefined) plain[RUN_VARS.artifactsDir] = options.artifactsDir;
  for (const [key, value] of Object.entries(cluster.extraVars ?? {})) {
    if (isSecretRef(value)) {
      secret[key] = resolveSecret(value);
    } else if (isSecretName(key) && !isPlainSwitch(value)) {
      // What validate promises for a secret-looking name: a list or map of credentials too.
      registerStrings(value);
      secret[key] = value;
    } else {
      plain[key] = value;
    }
  }
  const header = `# Rendered by kspray for Kubespray ${target.tag} from cluster ${cluster.name}.\n# Do not edit: change the cluster file and run \`kspray render\`.\n`;
  const names = [
    ...mapped.map((entry) => ({ name: entry.name, source: entry.source })),
    ...Object.keys(cluster.extraVars ?? {}).map((name) => ({ name, source: `extraVars.${name}` })),
  ];
  return {
    vars: header + toYaml(plain),
    secrets: Object.keys(secret).length > 0 ? `# Secrets for cluster ${cluster.name}: never commit this file.\n${toYaml(secret)}` : undefined,
    names,
  };
}

/** Every string of a value written in clear under a secret name is masked in what kspray prints. */
function registerStrings(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (Array.isArray(value)) value.forEach(registerStrings);
  else if (value !== null && typeof value === 'object') Object.values(value).forEach(registerStrings);
}

function toYaml(value: Record<string, unknown | VarValue>): string {
  return stringifyForAnsible(value);
}
