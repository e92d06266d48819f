/** The plan document's version: changes whenever its shape does (plan-schema.ts). Its own module so that writing a plan loads no zod. */
export const PLAN_VERSION = 2 as const;
