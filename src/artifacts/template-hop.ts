/**
 * Runs playbooks/artifacts.yml for one hop with real Ansible, in a work
 * directory of its own: an inventory holding one local host in the tag's
 * groups, the tag's sample group_vars beside it (as every hop's inventory
 * has them), the hop's extra-vars (its settings under the tag's names,
 * secrets left out: no download reads one), and the tag's ansible.cfg with
 * paths made absolute. The work directory is removed afterwards, whatever
 * happened; what the playbook printed is returned, with the tag's own word
 * on how it gets kubeadm's images (hop-result.ts turns both into lists).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupNames } from '../catalog/groups.js';
import { playbookArgv, runPlaybookArgv } from '../ansible/playbook.js';
import { ansibleErrorLine } from '../ansible/recap.js';
import { writeAnsibleCfg } from '../kubespray/ansible-cfg.js';
import { refreshGroupVars } from '../kubespray/group-vars.js';
import { tailLines } from '../process/exec.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KsprayError, ExitCode } from '../util/errors.js';
import { playbooksDir } from '../util/paths.js';
import { kubeadmPullOf, type KubeadmPull } from './kubeadm-images.js';
import type { RawResult } from './hop-result.js';

export interface TemplateHopInput {
  tag: string;
  /** The tag's tree: a checkout (src/kubespray/checkout.ts) or an extracted tree. */
  kubesprayDir: string;
  groups: GroupNames;
  /** The hop's extra-vars file text (render/extra-vars.ts), kube_version in the tag's form included. */
  extraVars: string;
  architectures: readonly string[];
  /** A directory kspray owns for this run; created, and removed afterwards. */
  workDir: string;
  ansiblePlaybook?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TemplatedHop {
  raw: RawResult;
  kubeadmPull: KubeadmPull;
}

/** What Ansible reports as each architecture's ansible_architecture (the tags' gvisor, kata and youki URLs use it). */
export const MACHINE_OF: Readonly<Record<string, string>> = { amd64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ppc64le: 'ppc64le' };

const HOST = 'kspray_artifacts';
const DEFAULT_TIMEOUT_MS = 120_000;

export function artifactsInventory(groups: GroupNames): string {
  return [
    '# kspray artifacts: one local host in the groups the download role looks at.',
    `[${groups.controlPlane}]`, HOST,
    `[${groups.etcd}]`, HOST,
    `[${groups.node}]`, HOST,
    `[${groups.calicoRr}]`,
    `[${groups.cluster}:children]`, groups.controlPlane, groups.node,
    '[all:vars]',
    'ansible_connection=local',
    'ansible_python_interpreter="{{ ansible_playbook_python }}"',
    '',
  ].join('\n');
}

/** The tag's defaults role: kubespray_defaults from v2.28.0, kubespray-defaults before (which pulls in download's defaults up to v2.23.x). */
export function defaultsRoleOf(kubesprayDir: string): string {
  return existsSync(join(kubesprayDir, 'roles', 'kubespray_defaults')) ? 'kubespray_defaults' : 'kubespray-defaults';
}

export async function templateHop(input: TemplateHopInput): Promise<TemplatedHop> {
  const { workDir, kubesprayDir } = input;
  const out = join(workDir, 'artifacts.json');
  const template = join(kubesprayDir, 'roles', 'download', 'templates', 'kubeadm-images.yaml.j2');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  try {
    const inventoryDir = join(workDir, 'inventory');
    const inventory = join(inventoryDir, 'hosts.ini');
    await writeFileAtomic(inventory, artifactsInventory(input.groups));
    await refreshGroupVars({ kubesprayDir, inventoryDir });
    const extraVars = join(workDir, 'extra-vars.yml');
    await writeFileAtomic(extraVars, input.extraVars, { mode: 0o600 });
    const ours = join(workDir, 'kspray-vars.json');
    await writeFileAtomic(ours, `${JSON.stringify({
      kspray_defaults_role: defaultsRoleOf(kubesprayDir),
      kspray_architectures: input.architectures,
      kspray_machines: MACHINE_OF,
      kspray_kubeadm_template: existsSync(template) ? template : '',
      kspray_artifacts_out: out,
    })}\n`);
    const ansibleCfg = join(workDir, 'ansible.cfg');
    await writeAnsibleCfg({ path: ansibleCfg, kubesprayDir, factCache: join(workDir, 'facts') });

    const argv = [
      ...playbookArgv({
        executable: input.ansiblePlaybook ?? 'ansible-playbook',
        playbook: join(playbooksDir, 'artifacts.yml'),
        inventory,
        extraVarsFiles: [extraVars, ours],
      }),
      // Only kspray's two tasks run: every task of the tag's roles is left out, `always` ones included.
      '--tags', 'kspray_artifacts', '--skip-tags', 'always',
    ];
    const result = await runPlaybookArgv(argv, {
      cwd: kubesprayDir,
      env: {
        ANSIBLE_CONFIG: ansibleCfg,
        ANSIBLE_ROLES_PATH: join(kubesprayDir, 'roles'),
        // An expression reading what only a node knows stays as it is, instead of failing the whole dict.
        ANSIBLE_ERROR_ON_UNDEFINED_VARS: 'False',
        ANSIBLE_STDOUT_CALLBACK: 'default',
        ANSIBLE_LOCALHOST_WARNING: 'False',
        ANSIBLE_DEPRECATION_WARNINGS: 'False',
      },
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (result.exitCode !== 0 || !existsSync(out)) {
      const detail = ansibleErrorLine(`${result.stdout}\n${result.stderr}`) ?? (/fatal: .*$/m.exec(result.stdout)?.[0] ?? tailLines(`${result.stdout}\n${result.stderr}`, 5));
      throw new KsprayError(`could not template the downloads of Kubespray ${input.tag} with Ansible (exit ${result.exitCode}): ${detail}`, {
        exitCode: ExitCode.failed,
        hint: `run \`${argv.join(' ')}\` in ${kubesprayDir} to see it all (kspray removed its work directory ${workDir})`,
      });
    }
    const raw = JSON.parse(await readFile(out, 'utf8')) as RawResult;
    return { raw, kubeadmPull: kubeadmPullOf(await downloadTasks(kubesprayDir)) };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The text of every task file of the tag's download role (kubeadmPullOf finds the one that lists kubeadm's images). */
async function downloadTasks(kubesprayDir: string): Promise<string[]> {
  const dir = join(kubesprayDir, 'roles', 'download', 'tasks');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}
