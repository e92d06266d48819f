/**
 * The terminal view's live block, as lines: pure, from the view model, the
 * terminal's size and the time. At most `height` lines, none wider than
 * `width` columns (a wrapped line would break the redraw): the step title
 * first, with the hop, the wave, the time elapsed and an estimate of what
 * remains; then the hosts per state; then only the failed and the running
 * hosts, one line each, as many as fit; the rest summed up.
 */
import type { CurrentStep, HostView, ViewModel } from './view-model.js';

export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const plain: Palette = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t };

export function palette(color: boolean): Palette {
  if (!color) return plain;
  const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Columns a line takes on the screen (escape sequences take none). */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/**
 * Text from the run (Ansible's plays, tasks and messages, a gate's output) as
 * one row of the block: a line break or a control character in it would move
 * the cursor where the redraw does not count (a failed module's message has
 * a line break; a remote command's output may be coloured).
 */
export function oneLine(text: string): string {
  return text.replace(ANSI, '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** The line cut to `width` columns, with … where it was cut; escapes kept, closed by a reset. */
export function fit(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = '';
  let shown = 0;
  for (let i = 0; i < text.length;) {
    ANSI.lastIndex = 0;
    const escape = text.startsWith('\u001b[', i) ? /^\u001b\[[0-9;?]*[A-Za-z]/.exec(text.slice(i)) : null;
    if (escape) {
      out += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (shown === width - 1) break;
    out += char;
    shown += 1;
    i += char.length;
  }
  return `${out}…${text.includes('\u001b[') ? '\u001b[0m' : ''}`;
}

/** A step's or a gate's duration: tenths of a second below ten seconds. */
export function formatTook(ms: number): string {
  return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatElapsed(ms);
}

export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

export interface ScreenSize {
  width: number;
  height: number;
}

/** The live block: empty before the run starts and after it ended; between steps, the next step's title. */
export function renderBlock(model: ViewModel, size: ScreenSize, now: number, colors: Palette = plain): string[] {
  const width = Math.max(20, size.width - 1);
  const height = Math.max(1, size.height);
  if (model.ended || model.startedAt === undefined) return [];
  const next = model.steps.find((step) => step.status === 'pending');
  if (!model.current && !model.gate && !next) return [];
  const lines: string[] = [titleLine(model, now, colors)];
  const current = model.current;
  if (model.gate && !current) {
    const gate = model.gate;
    lines.push(`  health gate ${colors.bold(gate.name)} after ${gate.after}: check ${gate.attempt}${gate.status === 'checking' ? ', not passing yet' : ''} (${formatElapsed(now - gate.since)})`);
    if (gate.output) lines.push(colors.dim(`  ${oneLine(gate.output.split('\n').filter(Boolean).at(-1) ?? '')}`));
  }
  if (current) {
    const counts = model.counts();
    lines.push(`  ${colors.green(`done ${counts.done}`)} · ${colors.yellow(`running ${counts.running}`)} · ${counts.failed > 0 ? colors.red(`failed ${counts.failed}`) : `failed ${counts.failed}`} · waiting ${counts.pending}`);
    if (current.play) lines.push(colors.dim(`  play: ${oneLine(current.play)}${current.batch && current.batch > 1 ? ` (batch ${current.batch})` : ''}${current.task ? ` · task: ${oneLine(current.task)}` : ''}`));
    lines.push(...hostLines(current, height - lines.length, colors));
  }
  if (model.stopping) lines.push(colors.yellow(model.stopping === 'graceful' ? '  stopping at the next boundary (Ctrl-C again: stop at once)' : '  stopping at once'));
  return lines.slice(0, height).map((line) => fit(line, width));
}

function titleLine(model: ViewModel, now: number, colors: Palette): string {
  const current = model.current;
  const hop = model.hop ? `hop ${model.hop.index}${model.hops() > 1 ? `/${Math.max(...model.steps.map((s) => s.hop))}` : ''} ${model.hop.fromVersion}→${model.hop.toVersion}` : '';
  const elapsed = model.startedAt === undefined ? '' : `${formatElapsed(now - model.startedAt)} elapsed`;
  const remaining = model.remainingMs(now);
  const clock = [elapsed, remaining === undefined ? '' : `~${formatElapsed(remaining)} left`].filter(Boolean).join(', ');
  const next = model.steps.find((step) => step.status === 'pending');
  const what = current
    ? `${colors.bold(current.id)}  ${current.title}`
    : model.gate ? colors.bold(`health gates after ${model.gate.after}`) : `${colors.bold(next!.id)}  ${next!.title}  ${colors.dim('(next)')}`;
  return `${colors.yellow('▶')} ${what}  ${colors.dim(`[${[hop, clock].filter(Boolean).join(' · ')}]`)}`;
}

/** The failed hosts, then the running ones, as many as `room` allows (one line kept for the rest's sum). */
function hostLines(current: CurrentStep, room: number, colors: Palette): string[] {
  const failed = [...current.hosts].filter(([, host]) => host.state === 'failed').sort(([a], [b]) => a.localeCompare(b));
  const running = [...current.hosts].filter(([, host]) => host.state === 'running').sort(([a], [b]) => a.localeCompare(b));
  const shown = [...failed, ...running];
  if (room <= 0 || shown.length === 0) return [];
  const fits = shown.length <= room ? shown.length : Math.max(0, room - 1);
  const width = Math.max(...shown.slice(0, fits).map(([name]) => name.length), 0);
  const lines = shown.slice(0, fits).map(([name, host]) => hostLine(name, host, current, width, colors));
  const rest = shown.slice(fits);
  if (rest.length > 0) {
    const restFailed = rest.filter(([, host]) => host.state === 'failed').length;
    lines.push(colors.dim(`  … and ${rest.length} more (${[restFailed ? `${restFailed} failed` : '', rest.length - restFailed ? `${rest.length - restFailed} running` : ''].filter(Boolean).join(', ')})`));
  }
  return lines;
}

/** A failed host with where it failed; a running one with what sets it apart (a retry, another play), else just so. */
function hostLine(name: string, host: HostView, current: CurrentStep, width: number, colors: Palette): string {
  if (host.state === 'failed') {
    return `  ${colors.red('✖')} ${name.padEnd(width)}  ${host.play ? `play: ${oneLine(host.play)}  ` : ''}${host.task ? `task: ${oneLine(host.task)}` : ''}${host.message ? `: ${colors.red(oneLine(host.message))}` : ''}`;
  }
  const doing = host.retry
    ? `${host.task === null ? 'retrying' : oneLine(host.task)} (try ${host.retry.attempt}/${host.retry.of})`
    : host.play !== null && host.play !== current.play ? `play: ${oneLine(host.play)}` : 'running';
  return `  ${colors.yellow('•')} ${name.padEnd(width)}  ${doing}`;
}
