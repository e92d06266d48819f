/**
 * The files `kspray import` reads, each refused with a clear reason before
 * anything is made of it: the inventory (a readable text file that Ansible
 * can parse) and the extra-vars file (YAML as Ansible reads it, a map).
 */
import { readFile, stat } from 'node:fs/promises';
import { inventoryList, type InventoryList } from '../ansible/inventory.js';
import { parseAnsibleYaml, VaultValue } from '../ansible/ansible-yaml.js';
import { ExecError, tailLines } from '../process/exec.js';
import { UsageError } from '../util/errors.js';
import { isSecretName } from '../model/secret-names.js';

/** Reads a file the operator named, or says plainly why it cannot be read. */
async function readInputFile(path: string, what: string, flag: string): Promise<Buffer> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`, `pass the ${what}`);
  }
  if (!info.isFile()) throw new UsageError(`${flag} ${path}: ${info.isDirectory() ? 'is a directory' : 'is not a regular file'}`, `pass the ${what} itself`);
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'check its permissions');
  }
}

/** NUL bytes or invalid UTF-8: a binary file, which neither Ansible's INI parser nor YAML reads as the operator meant. */
function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export async function readImportInventory(path: string): Promise<InventoryList> {
  const bytes = await readInputFile(path, 'inventory file (inventory.ini or hosts.yaml)', '--inventory');
  if (!isText(bytes)) throw new UsageError(`--inventory ${path}: is not a text file (it holds NUL bytes or invalid UTF-8)`, 'pass the inventory file (inventory.ini or hosts.yaml)');
  if (bytes.toString('utf8').trim() === '') throw new UsageError(`--inventory ${path}: is empty`, 'pass the inventory file that lists the cluster\'s hosts');
  try {
    // An inventory no plugin can parse is an error, not an empty inventory (Ansible's default is a warning).
    return await inventoryList(path, { exportVars: true, env: { ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true' } });
  } catch (error) {
    if (error instanceof ExecError && !error.notFound && !error.cancelled) {
      const reason = maskSecretAssignments(tailLines(error.stderrTail, 6).trim()) || `ansible-inventory exited with ${String(error.exitCode)}`;
      throw new UsageError(`--inventory ${path}: Ansible cannot read it:\n${reason}`, 'fix the inventory at the line Ansible names (`ansible-inventory -i FILE --list` shows the same)');
    }
    throw error;
  }
}

export async function readImportExtraVars(path: string): Promise<{ vars: Record<string, unknown>; notes: string[] }> {
  const bytes = await readInputFile(path, 'extra-vars file (YAML)', '--extra-vars');
  if (!isText(bytes)) throw new UsageError(`--extra-vars ${path}: is not a text file (it holds NUL bytes or invalid UTF-8)`, 'pass the YAML file given to ansible-playbook with -e @FILE');
  const parsed = parseAnsibleYaml(bytes.toString('utf8'));
  if (!parsed.ok) {
    const lines = parsed.problems.map((problem) => `${path}:${problem.line}:${problem.col} ${problem.message} — ${problem.fix}`);
    throw new UsageError(`--extra-vars ${path} is not valid YAML:\n${lines.join('\n')}`, 'fix the file (Ansible would refuse it too), then import again');
  }
  const value = parsed.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof VaultValue) {
    throw new UsageError(`--extra-vars ${path}: must be a map of variables (name: value), not ${Array.isArray(value) ? 'a list' : 'a single value'}`, 'pass the file given to ansible-playbook with -e @FILE');
  }
  const notes = parsed.timestamps.map((text) => `${text} in ${path} is a date to Ansible (YAML 1.1); kspray keeps it as the text ${text}`);
  return { vars: value as Record<string, unknown>, notes };
}

/**
 * Ansible quotes the host line it cannot parse; a password on that line is
 * no registered secret yet (import never reads its value), so the value of
 * every secret-looking `name=value` is masked by name.
 */
export function maskSecretAssignments(text: string): string {
  return text.replace(/([A-Za-z_][A-Za-z0-9_]*)=("[^"\n]*"?|'[^'\n]*'?|[^\s'"]+)/g, (whole, name: string) => (isSecretName(name) ? `${name}=***` : whole));
}
