/**
 * Runs playbooks/recover-node.yml: `inspect` reads kubelet versions and the
 * node's cordon; `restore` copies the peer's kubelet, restarts it, uncordons
 * when told, then reads the state again. Results come back as one JSON file
 * per host on the controller; what they say is parsed leniently (tools print).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { playbookArgv, runPlaybookArgv } from '../ansible/playbook.js';
import { ownVarsJson } from '../ansible/playbook-argv.js';
import { parseRecapLines } from '../preflight/host-facts.js';
import { tailLines } from '../process/exec.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UsageError, WorkFailedError } from '../util/errors.js';
import { playbooksDir } from '../util/paths.js';
import { redact } from '../util/redact.js';
import { parseKubeletVersion, type HostObservation } from './decide.js';

/** Variables kspray sets itself: an operator's -e may not override them. */
const CONTROL_VARS = new Set([
  'kspray_result_dir', 'kspray_node', 'kspray_inspect_hosts', 'kspray_peer', 'kspray_restore_node', 'kspray_restart', 'kspray_uncordon', 'kspray_uncordon_host',
]);

export interface OperatorExtraVars {
  files: string[];
  vars: Record<string, string>;
}

/** `-e @FILE` and `-e key=value`, as ansible-playbook takes them; refuses kspray's own control variables. */
export function parseExtraVars(values: readonly string[]): OperatorExtraVars {
  const files: string[] = [];
  const vars: Record<string, string> = {};
  for (const value of values) {
    if (value.startsWith('@')) {
      files.push(value.slice(1));
      continue;
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
    if (!match) throw new UsageError(`-e ${value}: expected key=value or @FILE`, 'e.g. -e kspray_kubelet_path=/opt/bin/kubelet or -e @recover-vars.yml');
    vars[match[1]!] = match[2]!;
  }
  const reserved = Object.keys(vars).filter((key) => CONTROL_VARS.has(key));
  if (reserved.length > 0) throw new UsageError(`-e ${reserved.join(', ')}: kspray sets these itself`, 'use --node and --peer instead');
  return { files, vars };
}

export interface RecoverPlaybookOptions {
  mode: 'inspect' | 'restore';
  executable: string;
  inventory: string;
  /** The hop's own extra-vars files (bin_dir and friends), then the operator's. */
  extraVars: OperatorExtraVars;
  hopExtraVarsFiles: readonly string[];
  /** A directory kspray owns for this run. */
  workDir: string;
  node: string;
  inspectHosts: readonly string[];
  uncordonHost: string;
  peer?: string | undefined;
  restart?: boolean;
  uncordon?: boolean;
  /** Hosts whose failure (unreachable) is data, not a failed run: peers while inspecting. */
  tolerate?: (host: string) => boolean;
  forks?: number;
  env: Record<string, string>;
  logFile: string;
}

export interface InspectedHost extends HostObservation {
  /** The node's cordon (only on the node): null when it could not be read. */
  cordoned?: boolean | null;
  cordonError?: string | undefined;
}

export interface RecoverPlaybookResult {
  argv: string[];
  hosts: Record<string, InspectedHost>;
}

interface CommandResult { rc: number; stdout: string; stderr: string }

function commandResult(value: unknown): CommandResult | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  return { rc: typeof raw.rc === 'number' ? raw.rc : -1, stdout: String(raw.stdout ?? ''), stderr: String(raw.stderr ?? '') };
}

/** One host's result file, read leniently. */
export function parseHostResult(raw: unknown): InspectedHost {
  const record = (raw ?? {}) as Record<string, unknown>;
  const kubelet = commandResult(record.kubelet);
  const version = kubelet && kubelet.rc === 0 ? parseKubeletVersion(kubelet.stdout) : undefined;
  const host: InspectedHost = {
    kubeletVersion: version ?? null,
    ...(version ? {} : { kubeletError: kubelet ? firstLine(kubelet.stderr) || `exit ${kubelet.rc}` : 'no result' }),
  };
  if (record.cordoned !== undefined && record.cordoned !== null) {
    const cordon = commandResult(record.cordoned);
    // kubectl prints "true" for a cordoned node and nothing for an uncordoned one.
    if (cordon && cordon.rc === 0) host.cordoned = /^\s*true\s*$/i.test(cordon.stdout);
    else {
      host.cordoned = null;
      host.cordonError = cordon ? firstLine(cordon.stderr) || `exit ${cordon.rc}` : 'no result';
    }
  }
  return host;
}

function firstLine(text: string): string {
  return redact(text.trim().split('\n')[0] ?? '');
}

export async function runRecoverPlaybook(options: RecoverPlaybookOptions): Promise<RecoverPlaybookResult> {
  const hostsDir = join(options.workDir, 'hosts');
  await rm(hostsDir, { recursive: true, force: true });
  await mkdir(hostsDir, { recursive: true, mode: 0o700 });
  const restore = options.mode === 'restore';
  const varsFile = join(options.workDir, `${options.mode}-vars.json`);
  const vars = {
    kspray_result_dir: options.workDir,
    kspray_node: options.node,
    kspray_inspect_hosts: options.inspectHosts.join(','),
    kspray_uncordon_host: options.uncordonHost,
    ...(restore ? {
      ...(options.peer === undefined ? {} : { kspray_peer: options.peer }),
      kspray_restore_node: options.node, kspray_restart: Boolean(options.restart), kspray_uncordon: Boolean(options.uncordon),
    } : {}),
  };
  await writeFileAtomic(varsFile, `${ownVarsJson(vars, 2)}\n`, { mode: 0o600 });
  const argv = playbookArgv({
    executable: options.executable,
    playbook: join(playbooksDir, 'recover-node.yml'),
    inventory: options.inventory,
    become: true,
    ...(options.forks === undefined ? {} : { forks: options.forks }),
    extraVarsFiles: [...options.hopExtraVarsFiles, ...options.extraVars.files, varsFile],
    extraVars: options.extraVars.vars,
  });
  try {
    const result = await runPlaybookArgv(argv, { env: options.env, logFile: options.logFile });
    const hosts: Record<string, InspectedHost> = {};
    for (const name of (await readdir(hostsDir)).filter((file) => file.endsWith('.json'))) {
      hosts[name.slice(0, -'.json'.length)] = parseHostResult(JSON.parse(await readFile(join(hostsDir, name), 'utf8')));
    }
    const recap = parseRecapLines(result.stdout);
    const failing = [...recap].filter(([, counts]) => counts.failed > 0 || counts.unreachable > 0).map(([host]) => host);
    const fatal = failing.filter((host) => !options.tolerate?.(host));
    for (const host of failing) if (!(host in hosts)) hosts[host] = { kubeletVersion: null, kubeletError: 'unreachable or failed' };
    if (fatal.length > 0 || (result.exitCode !== 0 && failing.length === 0)) {
      throw new WorkFailedError(
        `recover-node.yml (${options.mode}) failed${fatal.length > 0 ? ` on ${fatal.join(', ')}` : ` (exit ${result.exitCode})`}: ${redact(tailLines(fatalLines(result.stdout) || result.stderr, 5))}`,
        `full output: ${options.logFile}`,
      );
    }
    const missing = options.inspectHosts.filter((host) => !(host in hosts) && !options.tolerate?.(host));
    if (missing.length > 0) throw new WorkFailedError(`recover-node.yml (${options.mode}) gave no result for ${missing.join(', ')}`, `is the host in the inventory ${options.inventory}? full output: ${options.logFile}`);
    return { argv, hosts };
  } finally {
    // The fetched kubelet is a 100 MB copy of a binary: never keep it.
    await rm(join(options.workDir, 'kubelet'), { force: true });
  }
}

function fatalLines(stdout: string): string {
  return stdout.split('\n').filter((line) => /^(fatal|failed):|UNREACHABLE!|ERROR!/.test(line)).join('\n');
}
