/**
 * Whether an environment carries production traffic, whatever it is called. Guards that apply to production (no
 * automatic promotion without analysis, a database standby) must not be skipped by spelling it `prod`, `prd`,
 * `live` or `eu-prod-2`.
 */
export type EnvironmentTier = 'production' | 'non-production';

/** Words that, as any part of an environment's name (split at `-`, `_`, `.`; a number after it ignored), mean production. */
export const PRODUCTION_WORDS: readonly string[] = ['production', 'prod', 'prd', 'live', 'prodution'];

/**
 * The tier of an environment name: production when any part of it is one of {@link PRODUCTION_WORDS}
 * (`production`, `prod-eu`, `eu_prd`, `live`, `production2`, `prod01`), else non-production (`staging`, `dev`,
 * `preprod` — a part that merely contains `prod` is not one). Case does not matter.
 */
export function environmentTier(name: string): EnvironmentTier {
  const parts = name
    .toLowerCase()
    .split(/[-_.\s]+/)
    .map((p) => p.replace(/\d+$/, ''));
  return parts.some((p) => PRODUCTION_WORDS.includes(p)) ? 'production' : 'non-production';
}
