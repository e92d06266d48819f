/**
 * Gathering facts on the hosts: runs one of kspray's own playbooks
 * (preflight-etcd.yml, preflight-caches.yml, preflight-kubeadm.yml,
 * cleanup-caches.yml) against the cluster's inventory and reads the result
 * files it leaves on the controller, one per host. The checks that read those
 * facts are pure and live beside this module.
 *
 * Variables go to the playbook as a JSON extra-vars file (lists and booleans
 * keep their types, which `-e key=value` would not), after the operator's
 * own extra-vars files so that kspray's win.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { playbookArgv, runPlaybookArgv } from '../ansible/playbook.js';
import { ownVarsJson } from '../ansible/playbook-argv.js';
import { ExecError, tailLines } from '../process/exec.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { playbooksDir } from '../util/paths.js';
import { redact } from '../util/redact.js';

export interface GatherHostFactsOptions {
  /** The rendered inventory of the cluster. */
  inventory: string;
  /** The operator's extra-vars files, in order (`-e @FILE`). */
  extraVarsFiles?: readonly string[];
  /** Host pattern the playbook runs on, e.g. `etcd[0]` or `kube-master` (dialect-dependent). */
  hosts: string;
  /** A playbook of kspray's (file name under playbooks/) or a path. */
  playbook: string;
  /** Playbook variables (kspray_*); kspray_hosts and kspray_result_dir are set from the options. */
  vars?: Readonly<Record<string, unknown>>;
  /** Directory kspray owns for this gathering: the vars file and one result file per host. Emptied first. */
  resultDir: string;
  /** ansible-playbook executable (PATH name or a venv's). */
  ansiblePlaybook?: string;
  /** Run with become (-b), as Kubespray does; default true. */
  become?: boolean;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  logFile?: string;
}

interface Common {
  argv: string[];
  exitCode: number;
}

export type HostFactsResult =
  /** Every targeted host answered: its raw result file, parsed as JSON, by host. */
  | (Common & { kind: 'ok'; byHost: Record<string, unknown> })
  /** Some hosts could not be reached; the others' results are in byHost. */
  | (Common & { kind: 'unreachable'; unreachable: string[]; byHost: Record<string, unknown>; message: string })
  /** The run failed otherwise (syntax, bad pattern, no host matched, a host failed): what, and the stderr tail. */
  | (Common & { kind: 'error'; message: string; stderrTail: string; byHost: Record<string, unknown> });

/** `host : ok=1 changed=0 unreachable=1 failed=0 ...` lines of the play recap. */
export function parseRecapLines(stdout: string): Map<string, { unreachable: number; failed: number }> {
  const hosts = new Map<string, { unreachable: number; failed: number }>();
  for (const m of stdout.matchAll(/^(\S+)\s+:\s+ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    hosts.set(m[1]!, { unreachable: Number(m[2]), failed: Number(m[3]) });
  }
  return hosts;
}

export function resolvePlaybook(playbook: string): string {
  return isAbsolute(playbook) || playbook.includes('/') ? playbook : join(playbooksDir, playbook);
}

async function readResults(dir: string): Promise<Record<string, unknown>> {
  const byHost: Record<string, unknown> = {};
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    try {
      byHost[name.slice(0, -'.json'.length)] = JSON.parse(text);
    } catch {
      byHost[name.slice(0, -'.json'.length)] = { unparsable: tailLines(text, 5) };
    }
  }
  return byHost;
}

export async function gatherHostFacts(options: GatherHostFactsOptions): Promise<HostFactsResult> {
  const hostsDir = join(options.resultDir, 'hosts');
  // Results of an earlier run must never pass for this run's.
  await rm(hostsDir, { recursive: true, force: true });
  await mkdir(hostsDir, { recursive: true, mode: 0o700 });
  const varsFile = join(options.resultDir, 'vars.json');
  const vars = { ...options.vars, kspray_hosts: options.hosts, kspray_result_dir: options.resultDir };
  await writeFileAtomic(varsFile, `${ownVarsJson(vars, 2)}\n`, { mode: 0o600 });

  const argv = playbookArgv({
    ...(options.ansiblePlaybook === undefined ? {} : { executable: options.ansiblePlaybook }),
    playbook: resolvePlaybook(options.playbook),
    inventory: options.inventory,
    become: options.become ?? true,
    extraVarsFiles: [...(options.extraVarsFiles ?? []), varsFile],
  });
  let result;
  try {
    result = await runPlaybookArgv(argv, {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
    });
  } catch (error) {
    if (error instanceof ExecError) {
      return { kind: 'error', argv, exitCode: error.exitCode ?? -1, message: error.message.split('\n')[0]!, stderrTail: error.stderrTail, byHost: {} };
    }
    throw error;
  }
  const byHost = await readResults(hostsDir);
  const recap = parseRecapLines(result.stdout);
  const unreachable = [...recap].filter(([, r]) => r.unreachable > 0).map(([host]) => host);
  const failed = [...recap].filter(([, r]) => r.failed > 0).map(([host]) => host);
  const stderrTail = redact(tailLines([result.stderr, failedLines(result.stdout)].filter(Boolean).join('\n'), 20));
  const common = { argv, exitCode: result.exitCode };

  if (failed.length > 0) {
    return { ...common, kind: 'error', message: `${options.playbook} failed on ${failed.join(', ')} (exit ${result.exitCode})`, stderrTail, byHost };
  }
  if (unreachable.length > 0) {
    return { ...common, kind: 'unreachable', unreachable, byHost, message: `unreachable: ${unreachable.join(', ')}` };
  }
  if (result.exitCode !== 0) {
    return { ...common, kind: 'error', message: `${options.playbook} exited with code ${result.exitCode}`, stderrTail, byHost };
  }
  if (recap.size === 0 || Object.keys(byHost).length === 0) {
    // ansible-playbook exits 0 when the pattern matches nothing: that must
    // not read as "no problem found".
    return { ...common, kind: 'error', message: `no host of the inventory matched "${options.hosts}"`, stderrTail, byHost };
  }
  const missing = [...recap.keys()].filter((host) => !(host in byHost) && host !== 'localhost');
  if (missing.length > 0) {
    return { ...common, kind: 'error', message: `no result from ${missing.join(', ')}`, stderrTail, byHost };
  }
  return { ...common, kind: 'ok', byHost };
}

/** The `fatal:` / `UNREACHABLE!` lines of ansible's output: what went wrong, without the rest. */
function failedLines(stdout: string): string {
  return stdout.split('\n').filter((line) => /^(fatal|failed):|UNREACHABLE!|ERROR!/.test(line)).join('\n');
}
