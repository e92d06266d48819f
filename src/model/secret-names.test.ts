import { describe, expect, it } from 'vitest';
import { isSecretName, isSecretRef, secretEnvName } from './secret-names.js';

describe('secret names', () => {
  it.each([
    'ansible_become_password', 'ansible_become_pass', 'ansible_ssh_pass', 'ansible_password', 'ansible_sudo_pass', 'vault_password', 'vault_anything',
    'rbd_provisioner_secret', 'kube_encrypt_secret', 'kube_encrypt_token', 'kubeadm_certificate_key', 'external_huaweicloud_secret_key', 'registry_htpasswd', 'kube_vip_bgp_peerpass', 'my_api_token', 'TOKEN',
  ])('%s holds a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    'ansible_ssh_private_key_file', 'kube_token_dir', 'rbd_provisioner_secret_name', 'rbd_provisioner_user_secret_namespace', 'dashboard_token_ttl', 'docker_rh_repo_gpgkey',
    'kube_token_auth', 'kube_webhook_token_auth_url', 'bypass', 'passenger', 'keystone_enabled', 'kube_version',
  ])('%s does not', (name) => expect(isSecretName(name)).toBe(false));

  it('knows a reference from a map that happens to have such a key', () => {
    expect(isSecretRef({ fromEnv: 'X' })).toBe(true);
    expect(isSecretRef({ fromFile: 'k' })).toBe(true);
    expect(isSecretRef({ fromEnv: 'X', other: 1 })).toBe(false);
    expect(isSecretRef({ fromEnv: 1 })).toBe(false);
    expect(isSecretRef(['fromEnv'])).toBe(false);
  });

  it('names the variable import asks for', () => {
    expect(secretEnvName('k1', 'ansible_become_password')).toBe('K1_ANSIBLE_BECOME_PASSWORD');
    expect(secretEnvName('my-cluster', 'x')).toBe('MY_CLUSTER_X');
    expect(secretEnvName('1st', 'x')).toBe('_1ST_X');
  });
});
