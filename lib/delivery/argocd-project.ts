import { Construct } from 'constructs';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { invalidProp } from '../common/errors';
import { RESERVED_NAMESPACES } from '../common/namespaces';
import { _freeId, requireDnsLabel } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { _requireRepoUrl, ArgoDestination, HELM_REPO_URL, requireProject } from './argocd-base';

// ArgoCdProject and the checks of its patterns (split out of argocd.ts).

/**
 * A project source repository: a URL, or a pattern whose glob is in the last part of the path only, under a named
 * host and organisation (`https://host/org/*`, `https://host/org/payments-*`, `git@host:org/*`). Refused with the
 * reason: `*`, a glob in the host (any host) or above the last part (`https://host/*`: every organisation).
 */
function requireRepoPattern(path: string, prop: string, repo: string): void {
  if (!/[*?[{]/.test(repo)) return;
  const m = /^(https:\/\/|ssh:\/\/(?:[A-Za-z0-9._-]+@)?|git@)([^/:]+)[/:](.+)$/.exec(repo);
  if (!m) {
    throw invalidProp(
      path,
      prop,
      repo,
      'must name repositories; a pattern keeps its glob in the last part of an organisation path (https://host/org/*)',
    );
  }
  if (/[*?[{]/.test(m[2])) throw invalidProp(path, prop, repo, 'matches repositories of any host: name the host');
  const parts = m[3].split('/');
  if (parts.length < 2 || parts.slice(0, -1).some((p) => /[*?[{]/.test(p))) {
    throw invalidProp(path, prop, repo, 'matches every repository of the host: name an organisation (https://host/org/*)');
  }
}

/**
 * The namespace of a project destination: a namespace, or an Argo CD pattern of namespaces (`team-*`, `team-?`,
 * `team-[ab]`, `team-{api,web}`: Argo CD matches destinations as globs). Refused: a pattern that matches every
 * namespace (`*`, `**`), one that reaches Kubernetes' or the platform layer's namespaces (`kube-*`, `*-system`:
 * the project could deploy over the platform), a negation (`!ns`, Argo CD's "every namespace but ns"), and what
 * matches no namespace (upper case, an unclosed `[`).
 */
function requireNamespacePattern(path: string, prop: string, pattern: string): void {
  const rule = 'name the namespaces, or a pattern such as "team-*"';
  if (pattern.startsWith('!')) {
    throw invalidProp(path, prop, pattern, `means every namespace but ${pattern.slice(1)} (Argo CD's negation): ${rule}`);
  }
  if (!/[*?[{]/.test(pattern)) {
    requireDnsLabel(path, prop, pattern);
    return;
  }
  const re = _argoGlob(pattern);
  if (!re || !/^[-a-z0-9*?[\]{},!]+$/.test(pattern)) {
    throw invalidProp(
      path,
      prop,
      pattern,
      'must be a namespace (a DNS label) or an Argo CD pattern of one (lower-case letters, digits and - with * ? [...] {a,b})',
    );
  }
  if (/^[*?]*$/.test(pattern) && pattern.includes('*')) throw invalidProp(path, prop, pattern, `matches every namespace: ${rule}`);
  const reserved = RESERVED_NAMESPACES.find((n) => re.test(n));
  if (reserved) {
    throw invalidProp(
      path,
      prop,
      pattern,
      `matches "${reserved}", a namespace of Kubernetes or the platform layer: start the pattern with the team's own prefix (e.g. "team-*")`,
    );
  }
}

/**
 * An Argo CD glob as a regular expression (Argo CD's util/glob, gobwas/glob without separators): `*` any run of
 * characters, `?` one, `[abc]`/`[a-c]`/`[!abc]` one of (or none of) a class, `{a,b}` one of the alternatives.
 * Undefined when the pattern is malformed (an unclosed `[` or `{`).
 * @internal
 */
export function _argoGlob(pattern: string): RegExp | undefined {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return undefined;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '' || body.startsWith('-') || body.endsWith('-')) return undefined;
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  if (depth !== 0) return undefined;
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return undefined;
  }
}

/** A Kubernetes kind, for AppProject allow lists. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Props for {@link ArgoCdProject}. */
export interface ArgoCdProjectProps {
  readonly name: string;
  readonly description: string;
  /** Repositories Applications of the project may sync from. */
  readonly sourceRepos: string[];
  /** Clusters and namespaces they may deploy to. */
  readonly destinations: ArgoDestination[];
  /** Cluster-scoped kinds they may manage. @default [Namespace] */
  readonly clusterResources?: GroupKind[];
  /** Namespaced kinds they may manage. @default - everything except ResourceQuota-free escapes listed in the README */
  readonly namespaceResources?: GroupKind[];
  /** @default 'argocd' */
  readonly argocdNamespace?: string;
}

/**
 * An Argo CD AppProject per team/environment: only the named repositories, destinations and kinds. Argo CD's
 * `default` project allows everything and is never used.
 */
export class ArgoCdProject extends Construct {
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    this.projectName = requireProject(path, 'name', props.name);
    props.sourceRepos.forEach((r, i) => {
      if (!HELM_REPO_URL.test(r)) _requireRepoUrl(path, `sourceRepos[${i}]`, r);
    });
    if (props.destinations.length === 0) throw invalidProp(path, 'destinations', [], 'must name at least one cluster and namespace');
    props.destinations.forEach((d, i) => {
      if (!d.namespace)
        throw invalidProp(
          path,
          `destinations[${i}].namespace`,
          d.namespace,
          'is required: a project without namespaces may deploy anywhere',
        );
      requireNamespacePattern(path, `destinations[${i}].namespace`, d.namespace);
      if (!d.cluster || d.cluster.includes('*'))
        throw invalidProp(path, `destinations[${i}].cluster`, d.cluster, 'must name a cluster registered in Argo CD, not every cluster');
    });
    (props.sourceRepos ?? []).forEach((r, i) => requireRepoPattern(path, `sourceRepos[${i}]`, r));
    for (const [prop, list] of [
      ['clusterResources', props.clusterResources ?? []],
      ['namespaceResources', props.namespaceResources ?? []],
    ] as const) {
      list.forEach((g, i) => {
        if (g.kind.includes('*') || g.group.includes('*')) {
          throw invalidProp(
            path,
            `${prop}[${i}]`,
            g,
            'must name a group and kind: a wildcard lets the project manage kinds no one reviewed',
          );
        }
      });
    }
    _apiObject<IAppProject>(this, 'Project', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: this.projectName, namespace: props.argocdNamespace ?? 'argocd' },
      spec: {
        description: props.description,
        sourceRepos: props.sourceRepos,
        destinations: props.destinations.map((d) => ({ name: d.cluster, namespace: d.namespace })),
        clusterResourceWhitelist: (props.clusterResources ?? [{ group: '', kind: 'Namespace' }]).map((g) => ({ ...g })),
        ...(props.namespaceResources ? { namespaceResourceWhitelist: props.namespaceResources.map((g) => ({ ...g })) } : {}),
        orphanedResources: { warn: true },
      },
    });
  }
}
