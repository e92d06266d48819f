/**
 * Where things go: `--json` documents alone on stdout; human text, progress
 * and errors on stderr (except commands whose product is text, like `schema`
 * or `plan` without --json, which print it on stdout). Everything is redacted.
 */
import { redact } from '../util/redact.js';

export function printStdout(text: string): void {
  process.stdout.write(redact(text.endsWith('\n') ? text : `${text}\n`));
}

export function printStderr(text: string): void {
  process.stderr.write(redact(text.endsWith('\n') ? text : `${text}\n`));
}

export function printJson(document: unknown): void {
  printStdout(JSON.stringify(document, null, 2));
}
