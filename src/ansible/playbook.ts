/**
 * ansible-playbook: typed options, the argv they make, and a runner through
 * the process chokepoint. The same argv is what `kspray plan` shows and what
 * `kspray apply` runs. runPlaybook adds the event stream and the outcome.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { allowedEnv, ExecError, run, type RunOptions, type RunResult } from '../process/exec.js';
import { redact } from '../util/redact.js';
import { fileError } from '../util/fs-errors.js';
import { followEvents, type AnsibleEvent } from './events.js';
import { eventsEnv, readCallbackSettings, writeMaskFile } from './events-env.js';
import { ansibleErrorLine, parseRecap, stoppedAt, summarizeRun, type PlaybookOutcome, type Recap } from './recap.js';

export { playbookArgv, type PlaybookOptions } from './playbook-argv.js';

/** Runs an ansible-playbook argv; a failed play is a result (exit code != 0), not a throw. */
export async function runPlaybookArgv(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(argv, {
    processGroup: true,
    ...options,
    reject: false,
    env: { ANSIBLE_FORCE_COLOR: 'false', ANSIBLE_NOCOLOR: 'true', ANSIBLE_RETRY_FILES_ENABLED: 'false', ...options.env },
  });
}

export interface RunPlaybookOptions {
  /** The full ansible-playbook argv, e.g. from playbookArgv(). */
  argv: readonly string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Where the whole stdout and stderr go (redacted by the chokepoint). */
  logFile?: string;
  /** The JSON-lines file the callback plugin appends to; created if missing, only new lines are read. */
  eventsFile: string;
  /** Called for each event as it arrives, while the playbook runs. */
  onEvent?: (event: AnsibleEvent) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

export interface PlaybookRun {
  outcome: PlaybookOutcome;
  durationMs: number;
  /** The process result; undefined when the run was cancelled or timed out (the chokepoint throws then). */
  result: RunResult | undefined;
  /** Every event of this run, in order. */
  events: AnsibleEvent[];
  recap: Recap | undefined;
}

/**
 * Runs ansible-playbook with kspray's event callback enabled, delivering
 * events live through `onEvent`, and sums the run up as a PlaybookOutcome.
 * A failed play is an outcome, not a throw; so are Ctrl-C (`signal`) and a
 * timeout. A missing executable still throws the chokepoint's ExecError.
 */
export async function runPlaybook(options: RunPlaybookOptions): Promise<PlaybookRun> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  let fromOffset: number;
  try {
    await mkdir(dirname(options.eventsFile), { recursive: true });
    // Create the file (private: task names can be sensitive enough) and start after what a previous run left.
    const handle = await open(options.eventsFile, 'a', 0o600);
    fromOffset = (await handle.stat()).size;
    await handle.close();
  } catch (error) {
    throw fileError(error, options.eventsFile, 'create the events file');
  }

  const events: AnsibleEvent[] = [];
  const stopFollowing = new AbortController();
  let followError: unknown;
  const following = followEvents(options.eventsFile, (event) => {
    events.push(event);
    options.onEvent?.(event);
  }, stopFollowing.signal, { fromOffset }).catch((error: unknown) => {
    followError = error;
  });

  const childEnv = { ...allowedEnv(), ...options.env };
  const config = await readCallbackSettings(cwd, childEnv);
  const mask = await writeMaskFile(options.eventsFile);
  const env = { ...options.env, ...eventsEnv(options.eventsFile, childEnv, config), ...mask?.env };

  let result: RunResult | undefined;
  let thrown: unknown;
  try {
    result = await runPlaybookArgv(options.argv, {
      cwd, env,
      ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.onStdoutLine === undefined ? {} : { onStdoutLine: options.onStdoutLine }),
      ...(options.onStderrLine === undefined ? {} : { onStderrLine: options.onStderrLine }),
    });
  } catch (error) {
    thrown = error;
  } finally {
    // The writer is gone: read what is left, then stop.
    stopFollowing.abort();
    await following;
    await mask?.remove();
  }
  if (followError !== undefined) throw followError;
  const durationMs = performance.now() - started;

  if (thrown !== undefined) {
    if (thrown instanceof ExecError && thrown.cancelled) return { outcome: stoppedAt(events) ?? { kind: 'interrupted' }, durationMs, result, events, recap: undefined };
    if (thrown instanceof ExecError && thrown.timedOut) {
      const message = `ansible-playbook timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`;
      return { outcome: { kind: 'error', exitCode: -1, message }, durationMs, result, events, recap: undefined };
    }
    throw thrown;
  }
  const done = result!;
  const recap = parseRecap(done.stdout);
  return { outcome: outcomeOf(done, recap, events), durationMs, result: done, events, recap };
}

function outcomeOf(result: RunResult, recap: Recap | undefined, events: readonly AnsibleEvent[]): PlaybookOutcome {
  const stopped = stoppedAt(events);
  if (stopped) return stopped;
  if (result.signal !== undefined) {
    if (result.signal === 'SIGINT' || result.signal === 'SIGTERM') return { kind: 'interrupted' };
    return { kind: 'error', exitCode: result.exitCode, message: `ansible-playbook was killed by ${result.signal}` };
  }
  const outcome = summarizeRun(result.exitCode, recap, events);
  if (outcome.kind !== 'error') return outcome;
  const detail = ansibleErrorLine(`${result.stdout}\n${result.stderr}`);
  return detail ? { ...outcome, message: `${outcome.message}: ${redact(detail)}` } : outcome;
}
