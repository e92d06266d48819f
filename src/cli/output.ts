/**
 * Where things go: `--json` documents alone on stdout; human text, progress
 * and errors on stderr (except commands whose product is text, like `schema`
 * or `plan` without --json, which print it on stdout). Everything is redacted.
 *
 * With --json, stdout holds exactly one JSON document whatever the outcome:
 * a command prints its own (printJson), and when it ends in an error before
 * printing one, the entry point prints the error's (main.ts).
 */
import { redact } from '../util/redact.js';

let jsonDocuments = 0;

export function printStdout(text: string): void {
  process.stdout.write(redact(text.endsWith('\n') ? text : `${text}\n`));
}

export function printStderr(text: string): void {
  process.stderr.write(redact(text.endsWith('\n') ? text : `${text}\n`));
}

export function printJson(document: unknown): void {
  jsonDocuments++;
  printStdout(JSON.stringify(document, null, 2));
}

/** Whether a command already printed its JSON document (the entry point then prints no error document). */
export function printedJson(): boolean {
  return jsonDocuments > 0;
}
