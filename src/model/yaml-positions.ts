/**
 * Maps a path in a parsed YAML document back to line:column, so every problem
 * points at the exact spot in the operator's file.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position { line: number; col: number }

/**
 * The position of the value at `path`; for a key that does not exist, the
 * closest existing ancestor. With `atKey`, the position of the key itself
 * (used for unknown keys, which have no meaningful value position).
 */
export function positionOf(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<string | number>, atKey = false): Position {
  let node: unknown = doc.contents;
  let best: Position = offsetPos(lineCounter, rangeStart(node) ?? 0);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (!pair) break;
      const isLast = i === path.length - 1;
      if (isLast && atKey) return offsetPos(lineCounter, rangeStart(pair.key) ?? 0);
      node = pair.value;
      const start = rangeStart(pair.value) ?? rangeStart(pair.key);
      if (start !== undefined) best = offsetPos(lineCounter, start);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
      const start = rangeStart(item);
      if (start !== undefined) best = offsetPos(lineCounter, start);
    } else {
      break;
    }
  }
  return best;
}

export function offsetPos(lineCounter: LineCounter, offset: number): Position {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
