/**
 * Every command registers itself here. Each src/cli/<command>.ts exports a
 * `register(program)` that declares flags and, in its action, lazily imports
 * the domain modules it needs (start-up time matters: see bench/plan).
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
