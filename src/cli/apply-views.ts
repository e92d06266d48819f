/**
 * Where `kspray apply` shows what its engine does: the terminal view at an
 * interactive terminal, the line view otherwise (a pipeline, CI, TERM=dumb,
 * stderr redirected), and `--events FILE` besides. All subscribe to the one
 * bus the engine emits on. Signals are handled here too, at the edge: the
 * first Ctrl-C, SIGTERM or SIGHUP asks for a stop at the next boundary, a
 * second one stops at once.
 */
import type { EventBus } from '../apply/events.js';
import { openEventsFile, type EventsFile } from '../view/events-file.js';
import { createLineView } from '../view/line-view.js';
import { createTerminalView } from '../view/terminal-view.js';

export interface Views {
  /** While a question is asked at the terminal: no live block under it. */
  aside<T>(ask: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function isInteractive(): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI === undefined && process.env.TERM !== 'dumb';
}

export function colorWanted(): boolean {
  return process.env.NO_COLOR === undefined && Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
}

export async function openViews(bus: EventBus, options: { events?: string | undefined }): Promise<Views> {
  const file = options.events === undefined ? undefined : await openEventsFile(options.events);
  const unsubscribe: Array<() => void> = [];
  if (file) unsubscribe.push(bus.subscribe(file.listener));
  const color = colorWanted();
  if (isInteractive()) {
    const terminal = createTerminalView(process.stderr, { color });
    unsubscribe.push(bus.subscribe(terminal.listener));
    return {
      aside: async (ask) => {
        terminal.suspend();
        try {
          return await ask();
        } finally {
          terminal.resume();
        }
      },
      close: async () => {
        for (const off of unsubscribe) off();
        terminal.close();
        await closeEventsFile(file);
      },
    };
  }
  unsubscribe.push(bus.subscribe(createLineView((text) => {
    process.stderr.write(text);
  }, { color })));
  return {
    aside: (ask) => ask(),
    close: async () => {
      for (const off of unsubscribe) off();
      await closeEventsFile(file);
    },
  };
}

/** A failed --events file is said once the views are closed; it does not fail the run. */
async function closeEventsFile(file: EventsFile | undefined): Promise<void> {
  const problem = await file?.close();
  if (problem) process.stderr.write(`warning: ${problem}\n`);
}

/** First signal: `stop` (the next boundary); second: `now` (at once). Returns the remover. */
export function onStopSignals(stop: AbortController, now: AbortController): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) stop.abort(signal);
    else now.abort(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  // A dropped SSH session leaves stderr without a reader: writing to it (the run's last words too) must not end the process.
  if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => undefined);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
