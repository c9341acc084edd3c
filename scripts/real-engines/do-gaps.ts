/**
 * Where DigitalOcean's OpenAPI description is stricter than DigitalOcean itself, so that a refusal the stand-in would
 * give there is the description's defect, not ours. Everything not listed here is treated as ours and fails
 * `npm run verify:do`; each entry is printed on every run.
 *
 * Where an entry cites godo, the provider's API client, its struct tags were read in godo v1.196.0 (the one in the Go
 * module cache here); the provider pins v1.168.0 (go.mod at v2.71.0), not read. The requests the stand-in received
 * from the pinned provider show the same (`-- --trace`, and the values in each entry's pattern).
 *
 * An entry needs evidence from the description's own text (a required property that no schema defines) or from the
 * pinned Terraform provider sending the value to DigitalOcean as a matter of course (so every user of the provider
 * would be refused if DigitalOcean refused it), cited with the file.
 */

export interface DescriptionGap {
  /** The operation (operationId in the description). */
  readonly operationId: string;
  /** Matches the refusal line. */
  readonly match: RegExp;
  /** Only for requests whose body this accepts (default: any). */
  readonly when?: (body: unknown) => boolean;
  /** Why this is the description's, with where it shows. */
  readonly reason: string;
}

export const DESCRIPTION_GAPS: readonly DescriptionGap[] = [
  {
    operationId: 'uptime_create_check',
    match: /body \/: must have required property 'method'$/,
    reason:
      "resources/uptime/create_check.yml lists 'method' as required, but no schema of the check (models/check.yml) defines a 'method' property; " +
      'the provider (uptime/resource_uptime_check.go) has no such argument',
  },
  {
    operationId: 'uptime_create_alert',
    match: /body \/comparison: must be one of "greater_than", "less_than" \(given ""\)$/,
    reason:
      'the provider sends comparison "" for an alert that sets none (uptime/resource_uptime_alert.go; godo UptimeAlert has no omitempty on it), ' +
      'as for every `down` alert, which has no threshold to compare',
  },
  {
    operationId: 'uptime_create_alert',
    match: /body \/notifications\/slack: must be array \(given null\)$/,
    reason: 'the provider sends slack null for an alert that notifies by email only (godo Notifications.Slack has no omitempty)',
  },
  {
    operationId: 'databases_create_cluster',
    match: /body \/project_id: must match format "uuid" \(given ""\)$/,
    reason:
      'the provider sends project_id "" when the cluster names no project (godo DatabaseCreateRequest.ProjectID has no omitempty): the default project',
  },
  {
    operationId: 'databases_create_cluster',
    match: /body \/rules: must be array \(given null\)$/,
    reason:
      'the provider sends rules null when the cluster sets no firewall rules at creation (godo DatabaseCreateRequest.Rules has no omitempty)',
  },
  {
    operationId: 'kubernetes_create_cluster',
    match: /body \/node_pools\/0: must have required property 'count'$/,
    when: (body) => ((body as { node_pools?: Array<{ auto_scale?: unknown }> } | undefined)?.node_pools ?? [])[0]?.auto_scale === true,
    reason:
      'an autoscaled default node pool without node_count is sent without count (godo KubernetesNodePoolCreateRequest.Count is omitempty); the ' +
      'provider documents node_count as optional when auto_scale is set (kubernetes/resource_kubernetes_cluster.go, docs/resources/kubernetes_cluster.md)',
  },
  {
    operationId: 'loadBalancers_create',
    match: /body \/: must have required property '(forwarding_rules|droplet_ids|tag|region)'$/,
    when: (body) => (body as { type?: unknown } | undefined)?.type === 'GLOBAL',
    reason:
      'a GLOBAL load balancer routes to target_load_balancer_ids with glb_settings and has no region, Droplets or forwarding rules of its own ' +
      '(models/load_balancer_base.yml defines type GLOBAL, glb_settings and target_load_balancer_ids "for a Global load balancer"), ' +
      'yet models/load_balancer_create.yml requires region with droplet_ids or tag, and forwarding_rules, of every load balancer',
  },
];

/** The gap a refusal belongs to, or undefined when it is ours. */
export function descriptionGapOf(operationId: string | undefined, line: string, body?: unknown): DescriptionGap | undefined {
  return DESCRIPTION_GAPS.find((g) => g.operationId === operationId && g.match.test(line) && (!g.when || g.when(body)));
}
