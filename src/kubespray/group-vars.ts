/**
 * group_vars for a hop's inventory, as operators refresh them by hand before
 * each Kubespray upgrade (field notes): delete the inventory's group_vars and
 * copy the tag's `inventory/sample/group_vars` fresh. The operator's own
 * settings come back through the extra-vars file, which overrides them.
 *
 * The copy is staged in a sibling directory and renamed into place, so a
 * crash leaves either the old tree or the new one (or, between the two
 * renames, none, which the next run repairs), never a half-copied one.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPidAlive } from '../journal/lock.js';
import { KsprayError } from '../util/errors.js';

export interface RefreshGroupVarsOptions {
  /** The Kubespray checkout of the hop's tag. */
  kubesprayDir: string;
  /** The directory holding the hop's inventory file; group_vars goes beside it. */
  inventoryDir: string;
}

export const SAMPLE_GROUP_VARS = join('inventory', 'sample', 'group_vars');

const STAGING_PREFIX = '.group_vars.';

/** Replaces `<inventoryDir>/group_vars` with a copy of the tag's sample; returns its path. */
export async function refreshGroupVars(options: RefreshGroupVarsOptions): Promise<string> {
  const source = join(options.kubesprayDir, SAMPLE_GROUP_VARS);
  if (!(await isDirectory(source))) {
    throw new KsprayError(`the Kubespray checkout ${options.kubesprayDir} has no ${SAMPLE_GROUP_VARS} directory`, {
      hint: 'The checkout is incomplete or not Kubespray: remove it from the kspray cache and run again.',
    });
  }
  const target = join(options.inventoryDir, 'group_vars');
  await mkdir(options.inventoryDir, { recursive: true });
  await removeLeftovers(options.inventoryDir);
  const token = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const staging = join(options.inventoryDir, `${STAGING_PREFIX}${token}.new`);
  const old = join(options.inventoryDir, `${STAGING_PREFIX}${token}.old`);
  try {
    // dereference: a symlink in the sample would point nowhere once copied out of the checkout.
    await cp(source, staging, { recursive: true, dereference: true, errorOnExist: true, force: false });
    if (await exists(target)) await rename(target, old);
    await rename(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
  return target;
}

/** Staging trees of runs that died before cleaning up (named `.group_vars.<pid>.<token>.new|old`). */
async function removeLeftovers(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    const match = /^\.group_vars\.(\d+)\.[0-9a-f]+\.(new|old)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
