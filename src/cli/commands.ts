/**
 * Every command registers itself here. Each src/cli/<command>.ts exports a
 * `register(program)` that declares flags and, in its action, lazily imports
 * the domain modules it needs (start-up time matters: see bench/plan).
 */
import type { Command } from 'commander';
import { register as registerValidate } from './validate.js';
import { register as registerSchema } from './schema.js';
import { register as registerRender } from './render.js';
import { register as registerImport } from './import.js';
import { register as registerPlan } from './plan.js';
import { register as registerCatalog } from './catalog.js';
import { register as registerApply } from './apply.js';
import { register as registerStatus } from './status.js';
import { register as registerPin } from './pin.js';
import { register as registerPreflight } from './preflight.js';
import { register as registerRecover } from './recover.js';
import { register as registerPipeline } from './pipeline.js';
import { register as registerArtifacts } from './artifacts.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerValidate, registerSchema, registerRender, registerImport, registerPlan, registerPreflight, registerArtifacts, registerApply, registerStatus, registerRecover, registerPipeline, registerPin, registerCatalog];
