/**
 * Live progress with listr2: a task per step, and under it a line per host.
 * At a terminal the default renderer redraws the host lines; without one (CI,
 * a pipeline log) listr2's verbose renderer prints timestamped lines, and kspray
 * only feeds it what changed (a host entering a play, failing, finishing), so
 * a 500-node log stays readable. Everything goes to stderr: stdout is for --json.
 */
import { Listr, ListrLogger, PRESET_TIMER, PRESET_TIMESTAMP, ProcessOutput, type ListrTask } from 'listr2';
import { formatHostLine, type ProgressState } from '../ansible/host-progress.js';
import { redact } from '../util/redact.js';
import type { PlanStep } from '../plan/types.js';

export interface StepTaskHandle {
  /** Feed the latest per-host progress. */
  progress(state: ProgressState): void;
  /** Say something about the step (a line in the log, the title's tail at a terminal). */
  note(text: string): void;
}

export type StepBody = (step: PlanStep, handle: StepTaskHandle) => Promise<void>;

export function isInteractive(): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI === undefined && process.env.TERM !== 'dumb';
}

/** Runs the steps in order under listr2; the first step that throws stops the list and rethrows. */
export async function runStepList(steps: readonly PlanStep[], body: StepBody): Promise<void> {
  const interactive = isInteractive();
  const output = new ProcessOutput(process.stderr, process.stderr);
  const logger = new ListrLogger({ processOutput: output, useIcons: false });
  const tasks: ListrTask[] = steps.map((step) => ({
    title: `${step.id}  ${step.title}`,
    task: async (_ctx, task) => {
      const printed = new Map<string, string>();
      await body(step, {
        progress: (state) => {
          if (interactive) {
            const width = Math.max(...Object.keys(state.hosts).map((h) => h.length), 0);
            task.output = redact(Object.keys(state.hosts).map((host) => formatHostLine(host, state, { hostWidth: width })).join('\n'));
            return;
          }
          for (const [host, progress] of Object.entries(state.hosts)) {
            const key = `${progress.play ?? ''}|${progress.status}`;
            if (progress.status === 'pending' || printed.get(host) === key) continue;
            printed.set(host, key);
            task.output = redact(formatHostLine(host, { ...state, finished: true }, { maxName: 60 }));
          }
        },
        note: (text) => {
          task.output = redact(text);
        },
      });
    },
    rendererOptions: { outputBar: Infinity, persistentOutput: false },
  }));
  const list = new Listr(tasks, {
    concurrent: false,
    exitOnError: true,
    // kspray handles SIGINT itself (forward to ansible-playbook, record in the
    // journal, exit 3); listr2's own handler would exit 127 at once.
    registerSignalListeners: false,
    renderer: 'default',
    rendererOptions: { logger, timer: PRESET_TIMER, collapseSubtasks: false },
    fallbackRenderer: 'verbose',
    fallbackRendererOptions: { logger, timestamp: PRESET_TIMESTAMP, logTitleChange: false },
    fallbackRendererCondition: !interactive,
  });
  await list.run();
}
