import { invalidProp } from './errors';
import { _nearest } from './props';

/** When {@link _AWS_REGION_NAMES} was last compared with the AWS list of regions. @internal */
export const _AWS_REGIONS_DATE = '2026-11-21';

/**
 * Every region name AWS had opened on {@link _AWS_REGIONS_DATE} (commercial, GovCloud, China, European Sovereign
 * Cloud). Kept here, without an engine import, so the Kubernetes side (PlatformCloud) checks names as the stacks do.
 * @internal
 */
export const _AWS_REGION_NAMES: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'ca-west-1',
  'mx-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eusc-de-east-1',
];

const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/**
 * Throws unless `name` has an AWS region's shape and is on {@link _AWS_REGION_NAMES}, or `unlisted` declares it newer
 * than the list (`escape` says how: `set remoteState.unlistedRegion: true`). A well-formed typo (`eu-centrl-1`) gets
 * the nearest listed name.
 * @internal
 */
export function _requireAwsRegionName(path: string, prop: string, name: string, unlisted: boolean | undefined, escape: string): string {
  if (typeof name !== 'string' || !REGION_NAME.test(name)) {
    throw invalidProp(path, prop, name, 'must be an AWS region name such as "eu-central-1"');
  }
  if (!unlisted && !_AWS_REGION_NAMES.includes(name)) {
    const near = _nearest(name, _AWS_REGION_NAMES);
    throw invalidProp(
      path,
      prop,
      name,
      `is not an AWS region on the library's list of ${_AWS_REGIONS_DATE}${near ? ` (did you mean "${near}"?)` : ''}: for a region newer than the list, ${escape}`,
    );
  }
  return name;
}
