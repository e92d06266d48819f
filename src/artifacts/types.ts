/**
 * The artifacts' types, inferred from their one schema (artifacts-schema.ts);
 * a type-only import, so loading a type costs no zod.
 */
import type { z } from 'zod';
import type { ArtifactsDocumentSchema, FileArtifactSchema, HopArtifactsSchema, ImageArtifactSchema, UndeterminedSchema } from './artifacts-schema.js';

export type FileArtifact = z.infer<typeof FileArtifactSchema>;
export type ImageArtifact = z.infer<typeof ImageArtifactSchema>;
export type Undetermined = z.infer<typeof UndeterminedSchema>;
export type HopArtifacts = z.infer<typeof HopArtifactsSchema>;
export type ArtifactsDocument = z.infer<typeof ArtifactsDocumentSchema>;
