import { invalidProp } from '../common/errors';

// The grammar of an image reference, after distribution/reference (what containerd and the kubelet parse):
// [domain[:port]/]path[:tag][@digest], the path in lower case.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?)`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** Why `image` is not a valid reference, or undefined. */
function referenceError(image: string): string | undefined {
  if (/\s/.test(image)) return 'holds white space';
  if (/^[a-z]+:\/\//i.test(image)) return 'is a URL: write the reference without a scheme ("ghcr.io/team/app:1.4.2")';
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  if (at !== -1 && !SHA256.test(image.slice(at + 1))) return 'has a digest that is not sha256:<64 lower-case hex>';
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? named : named.slice(0, colon);
  const tag = colon === -1 ? undefined : named.slice(colon + 1);
  if (tag !== undefined && tag !== '' && !TAG.test(tag))
    return 'has a tag that is not 1–128 letters, digits, _ . - (not starting with . or -)';
  if (name.length > 255 || !NAME.test(name)) {
    return 'has a repository that is not [registry[:port]/]path with a lower-case path of letters, digits and . _ - separators';
  }
  return undefined;
}

/**
 * Throws unless `image` is a valid reference that is pinned: a digest (`repo@sha256:…`, with or without a tag) or an
 * explicit tag other than `latest`. An unpinned image makes a re-sync deploy whatever was pushed last; a malformed
 * one fails only when the kubelet pulls it.
 */
export function requirePinnedImage(path: string, prop: string, image: string): string {
  // `user:password@registry/…` is a credential, not a reference: refused without repeating it.
  if (/^[^/@]*:[^/@]*@[^/]+\//.test(image)) {
    throw invalidProp(
      path,
      prop,
      '<redacted>',
      'holds registry credentials (user:password@): pull with an imagePullSecret, and never write a credential into a reference',
    );
  }
  const why = referenceError(image);
  if (why) throw invalidProp(path, prop, image, `is not an image reference: it ${why}`);
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon === -1 ? undefined : image.slice(colon + 1);
  if (tag === undefined || tag === '' || tag === 'latest') {
    throw invalidProp(
      path,
      prop,
      image,
      'must be pinned to a version tag or digest ("repo/app:1.4.2" or "repo/app@sha256:<64 hex>"); "latest" and untagged images are refused',
    );
  }
  return image;
}

/** The tag of a reference (`repo/app:1.4.2` → `1.4.2`), or undefined for a digest or no tag. */
function tagOf(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : image.slice(colon + 1);
}

/**
 * Throws unless a production image is pinned to something that does not move: a digest, or a version tag (one with a
 * digit: `1.4.2`, `v2`, `build-481`, `sha-3f2a9c1`, or a commit's hex such as `deadbeef`). Branch and channel names
 * (`main`, `dev`, `stable`, `edge`) are re-pointed at every push, so a re-sync or a rescheduled pod runs whatever was
 * pushed last; `requirePinnedImage` already refuses `latest` everywhere.
 */
export function requireImmutableImage(path: string, prop: string, image: string): string {
  const tag = tagOf(image);
  if (tag === undefined || /\d/.test(tag) || /^[a-f0-9]{7,64}$/.test(tag)) return image;
  throw invalidProp(
    path,
    prop,
    image,
    `has the tag "${tag}", a name that moves: production pins a digest or a version tag (one with a digit: "1.4.2", "v2", "build-481", "sha-3f2a9c1")`,
  );
}
