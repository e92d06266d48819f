import { describe, expect, it } from 'vitest';
import { KsprayError } from '../util/errors.js';
import { ownVarsJson, playbookArgv } from './playbook-argv.js';

describe('ownVarsJson', () => {
  it('writes kspray\'s variables as JSON, indented when asked', () => {
    expect(ownVarsJson({ kspray_hosts: 'kube_control_plane', serial: [1, 5] })).toBe('{"kspray_hosts":"kube_control_plane","serial":[1,5]}');
    expect(ownVarsJson({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });

  it.each([
    ['a string', { kspray_result_dir: '/srv/{{ lookup("pipe", "id") }}/work' }, 'kspray_result_dir'],
    ['a list item', { kspray_cache_paths: ['/root/.kube/http-cache', '/tmp/{% if 1 %}x{% endif %}'] }, 'kspray_cache_paths'],
    ['a nested value', { kspray_x: { deep: ['{# comment #}'] } }, 'kspray_x'],
  ])('refuses Jinja text in %s (JSON has no !unsafe), exit 2, naming the variable', (_, vars, name) => {
    const error = (() => { try { ownVarsJson(vars); } catch (caught) { return caught; } return undefined; })();
    expect(error).toBeInstanceOf(KsprayError);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toMatch(new RegExp(`^kspray would pass ${name}=.* to Ansible, and it holds a Jinja delimiter`));
  });

  it('is the door of playbookArgv\'s own variables', () => {
    expect(playbookArgv({ playbook: 'p.yml', inventory: 'i.ini', ownVars: { serial: [1, 2] } })).toEqual(['ansible-playbook', '-i', 'i.ini', '-e', '{"serial":[1,2]}', 'p.yml']);
    expect(() => playbookArgv({ playbook: 'p.yml', inventory: 'i.ini', ownVars: { kspray_result_dir: '/a/{{x}}' } })).toThrow(/Jinja delimiter/);
  });
});
