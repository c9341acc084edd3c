/**
 * The reference Samokoder deployment's configuration: read and validated once, here, then passed down as typed
 * props. Nothing under lib/ reads the environment.
 *
 * Overrides (all optional, for CI or a fork of this repo):
 * - SAMOKODER_SUPPORT_CHECK_DATE: ISO date the EKS support check is made for (default: today).
 */
import { AwsRegion, CostAllocationTags, EnvironmentProfile } from 'samokoder-infra';

export interface AwsEnvironmentConfig {
  readonly name: 'production' | 'staging';
  readonly profile: EnvironmentProfile;
  readonly region: AwsRegion;
  readonly vpcCidr: string;
  readonly tags: CostAllocationTags;
}

export interface PlatformConfig {
  readonly stateBucket: string;
  readonly stateRegion: AwsRegion;
  readonly supportCheckDate?: string;
  readonly aws: readonly AwsEnvironmentConfig[];
}

function isoDate(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new Error(`${name} (${JSON.stringify(value)}) must be an ISO date such as 2026-11-21`);
  }
  return value;
}

const team = { service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  return {
    stateBucket: 'samokoder-terraform-state',
    stateRegion: AwsRegion.EU_CENTRAL_1,
    supportCheckDate: isoDate('SAMOKODER_SUPPORT_CHECK_DATE', env.SAMOKODER_SUPPORT_CHECK_DATE),
    aws: [
      {
        name: 'production',
        profile: EnvironmentProfile.PRODUCTION,
        region: AwsRegion.EU_CENTRAL_1,
        vpcCidr: '10.0.0.0/16',
        tags: { environment: 'production', ...team },
      },
      {
        name: 'staging',
        profile: EnvironmentProfile.STAGING,
        region: AwsRegion.EU_CENTRAL_1,
        vpcCidr: '10.1.0.0/16',
        tags: { environment: 'staging', ...team },
      },
    ],
  };
}
