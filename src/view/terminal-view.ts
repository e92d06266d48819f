/**
 * The view at a terminal: the lines that stay scroll above, and one live
 * block at the bottom is redrawn in place (never appended): the step title
 * pinned at its top, the hosts per state, the failed and running hosts. It
 * fits the terminal: never taller than the screen less one line, no line
 * wider than the screen, redrawn when the terminal is resized. Colour
 * unless NO_COLOR. Everything goes to stderr (stdout is for --json).
 */
import type { EngineEvent } from '../apply/events.js';
import { redact } from '../util/redact.js';
import { lastingLine } from './lines.js';
import { fit, palette, renderBlock, visibleLength } from './screen.js';
import { ViewModel } from './view-model.js';

export interface TerminalStream {
  write(text: string): unknown;
  columns?: number | undefined;
  rows?: number | undefined;
  on?(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
  off?(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
}

export interface TerminalView {
  listener: (event: EngineEvent) => void;
  /** Clears the block and draws nothing until resume (a question asked at the terminal); lines are kept for then. */
  suspend(): void;
  resume(): void;
  /** Clears the block and restores the cursor; nothing is drawn afterwards. */
  close(): void;
}

const FRAME_MS = 100;
const TICK_MS = 1000;

export function createTerminalView(stream: TerminalStream, options: { color: boolean; now?: () => number }): TerminalView {
  const model = new ViewModel();
  const colors = palette(options.color);
  const now = options.now ?? Date.now;
  /** Visible lengths of the block's lines as last drawn: what to move back over. */
  let drawn: number[] = [];
  let drawnWidth = width();
  let closed = false;
  let suspended = false;
  let cursorHidden = false;
  let held: string[] = [];
  let pending: NodeJS.Timeout | undefined;

  function width(): number {
    return Math.max(20, stream.columns ?? 80);
  }
  function height(): number {
    return Math.max(3, stream.rows ?? 24);
  }
  /** Rows the last block takes now: a line longer than the screen wraps (after a resize it may). */
  function drawnRows(): number {
    const columns = width();
    return drawn.reduce((rows, length) => rows + Math.max(1, Math.ceil(length / columns)), 0);
  }
  function erase(): string {
    const rows = drawnRows();
    drawn = [];
    return rows === 0 ? '' : `\r\u001b[${rows}A\u001b[J`;
  }
  function write(text: string): void {
    if (text === '') return;
    try {
      stream.write(text);
    } catch {
      closed = true; // the terminal is gone (a dropped SSH session): stop drawing, the run goes on
    }
  }
  /** The block, with the cursor hidden while there is one (it would blink in its last line) and shown again after. */
  function block(): string {
    const lines = renderBlock(model, { width: width(), height: height() - 1 }, now(), colors).map((line) => redact(line));
    drawn = lines.map(visibleLength);
    drawnWidth = width();
    const cursor = lines.length > 0 === cursorHidden ? '' : lines.length > 0 ? '\u001b[?25l' : '\u001b[?25h';
    cursorHidden = lines.length > 0;
    return `${cursor}${lines.map((line) => `${line}\n`).join('')}`;
  }
  function redraw(): void {
    pending = undefined;
    if (closed || suspended) return;
    write(`${erase()}${block()}`);
  }
  function schedule(): void {
    if (pending === undefined && !closed && !suspended) pending = setTimeout(redraw, FRAME_MS);
  }
  function lasting(text: string): void {
    if (closed) return;
    const lines = redact(text).split('\n').map((line) => fit(line, width() - 1));
    if (suspended) {
      held.push(...lines);
      return;
    }
    write(`${erase()}${lines.map((line) => `${line}\n`).join('')}${block()}`);
  }
  const onResize = (): void => {
    // The old block reflowed at the old width; erase() counts its rows at the new one.
    if (width() !== drawnWidth) redraw();
    else schedule();
  };
  const onError = (): void => {
    closed = true;
  };
  stream.on?.('resize', onResize);
  stream.on?.('error', onError);
  const tick = setInterval(schedule, TICK_MS);
  tick.unref();

  return {
    listener(event) {
      model.apply(event);
      const line = lastingLine(event, colors);
      if (line !== undefined) lasting(line);
      else schedule();
    },
    suspend() {
      if (closed || suspended) return;
      write(`${erase()}${cursorHidden ? '\u001b[?25h' : ''}`);
      cursorHidden = false;
      suspended = true;
    },
    resume() {
      if (closed || !suspended) return;
      suspended = false;
      const lines = held;
      held = [];
      write(`${lines.map((line) => `${line}\n`).join('')}${block()}`);
    },
    close() {
      if (closed) return;
      clearInterval(tick);
      clearTimeout(pending);
      write(`${erase()}${cursorHidden ? '\u001b[?25h' : ''}`);
      closed = true;
      stream.off?.('resize', onResize);
      stream.off?.('error', onError);
    },
  };
}
