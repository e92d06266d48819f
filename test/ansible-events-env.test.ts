import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callbackPluginDir, eventsEnv, parseCallbackSettings, readCallbackSettings } from '../src/ansible/events-env.js';

describe('eventsEnv', () => {
  it('enables the callback under both the old and the new variable, and names the events file', () => {
    const env = eventsEnv('/run/k/events.jsonl', {});

    expect(env).toEqual({
      KSPRAY_EVENTS_FILE: '/run/k/events.jsonl',
      PYTHONDONTWRITEBYTECODE: '1',
      ANSIBLE_CALLBACK_PLUGINS: `~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback:${callbackPluginDir}`,
      ANSIBLE_CALLBACK_WHITELIST: 'kspray_events',
      ANSIBLE_CALLBACKS_ENABLED: 'kspray_events',
    });
    expect(callbackPluginDir).toMatch(/playbooks\/callback_plugins$/);
  });

  it('appends to what the environment already had, from either variable, without duplicates', () => {
    const env = eventsEnv('/e', {
      ANSIBLE_CALLBACK_PLUGINS: '/opt/cb:/srv/cb',
      ANSIBLE_CALLBACK_WHITELIST: 'profile_tasks',
      ANSIBLE_CALLBACKS_ENABLED: 'ara_default, profile_tasks,kspray_events',
    });

    expect(env.ANSIBLE_CALLBACK_PLUGINS).toBe(`/opt/cb:/srv/cb:${callbackPluginDir}`);
    expect(env.ANSIBLE_CALLBACKS_ENABLED).toBe('profile_tasks,ara_default,kspray_events');
    expect(env.ANSIBLE_CALLBACK_WHITELIST).toBe(env.ANSIBLE_CALLBACKS_ENABLED);
  });

  it('carries over ansible.cfg settings that the variables would otherwise replace', () => {
    const env = eventsEnv('/e', {}, { callbackPlugins: ['/k/plugins/callback'], enabled: ['profile_tasks'] });

    expect(env.ANSIBLE_CALLBACK_PLUGINS).toBe(`/k/plugins/callback:${callbackPluginDir}`);
    expect(env.ANSIBLE_CALLBACKS_ENABLED).toBe('profile_tasks,kspray_events');
  });
});

describe('parseCallbackSettings', () => {
  it('reads [defaults] in both spellings, resolving relative plugin paths against the file', () => {
    const settings = parseCallbackSettings([
      '[ssh_connection]',
      'callbacks_enabled = not_this_section',
      '[defaults]',
      '# a comment',
      'callback_whitelist = profile_tasks',
      'callbacks_enabled = profile_tasks,ara_default ; inline comment',
      'callback_plugins = ./plugins/callback:~/cb:/abs/cb',
    ].join('\n'), '/srv/kubespray');

    expect(settings).toEqual({ callbackPlugins: ['/srv/kubespray/plugins/callback', '~/cb', '/abs/cb'], enabled: ['profile_tasks', 'ara_default'] });
  });
});

describe('readCallbackSettings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-cfg-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prefers ANSIBLE_CONFIG (a directory too) over ./ansible.cfg', async () => {
    await writeFile(join(dir, 'ansible.cfg'), '[defaults]\ncallbacks_enabled = from_cwd\n');
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf', 'ansible.cfg'), '[defaults]\ncallbacks_enabled = from_env\n');

    expect((await readCallbackSettings(dir, { HOME: dir }))?.enabled).toEqual(['from_cwd']);
    expect((await readCallbackSettings(dir, { HOME: dir, ANSIBLE_CONFIG: join(dir, 'conf') }))?.enabled).toEqual(['from_env']);
  });
});
