/**
 * Secrets stay out of the events file of a step, as they stay out of its log:
 * a real ansible-playbook fails with a message that holds a long secret and a
 * 2-character one, and neither reaches the events file, the log or the
 * events kspray reads; the mask file the callback read is gone afterwards.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { playbookArgv, runPlaybook } from '../src/ansible/playbook.js';
import { clearSecrets, registerSecret } from '../src/util/redact.js';

const LONG = 'AQBlongSecretForEvents==';
const SHORT = 'q7';

describe('the events file of a run is masked', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kspray-mask-'));
  });
  afterEach(async () => {
    clearSecrets();
    await rm(dir, { recursive: true, force: true });
  });

  it('masks every registered secret in the events file, whatever its length, and removes the mask file', async () => {
    registerSecret(LONG);
    registerSecret(SHORT);
    await writeFile(join(dir, 'hosts.ini'), 'k1-node01 ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n');
    await writeFile(join(dir, 'fail.yml'), [
      `- name: play for ${SHORT}`,
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      `    - name: task naming ${LONG}`,
      '      fail:',
      `        msg: "password={{ short }} key={{ long }} table stays"`,
    ].join('\n'));
    const eventsFile = join(dir, 'step.events.jsonl');
    const logFile = join(dir, 'step.log');

    const run = await runPlaybook({
      argv: playbookArgv({ playbook: join(dir, 'fail.yml'), inventory: join(dir, 'hosts.ini'), extraVars: { short: SHORT, long: LONG } }),
      cwd: dir, eventsFile, logFile, env: { ANSIBLE_LOCAL_TEMP: join(dir, 'tmp') },
    });

    expect(run.outcome).toMatchObject({ kind: 'failed', failedHosts: ['k1-node01'] });
    const events = await readFile(eventsFile, 'utf8');
    expect(events).toContain('"message": "password=*** key=*** table stays"');
    expect(events).toContain('"task": "task naming ***"');
    for (const secret of [LONG, SHORT]) {
      expect(events).not.toContain(secret);
      expect(await readFile(logFile, 'utf8')).not.toMatch(new RegExp(`(?<![\\w])${secret}(?![\\w])`));
    }
    expect(JSON.stringify(run.events)).not.toContain(LONG);
    expect(existsSync(`${eventsFile}.mask`)).toBe(false);
  });
});
