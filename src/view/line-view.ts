/**
 * The view for pipelines and logs (stderr is not a terminal, CI, TERM=dumb):
 * one timestamped line per change, never a redraw, so a 500-node log stays
 * readable: a step starting and ending, a host entering a play, failing or
 * finishing, a drain retrying, notes, health gates.
 */
import type { EngineEvent } from '../apply/events.js';
import { redact } from '../util/redact.js';
import { lastingLine } from './lines.js';
import { palette } from './screen.js';

export function createLineView(write: (text: string) => void, options: { color: boolean }): (event: EngineEvent) => void {
  const colors = palette(options.color);
  const stamp = (at: string): string => `[${new Date(at).toTimeString().slice(0, 8)}]`;
  const out = (at: string, text: string): void => {
    for (const line of redact(text).split('\n')) write(`${stamp(at)} ${line}\n`);
  };
  return (event) => {
    if (event.type === 'step' && event.phase === 'start') {
      out(event.at, `${colors.bold('▶')} ${event.stepId}  ${event.title}`);
      return;
    }
    if (event.type === 'host' && event.phase === 'update') {
      const retry = event.retry ? `  (try ${event.retry.attempt}/${event.retry.of})` : '';
      const where = [event.play ? `play: ${event.play}` : '', event.retry && event.task ? `task: ${event.task}${retry}` : ''].filter(Boolean).join('  ');
      const state = event.status === 'failed' || event.status === 'unreachable' ? `  ${colors.red(event.status.toUpperCase())}` : event.status === 'running' ? '' : `  ${event.status}`;
      out(event.at, `  ${event.host}  ${where}${state}`);
      return;
    }
    const line = lastingLine(event, colors);
    if (line !== undefined) out(event.at, line);
  };
}
