/**
 * The one process chokepoint. Every external tool (ansible-playbook,
 * ansible-inventory, git through simple-git excepted, python venvs) runs
 * through `run`: argv arrays and never a shell, a timeout, cancellation, an
 * environment allow-list, and a typed ExecError whose text is redacted.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redact } from '../util/redact.js';
import { fileError } from '../util/fs-errors.js';
import { announceProcessGroup } from './children.js';
import { ExecError } from './exec-error.js';
import { processStart } from './proc.js';

export { ExecError, formatArgv, tailLines } from './exec-error.js';

/** Variables a child may inherit from kspray's own environment; everything else must be passed explicitly. */
const ENV_ALLOW_LIST = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'TERM',
  'SSH_AUTH_SOCK', 'SSH_AGENT_PID', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'VIRTUAL_ENV', 'PYTHONPATH', 'KUBECONFIG',
];
const ENV_ALLOW_PREFIXES = ['ANSIBLE_', 'KSPRAY_'];

export interface RunOptions {
  cwd?: string;
  /** Extra environment, merged over the allow-listed part of process.env. */
  env?: Record<string, string | undefined>;
  /** Milliseconds before the child is killed (SIGTERM, then SIGKILL). Default: none. */
  timeoutMs?: number;
  /** Aborting it stops the child (Ctrl-C handling lives in the caller). */
  signal?: AbortSignal;
  /**
   * Run the child in its own process group and, on abort, send SIGINT to the
   * whole group, then SIGKILL after `killGraceMs` (on `timeoutMs`: SIGTERM, then SIGKILL). ansible-playbook needs this:
   * its forked workers keep running (and keep stdout open) when only the
   * leader is signalled, so a drain wait would hold Ctrl-C for minutes.
   */
  processGroup?: boolean;
  killGraceMs?: number;
  /** Called for every complete stdout line, as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Called for every complete stderr line, as it arrives. */
  onStderrLine?: (line: string) => void;
  /** Where the child's whole stdout and stderr also go (redacted), e.g. a step log. */
  logFile?: string;
  /** Text fed to stdin; default: stdin is closed. */
  input?: string;
  /** When false, a non-zero exit is returned instead of thrown. Default true. */
  reject?: boolean;
}

export interface RunResult {
  command: string;
  argv: readonly string[];
  exitCode: number;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** The log file could not be written (a full disk): why. The output is lost, the run's own result is not. */
  logFailure?: string;
}

/** The allow-listed part of an environment. */
export function allowedEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (ENV_ALLOW_LIST.includes(key) || ENV_ALLOW_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  return env;
}

/** Runs `argv[0]` with `argv.slice(1)`; never through a shell. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('run: empty argv');
  const env = { ...allowedEnv(), ...definedOnly(options.env ?? {}) };
  let log: WriteStream | undefined;
  let logFailure: unknown;
  if (options.logFile) {
    const logFile = options.logFile;
    try {
      await mkdir(dirname(logFile), { recursive: true });
    } catch (error) {
      throw fileError(error, dirname(logFile), 'create the log directory');
    }
    log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    // A full disk must not crash kspray while ansible-playbook runs: the log stops, and the run says so when it ends.
    log.on('error', (error) => {
      logFailure ??= fileError(error, logFile, 'write the log');
    });
  }
  const started = performance.now();
  // Loaded on first use: execa and its ~100 modules cost start-up time that
  // commands which run no process (plan, validate, schema) should not pay.
  const { execa } = await import('execa');
  const child = execa(command, args, {
    cwd: options.cwd,
    env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.signal === undefined || options.processGroup ? {} : { cancelSignal: options.signal }),
    detached: Boolean(options.processGroup),
    killSignal: 'SIGTERM',
    forceKillAfterDelay: 10_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (options.processGroup && child.pid !== undefined) {
    announceProcessGroup({ pgid: child.pid, start: processStart(child.pid), command: redact(argv.join(' ')).slice(0, 300) });
  }
  let groupCancelled = false;
  const stopGroup = (): void => {
    groupCancelled = true;
    signalGroup(child.pid, 'SIGINT');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 15_000).unref();
  };
  if (options.processGroup && options.signal) {
    if (options.signal.aborted) stopGroup();
    else options.signal.addEventListener('abort', stopGroup, { once: true });
  }
  // execa's timeout ends the leader only: what it forked (Ansible's workers, a gate script's children)
  // would run on, holding stdout open, and the call would outlive its timeout. The whole group goes.
  const endGroup = (): void => {
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 15_000).unref();
  };
  const groupTimer = options.processGroup && options.timeoutMs !== undefined ? setTimeout(endGroup, options.timeoutMs) : undefined;
  pipeLines(child.stdout, (line) => {
    log?.write(`${redact(line)}\n`);
    options.onStdoutLine?.(line);
  });
  pipeLines(child.stderr, (line) => {
    log?.write(`${redact(line)}\n`);
    options.onStderrLine?.(line);
  });
  const result = await child;
  clearTimeout(groupTimer);
  if (options.processGroup && result.timedOut) endGroup();
  options.signal?.removeEventListener('abort', stopGroup);
  if (log) await new Promise<void>((resolve) => (log!.destroyed ? resolve() : log!.end(resolve)));
  const failed = result.failed;
  const notFound = failed && (result as { code?: string }).code === 'ENOENT';
  const outcome: RunResult = {
    command,
    argv: [command, ...args],
    exitCode: result.exitCode ?? -1,
    signal: result.signal ?? undefined,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs: performance.now() - started,
    timedOut: result.timedOut,
    cancelled: result.isCanceled || groupCancelled,
    ...(logFailure === undefined ? {} : { logFailure: logFailure instanceof Error ? logFailure.message : String(logFailure) }),
  };
  if (notFound || (failed && options.reject !== false) || (failed && (outcome.cancelled || result.timedOut))) {
    throw new ExecError({
      command, argv: outcome.argv, exitCode: result.exitCode, signal: outcome.signal,
      stderr: outcome.stderr || String(result.message ?? ''), timedOut: outcome.timedOut,
      cancelled: outcome.cancelled, notFound,
    });
  }
  return outcome;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function pipeLines(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered.length > 0) onLine(buffered);
    buffered = '';
  });
}
