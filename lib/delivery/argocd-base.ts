import { invalidProp } from '../common/errors';
import { requireDnsLabel } from '../common/validate';

// What the Argo CD Application and Project share: the destination, and the checks of repository URLs, revisions and
// project names (split out of argocd.ts).

/** Where an Application deploys to: a cluster registered in Argo CD, by name, and a namespace. */
export interface ArgoDestination {
  /** Cluster name as registered in Argo CD (`in-cluster` for Argo CD's own). */
  readonly cluster: string;
  readonly namespace: string;
}

const REPO_URL = /^(https:\/\/[^\s/$.?#].[^\s]*|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/;

/** Throws unless `url` is a Git URL Argo CD can clone. @internal */
export function _requireRepoUrl(path: string, prop: string, url: string): string {
  // `https://user:token@host/…` puts a credential into Git: Argo CD reads credentials from its repository Secrets.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i.test(url) && !/^ssh:\/\/[A-Za-z0-9._-]+@/.test(url)) {
    throw invalidProp(
      path,
      prop,
      '<redacted>',
      'holds credentials (user:token@): register the repository with Argo CD (a repository Secret) and write the URL without them',
    );
  }
  if (!REPO_URL.test(url)) {
    throw invalidProp(path, prop, url, 'is not a repository URL: use https://host/org/repo.git, ssh://… or git@host:org/repo.git');
  }
  return url;
}

/**
 * A Git revision Argo CD can resolve: a branch, tag or commit (`main`, `v1.4.2`, `release/2026-11`, a SHA), per
 * `git check-ref-format`: no spaces, no `..`, none of `~^:?*[\`, not ending with `/`, `.` or `.lock`.
 * @internal
 */
export function _requireRevision(path: string, prop: string, revision: string): string {
  if (typeof revision !== 'string' || revision === '' || /[\s~^:?*[\\]|\.\.|@\{|\/\/|^[/.-]|[/.]$|\.lock$/.test(revision)) {
    throw invalidProp(
      path,
      prop,
      revision,
      'must be a branch, tag or commit such as "main", "v1.4.2" or "release/2026-11" (git check-ref-format)',
    );
  }
  return revision;
}

/** Throws unless `project` names an Argo CD project of a team's own (not `default`). @internal */
export function requireProject(path: string, prop: string, project: string): string {
  if (project === 'default') {
    throw invalidProp(
      path,
      prop,
      project,
      "is Argo CD's catch-all project, which allows any source, destination and kind: name a project of your own",
    );
  }
  return requireDnsLabel(path, prop, project);
}

/** A Helm repository: an https URL or an OCI registry path. @internal */
export const HELM_REPO_URL = /^(https:\/\/[^\s]+|[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(\/[a-z0-9._-]+)+)$/;
