import { invalidProp } from './errors';
import { _nearest } from './props';

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

/**
 * Environment names used without a declaration. An environment's name is in every resource name and the state key
 * (`<project>-<environment>`, `<project>/<environment>/terraform.tfstate`), so a typo (`prodution`) does not fail: it
 * plans a second, empty environment beside the first. A name outside this list is declared with
 * `unlistedEnvironment: true` (SamokoderStack, MultiRegionDR, ProductionApp); production's guards still follow
 * {@link environmentTier}, whatever the name.
 */
export const KNOWN_ENVIRONMENTS: readonly string[] = [
  'production',
  'staging',
  'development',
  'prod',
  'stage',
  'dev',
  'test',
  'qa',
  'uat',
  'preprod',
  'preview',
  'sandbox',
  'demo',
];

/**
 * Throws unless `environment` is one of {@link KNOWN_ENVIRONMENTS} or declared `unlisted`, and unless
 * `tagEnvironment` (the cost-allocation tag) names the same environment (case aside). @internal
 */
export function _requireEnvironment(
  path: string,
  environment: string,
  unlisted: boolean | undefined,
  tagEnvironment: string | undefined,
  why = 'it names every resource and the state key, so a typo moves the whole environment',
): string {
  if (!unlisted && !KNOWN_ENVIRONMENTS.includes(environment)) {
    const near = _nearest(environment, KNOWN_ENVIRONMENTS, 2);
    throw invalidProp(
      path,
      'environment',
      environment,
      `is not one of the environment names the library knows (${KNOWN_ENVIRONMENTS.join(', ')})${near ? ` (did you mean "${near}"?)` : ''}: ${why}; set unlistedEnvironment: true if the name is meant`,
    );
  }
  if (tagEnvironment !== undefined && tagEnvironment.toLowerCase() !== environment.toLowerCase()) {
    throw invalidProp(
      path,
      'tags.environment',
      tagEnvironment,
      `contradicts 'environment' ("${environment}"): cost reports would book this environment's spend to "${tagEnvironment}"; tag it "${environment}"`,
    );
  }
  return environment;
}
