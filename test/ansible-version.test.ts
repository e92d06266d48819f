import { describe, expect, it } from 'vitest';
import semver from 'semver';
import { detectAnsible, parseAnsibleVersion } from '../src/ansible/version.js';

const ANSIBLE_27 = `ansible-playbook 2.7.18
  config file = /home/ops/kubespray/ansible.cfg
  configured module search path = [u'/home/ops/kubespray/library']
  ansible python module location = /usr/lib/python2.7/dist-packages/ansible
  executable location = /usr/bin/ansible-playbook
  python version = 2.7.17 (default, Nov  7 2019, 10:07:09) [GCC 7.4.0]
`;

const ANSIBLE_29 = `ansible-playbook 2.9.6
  config file = None
  configured module search path = ['/root/.ansible/plugins/modules', '/usr/share/ansible/plugins/modules']
  ansible python module location = /usr/lib/python3/dist-packages/ansible
  executable location = /usr/bin/ansible-playbook
  python version = 3.8.10 (default, Nov 22 2023, 10:22:35) [GCC 9.4.0]
`;

const ANSIBLE_BASE_210 = `ansible-playbook 2.10.17
  config file = /etc/ansible/ansible.cfg
  python version = 3.9.2 (default, Feb 28 2021, 17:03:44) [GCC 10.2.1 20210110]
`;

const CORE_214 = `ansible-playbook [core 2.14.18]
  config file = None
  configured module search path = ['/root/.ansible/plugins/modules', '/usr/share/ansible/plugins/modules']
  ansible python module location = /usr/lib/python3/dist-packages/ansible
  ansible collection location = /root/.ansible/collections:/usr/share/ansible/collections
  executable location = /usr/bin/ansible-playbook
  python version = 3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0] (/usr/bin/python3)
  jinja version = 3.1.2
  libyaml = True
`;

const CORE_217_RC = `ansible-playbook [core 2.17.0rc1]
  config file = /srv/kubespray/ansible.cfg
  python version = 3.12.3 (main, Apr 10 2024, 05:33:47) [GCC 13.2.0] (/srv/venvs/kubespray-2.26/bin/python3)
`;

describe('parseAnsibleVersion', () => {
  it.each([
    ['2.7 (Python 2)', ANSIBLE_27, { kind: 'classic', version: '2.7.18', pythonVersion: '2.7.17', configFile: '/home/ops/kubespray/ansible.cfg' }],
    ['2.9', ANSIBLE_29, { kind: 'classic', version: '2.9.6', pythonVersion: '3.8.10' }],
    ['ansible-base 2.10', ANSIBLE_BASE_210, { kind: 'classic', version: '2.10.17', pythonVersion: '3.9.2' }],
    ['core 2.14', CORE_214, { kind: 'core', version: '2.14.18', pythonVersion: '3.11.2', pythonExecutable: '/usr/bin/python3' }],
    ['core 2.17 rc', CORE_217_RC, { kind: 'core', version: '2.17.0rc1', pythonExecutable: '/srv/venvs/kubespray-2.26/bin/python3' }],
  ])('reads %s', (_what, text, expected) => {
    expect(parseAnsibleVersion(text)).toMatchObject({ executable: 'ansible-playbook', ...expected });
  });

  it('maps "config file = None" to no config file, and a Python 2 line to no interpreter path', () => {
    const install = parseAnsibleVersion(ANSIBLE_29);

    expect(install?.configFile).toBeUndefined();
    expect(parseAnsibleVersion(ANSIBLE_27)?.pythonExecutable).toBeUndefined();
  });

  it('returns undefined for output that names no version', () => {
    expect(parseAnsibleVersion('bash: ansible-playbook: command not found\n')).toBeUndefined();
    expect(parseAnsibleVersion('')).toBeUndefined();
  });

  it('gives versions semver can order', () => {
    const versions = [CORE_214, ANSIBLE_27, CORE_217_RC, ANSIBLE_29].map((text) => semver.coerce(parseAnsibleVersion(text)!.version)!.version);

    expect(semver.sort(versions)).toEqual(['2.7.18', '2.9.6', '2.14.18', '2.17.0']);
  });
});

describe('detectAnsible', () => {
  it('reads the installed ansible-playbook', async () => {
    const install = await detectAnsible();

    expect(install.kind).toBe('core');
    expect(semver.valid(semver.coerce(install.version))).not.toBeNull();
    expect(install.pythonVersion).toMatch(/^3\./);
  });

  it('throws the chokepoint error for a missing executable', async () => {
    await expect(detectAnsible('/nonexistent/ansible-playbook')).rejects.toMatchObject({ name: 'ExecError', notFound: true });
  });
});
