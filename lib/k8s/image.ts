import { invalidProp } from '../common/errors';

const DIGEST = /@sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Throws unless `image` is pinned: a digest (`repo@sha256:…`) or an explicit tag other than `latest`.
 * An unpinned image makes a re-sync deploy whatever was pushed last.
 */
export function requirePinnedImage(path: string, prop: string, image: string): string {
  if (DIGEST.test(image)) return image;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon === -1 ? undefined : image.slice(colon + 1);
  if (tag === undefined || tag === '' || !TAG.test(tag) || tag === 'latest' || /\s/.test(image)) {
    throw invalidProp(
      path,
      prop,
      image,
      'must be pinned to a version tag or digest ("repo/app:1.4.2" or "repo/app@sha256:<64 hex>"); "latest" and untagged images are refused',
    );
  }
  return image;
}
