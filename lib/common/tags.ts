import { invalidProp } from './errors';
import { refuseCredential } from './validate';

/**
 * Cost-allocation tags required on every taggable resource (FinOps). They become provider default tags on AWS and
 * tags/labels elsewhere.
 */
export interface CostAllocationTags {
  /** Deployment environment, e.g. `production` or `staging`. */
  readonly environment: string;
  /** The service or product the resources belong to, e.g. `samokoder`. */
  readonly service: string;
  /** The owning team, who is paged and who pays. */
  readonly team: string;
  /** The finance cost center the spend is booked to. */
  readonly costCenter: string;
}

const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]{1,256}$/u;

/**
 * Validates the tags and returns them as the `Key: value` map written to resources.
 * Every field is required and must be a valid AWS tag value (1–256 characters of letters, digits, spaces and
 * `_ . : / = + - @`).
 */
export function costAllocationTagMap(path: string, tags: CostAllocationTags | undefined): Record<string, string> {
  const keys: Array<[keyof CostAllocationTags, string]> = [
    ['environment', 'Environment'],
    ['service', 'Service'],
    ['team', 'Team'],
    ['costCenter', 'CostCenter'],
  ];
  const out: Record<string, string> = {};
  for (const [field, key] of keys) {
    const value = tags?.[field];
    // Tags are written into every resource (and the provider's default_tags) as given.
    refuseCredential(path, `tags.${field}`, value);
    if (value === undefined || !TAG_VALUE.test(value) || value.trim() === '') {
      throw invalidProp(
        path,
        `tags.${field}`,
        value,
        'is required on every stack (cost allocation): 1–256 characters of letters, digits, spaces and _ . : / = + - @',
      );
    }
    out[key] = value;
  }
  out.ManagedBy = 'samokoder-infra';
  return out;
}

/**
 * Cost-allocation tags as DigitalOcean tag names (plain strings): `key:value`, lower case, at most 255 characters.
 *
 * A value is written as given (lower-cased, as these names have always been) or refused: DigitalOcean takes only
 * ASCII letters, digits, `-`, `_` and `:` in a tag, and a value rewritten to fit (`CC.1042` as `cc-1042`, a
 * non-Latin name as `-`) no longer joins with the same tag on AWS in a cost report. `:` is refused too: it
 * separates the key from the value, and a report could not split `team:a:b` back.
 * @internal
 */
export function _digitaloceanTagNames(path: string, tagMap: Record<string, string>): string[] {
  return Object.entries(tagMap).map(([k, v]) => {
    const prop = `tags.${k[0].toLowerCase()}${k.slice(1)}`;
    if (!/^[A-Za-z0-9_-]+$/.test(v)) {
      throw invalidProp(
        path,
        prop,
        v,
        'cannot be written as a DigitalOcean tag as given (DigitalOcean takes ASCII letters, digits, - and _ in a "key:value" tag), so cost reports would no longer join with AWS: use letters, digits, - and _ only',
      );
    }
    const name = `${k.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}:${v.toLowerCase()}`;
    if (name.length > 255) {
      throw invalidProp(path, prop, v, 'is too long for a DigitalOcean tag (key:value at most 255 characters)');
    }
    return name;
  });
}
