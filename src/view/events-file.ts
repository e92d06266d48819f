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
  close(): Promise<void>;
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
  stream.on('error', (error) => {
    failed = error;
  });
  return {
    listener(event) {
      if (!failed) stream.write(`${redact(JSON.stringify(event))}\n`);
    },
    close: () => new Promise<void>((done) => {
      stream.end(() => done());
    }),
  };
}
