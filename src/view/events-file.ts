/**
 * `apply --events FILE`: every event of the run as one JSON object per line
 * (schema/events.schema.json, `kspray schema events`), for dashboards and
 * pipelines. Appended, so a file shared by several runs keeps them all; made
 * private (0600) as the step logs are. Text fields were masked by the engine;
 * the line is masked again as every line kspray writes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { EngineEvent } from '../apply/events.js';
import { UsageError } from '../util/errors.js';
import { redact } from '../util/redact.js';

export interface EventsFile {
  listener: (event: EngineEvent) => void;
  /** Ends the file; what went wrong writing it, if anything (a full disk mid-run): the run itself does not fail for it. */
  close(): Promise<string | undefined>;
}

export async function openEventsFile(path: string): Promise<EventsFile> {
  const file = resolve(path);
  let stream: WriteStream;
  try {
    await mkdir(dirname(file), { recursive: true });
    stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    await new Promise<void>((ready, fail) => {
      stream.once('open', () => ready());
      stream.once('error', fail);
    });
  } catch (error) {
    throw new UsageError(`--events ${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'name a file in a directory kspray can write');
  }
  let failed: Error | undefined;
  let written = 0;
  stream.on('error', (error) => {
    failed ??= error;
  });
  return {
    listener(event) {
      if (failed) return;
      stream.write(`${redact(JSON.stringify(event))}\n`, (error) => {
        if (error) failed ??= error;
        else written += 1;
      });
    },
    close: () => new Promise<string | undefined>((done) => {
      const said = (): string | undefined => failed && `--events ${path}: writing stopped after ${written} event(s) (${(failed as NodeJS.ErrnoException).code ?? failed.message}): the file misses the rest of the run; the journal and the step logs have it`;
      if (stream.destroyed) done(said());
      else {
        stream.end((error?: Error | null) => {
          if (error) failed ??= error;
          done(said());
        });
      }
    }),
  };
}
