/**
 * Which variable names hold secrets: Ansible's connection and become
 * passwords, vault passwords, and Kubespray's `*_password`, `*_secret`,
 * `*_token` and `*_key` variables (rbd_provisioner_secret, kube_encrypt_secret,
 * kubeadm_certificate_key, …). A name, never a value, decides: kspray must
 * know a value is secret before it prints or writes it anywhere.
 */
import type { SecretRef } from './schema.js';

/** Ansible's own names (ansible_ssh_pass, ansible_become_pass, …) end in `pass`; the rest end in one of these words. */
const SECRET_NAME = /(?:^|_)(?:pass|passwd|password|passphrase|peerpass|htpasswd|secret|token|key|credentials?)$/i;
/** Names that end like a secret but hold a place or a switch, not the secret itself. */
const NOT_SECRET = /_(?:file|path|dir|name|names|namespace|ttl|url|id|enabled)$/i;

export function isSecretName(name: string): boolean {
  return (SECRET_NAME.test(name) && !NOT_SECRET.test(name)) || /^vault_/i.test(name);
}

/** A boolean, a number or null under a secret-looking name (kube_token_auth: true) is a setting, not a secret. */
export function isPlainSwitch(value: unknown): boolean {
  return typeof value === 'boolean' || typeof value === 'number' || value === null;
}

/** `{ fromEnv: VAR }` or `{ fromFile: path }` and nothing else: how a secret is written wherever a value may be one. */
export function isSecretRef(value: unknown): value is SecretRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const [key] = keys;
  return (key === 'fromEnv' || key === 'fromFile') && typeof (value as Record<string, unknown>)[key] === 'string';
}

/** The environment variable import asks the operator to set for a secret variable: `<CLUSTER>_<VARIABLE>`. */
export function secretEnvName(cluster: string, variable: string): string {
  return `${cluster}_${variable}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^(\d)/, '_$1');
}
