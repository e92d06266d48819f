/**
 * The lines that stay: what the terminal view prints above its live block
 * and the line view prints as they come (a note, a step that ended, a health
 * gate's verdict, a stop request). One place for their wording. Pure.
 */
import type { EngineEvent } from '../apply/events.js';
import { formatTook, type Palette } from './screen.js';

export function lastingLine(event: EngineEvent, colors: Palette): string | undefined {
  switch (event.type) {
    case 'note':
      return event.text;
    case 'step':
      if (event.phase === 'start') return undefined;
      return stepEndLine(event, colors);
    case 'gate':
      if (event.phase === 'start') return `health gate ${event.name} (${event.kind}) after ${event.after}: checking`;
      if (event.phase === 'attempt') return event.status === 'passed' ? undefined : `health gate ${event.name}: check ${event.attempt} not passing yet${event.output ? `: ${lastLine(event.output)}` : ''}`;
      if (event.status === 'passed') return `${colors.green('✔')} health gate ${event.name} passed (check ${event.attempt}, ${formatTook(event.durationMs)})`;
      if (event.status === 'skipped') return `${colors.yellow('↷')} health gate ${event.name} skipped as asked (--skip-gate)`;
      if (event.status === 'interrupted') return `health gate ${event.name}: stopped waiting`;
      return `${colors.red('✖')} health gate ${event.name} failed after ${event.attempt} check(s)${event.output ? `: ${lastLine(event.output)}` : ''}`;
    case 'stop':
      return event.mode === 'graceful'
        ? `${event.signal} received: stopping at the next boundary (the hosts in flight finish their batch, no further node is drained); again to stop at once`
        : `${event.signal}: stopping ansible-playbook at once, the journal records where`;
    default:
      return undefined;
  }
}

function stepEndLine(event: Extract<EngineEvent, { type: 'step'; phase: 'end' }>, colors: Palette): string {
  const took = `(${formatTook(event.durationMs)})`;
  if (event.status === 'succeeded') return `${colors.green('✔')} ${event.stepId}  ${event.title}  ${took}`;
  if (event.status === 'interrupted') return `${colors.yellow('■')} ${event.stepId}  ${event.title}: ${event.atBoundary ? 'stopped at a boundary' : 'interrupted'} ${took}`;
  return `${colors.red('✖')} ${event.stepId}  ${event.title}: failed${event.failedHosts.length > 0 ? ` (${event.failedHosts.length} host${event.failedHosts.length === 1 ? '' : 's'})` : ''} ${took}`;
}

function lastLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).at(-1) ?? '';
}
