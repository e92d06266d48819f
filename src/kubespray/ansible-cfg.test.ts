import { parse } from 'ini';
import { describe, expect, it } from 'vitest';
import { renderAnsibleCfg } from './ansible-cfg.js';

// Kubespray's ansible.cfg as shipped at the repo root (v2.16–v2.2x), verbatim.
const KUBESPRAY_CFG = `[ssh_connection]
pipelining=True
ssh_args = -o ControlMaster=auto -o ControlPersist=30m -o ConnectionAttempts=100 -o UserKnownHostsFile=/dev/null
#control_path = ~/.ssh/ansible-%%r@%%h:%%p
[defaults]
# https://github.com/ansible/ansible/issues/56930 (to ignore group names with - and .)
force_valid_group_names = ignore

host_key_checking=False
gathering = smart
fact_caching = jsonfile
fact_caching_connection = /tmp
fact_caching_timeout = 7200
stdout_callback = default
display_skipped_hosts = no
library = ./library
callbacks_enabled = profile_tasks,ara_default
roles_path = roles:$VIRTUAL_ENV/usr/local/share/kubespray/roles:$VIRTUAL_ENV/usr/local/share/ansible/roles:/usr/share/kubespray/roles
deprecation_warnings=False
inventory_ignore_extensions = ~, .orig, .bak, .ini, .cfg, .retry, .pyc, .pyo, .creds, .gpg
[inventory]
ignore_patterns = artifacts, credentials
`;

const base = { kubesprayDir: '/cache/kubespray/worktrees/v2.16.0', factCache: '/clusters/k1/.kspray/facts' };

describe('renderAnsibleCfg', () => {
  it('keeps every setting of the tag and sets kspray fact caching', () => {
    // Arrange / act
    const text = renderAnsibleCfg({ ...base, kubesprayCfgText: KUBESPRAY_CFG });
    const cfg = parse(text);

    // Assert
    expect(cfg.ssh_connection).toEqual({
      pipelining: 'True',
      ssh_args: '-o ControlMaster=auto -o ControlPersist=30m -o ConnectionAttempts=100 -o UserKnownHostsFile=/dev/null',
    });
    expect(cfg.inventory).toEqual({ ignore_patterns: 'artifacts, credentials' });
    expect(cfg.defaults).toMatchObject({
      force_valid_group_names: 'ignore',
      host_key_checking: 'False',
      stdout_callback: 'default',
      display_skipped_hosts: 'no',
      callbacks_enabled: 'profile_tasks,ara_default',
      deprecation_warnings: 'False',
      gathering: 'smart',
      fact_caching: 'jsonfile',
      fact_caching_connection: '/clusters/k1/.kspray/facts',
      fact_caching_timeout: '86400',
    });
    // ini stops at `#`, so the extension list is compared on the raw line.
    expect(text).toContain('\ninventory_ignore_extensions = ~, .orig, .bak, .ini, .cfg, .retry, .pyc, .pyo, .creds, .gpg\n');
    expect(text).toContain('\n#control_path = ~/.ssh/ansible-%%r@%%h:%%p\n');
  });

  it('makes relative role and library paths absolute against the checkout, leaving $VAR, ~ and absolute entries', () => {
    const cfg = parse(renderAnsibleCfg({ ...base, kubesprayCfgText: KUBESPRAY_CFG }));

    expect(cfg.defaults.library).toBe('/cache/kubespray/worktrees/v2.16.0/library');
    expect(cfg.defaults.roles_path).toBe(
      '/cache/kubespray/worktrees/v2.16.0/roles:$VIRTUAL_ENV/usr/local/share/kubespray/roles:$VIRTUAL_ENV/usr/local/share/ansible/roles:/usr/share/kubespray/roles',
    );
  });

  it('handles every pathspec key, `key: value` lines, mixed case and inline comments', () => {
    const text = renderAnsibleCfg({
      ...base,
      kubesprayCfgText: '[defaults]\nROLES_PATH: roles ; comment\ncallback_plugins = plugins/callback:~/x\nfilter_plugins = ../shared/filters\ncollections_path = ./collections::/abs\nvars_plugins = $HOME/vp\ninventory = ./inventory.ini\n',
    });

    expect(text).toContain('\nROLES_PATH = /cache/kubespray/worktrees/v2.16.0/roles\n');
    expect(text).toContain('\ncallback_plugins = /cache/kubespray/worktrees/v2.16.0/plugins/callback:~/x\n');
    expect(text).toContain('\nfilter_plugins = /cache/kubespray/worktrees/shared/filters\n');
    expect(text).toContain('\ncollections_path = /cache/kubespray/worktrees/v2.16.0/collections::/abs\n');
    expect(text).toContain('\nvars_plugins = $HOME/vp\n');
    // `inventory` is not a plugin path (and -i overrides it): untouched.
    expect(text).toContain('\ninventory = ./inventory.ini\n');
  });

  it('only rewrites path keys of [defaults]', () => {
    const text = renderAnsibleCfg({ ...base, kubesprayCfgText: '[galaxy]\nroles_path = roles\n[defaults]\nhost_key_checking = False\n' });

    expect(parse(text).galaxy.roles_path).toBe('roles');
  });

  it('writes % verbatim: Ansible reads ansible.cfg values raw, without interpolation', () => {
    const text = renderAnsibleCfg({ kubesprayDir: '/c/100%/k', factCache: '/f/50%', kubesprayCfgText: '[defaults]\nlibrary = library\n' });

    expect(text).toContain('\nlibrary = /c/100%/k/library\n');
    expect(text).toContain('\nfact_caching_connection = /f/50%\n');
  });

  it('adds the fact cache after the last option of [defaults], before the next section', () => {
    const text = renderAnsibleCfg({ ...base, kubesprayCfgText: '[defaults]\nroles_path = /abs/roles\n\n[ssh_connection]\npipelining = True\n' });

    expect(text.split('\n').slice(2)).toEqual([
      '[defaults]',
      'roles_path = /abs/roles',
      'gathering = smart',
      'fact_caching = jsonfile',
      'fact_caching_connection = /clusters/k1/.kspray/facts',
      'fact_caching_timeout = 86400',
      '',
      '[ssh_connection]',
      'pipelining = True',
      '',
    ]);
  });

  it('writes a [defaults] section when the tag has no ansible.cfg', () => {
    const cfg = parse(renderAnsibleCfg({ ...base, kubesprayCfgText: undefined, logPath: '/logs/ansible.log' }));

    expect(cfg).toEqual({
      defaults: {
        gathering: 'smart', fact_caching: 'jsonfile', fact_caching_connection: '/clusters/k1/.kspray/facts',
        fact_caching_timeout: '86400', log_path: '/logs/ansible.log',
      },
    });
  });

  it('appends kspray callback directory to the existing callback_plugins, or to Ansible defaults', () => {
    const withExisting = parse(renderAnsibleCfg({ ...base, kubesprayCfgText: '[defaults]\ncallback_plugins = cb\n', callbackPluginDir: '/kspray/cb' }));
    const without = parse(renderAnsibleCfg({ ...base, kubesprayCfgText: '[defaults]\n', callbackPluginDir: '/kspray/cb' }));

    expect(withExisting.defaults.callback_plugins).toBe('/cache/kubespray/worktrees/v2.16.0/cb:/kspray/cb');
    expect(without.defaults.callback_plugins).toBe('~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback:/kspray/cb');
  });

  it('is byte-stable and idempotent on its own output', () => {
    const input = { ...base, kubesprayCfgText: KUBESPRAY_CFG, callbackPluginDir: '/kspray/cb', logPath: '/l.log' };
    const first = renderAnsibleCfg(input);

    expect(renderAnsibleCfg(input)).toBe(first);
    expect(renderAnsibleCfg({ ...input, kubesprayCfgText: first })).toBe(first);
  });

  it('keeps CRLF files readable and continuation lines with their option', () => {
    const text = renderAnsibleCfg({ ...base, kubesprayCfgText: '[defaults]\r\nssh_extra = a\r\n  b\r\nlibrary = lib\r\n' });

    expect(text).toContain('\nssh_extra = a\n  b\nlibrary = /cache/kubespray/worktrees/v2.16.0/lib\n');
    expect(text).not.toContain('\r');
  });
});
