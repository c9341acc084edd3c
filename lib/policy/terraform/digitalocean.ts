import { internetWideReason } from '../../common/cidr';
import { first, others, protectedFromDestroy, refersTo, rule, statefulTypes, TerraformRule } from './kit';

/** Rules for DigitalOcean (no scanner covers these). */
export const DIGITALOCEAN_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-DO-001',
    title: 'DOKS clusters: HA control plane, auto and surge upgrades in a maintenance window',
    severity: 'error',
    fix: 'set ha, auto_upgrade, surge_upgrade and maintenance_policy (RegionalCluster does)',
    types: ['digitalocean_kubernetes_cluster'],
    check: (r) => {
      const c = r.config;
      const bad: string[] = [];
      if (c.ha !== true) bad.push('control plane is not HA');
      if (c.auto_upgrade !== true) bad.push('auto-upgrade is off');
      if (c.surge_upgrade !== true) bad.push('surge upgrade is off');
      if (!first(c.maintenance_policy)?.day) bad.push('no maintenance window');
      if (!c.vpc_uuid) bad.push('not in a VPC of its own');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-002',
    title: 'DOKS node pools autoscale with at least 3 nodes',
    severity: 'error',
    fix: 'set node_pool.auto_scale = true and min_nodes >= 3',
    types: ['digitalocean_kubernetes_cluster', 'digitalocean_kubernetes_node_pool'],
    check: (r) => {
      const pool = r.type === 'digitalocean_kubernetes_cluster' ? first(r.config.node_pool) : r.config;
      if (!pool?.auto_scale) return 'the pool does not autoscale';
      return Number(pool.min_nodes) >= 3 ? undefined : `min_nodes is ${pool.min_nodes}`;
    },
  }),
  rule({
    id: 'SK-DO-003',
    title: 'Managed databases are private, highly available, firewalled and maintained in a window',
    severity: 'error',
    fix: 'set private_network_uuid, node_count >= 2, a maintenance_window, and a digitalocean_database_firewall',
    types: ['digitalocean_database_cluster'],
    check: (r, ctx) => {
      const bad: string[] = [];
      if (!r.config.private_network_uuid) bad.push('not on a private network');
      if (!(Number(r.config.node_count) >= 2)) bad.push(`${r.config.node_count} node(s): no standby`);
      if (!first(r.config.maintenance_window)) bad.push('no maintenance window');
      if (!others(ctx, 'digitalocean_database_firewall').some((f) => refersTo(f.config.cluster_id, r))) bad.push('no database firewall');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-004',
    title: 'Database firewalls admit only named clusters, droplets, tags or private ranges',
    severity: 'error',
    fix: 'use rule types k8s, droplet, tag or app; never an ip_addr of 0.0.0.0/0',
    types: ['digitalocean_database_firewall'],
    check: (r) => {
      const addresses = (r.config.rule ?? [])
        .filter((x: { type: string; value: string }) => x.type === 'ip_addr')
        .map((x: { value: string }) => x.value);
      const wide = internetWideReason(addresses);
      return wide ? `its ip_addr rules admit the whole internet (${wide})` : undefined;
    },
  }),
  rule({
    id: 'SK-DO-009',
    title: 'Droplet firewalls admit the internet only on 80/443',
    severity: 'error',
    checkov: ['CKV_DIO_4'],
    fix: 'admit named tags, droplets, load balancers or private ranges; only 80 and 443 may take 0.0.0.0/0',
    types: ['digitalocean_firewall'],
    check: (r) =>
      (r.config.inbound_rule ?? [])
        .filter(
          (x: { source_addresses?: string[]; port_range?: string }) =>
            internetWideReason(x.source_addresses ?? []) !== undefined && !['80', '443'].includes(String(x.port_range)),
        )
        .map((x: { port_range?: string; protocol: string }) => `${x.protocol} ${x.port_range ?? 'all ports'} open to the internet`),
  }),
  rule({
    id: 'SK-DO-005',
    title: 'Spaces buckets are private, versioned and protected',
    severity: 'error',
    checkov: ['CKV_DIO_1', 'CKV_DIO_3'],
    fix: "set acl = 'private', versioning.enabled = true, force_destroy = false and lifecycle.prevent_destroy",
    types: ['digitalocean_spaces_bucket'],
    check: (r) => {
      const bad: string[] = [];
      if (r.config.acl !== 'private') bad.push(`acl is ${r.config.acl ?? 'unset'}`);
      if (first(r.config.versioning)?.enabled !== true) bad.push('not versioned');
      if (r.config.force_destroy !== false || !protectedFromDestroy(r)) bad.push('not protected from deletion');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-006',
    title: 'Load balancers serve HTTPS and redirect HTTP',
    severity: 'error',
    fix: 'add an https forwarding rule with a certificate and set redirect_http_to_https = true',
    types: ['digitalocean_loadbalancer'],
    check: (r) => {
      if (r.config.type === 'GLOBAL')
        return first(r.config.domains)?.certificate_name || first(r.config.domains)?.certificate_id
          ? undefined
          : 'the global entry has no certificate';
      const rules: Array<{ entry_protocol: string; certificate_name?: string }> = r.config.forwarding_rule ?? [];
      if (!rules.some((x) => x.entry_protocol === 'https' && x.certificate_name)) return 'no HTTPS listener with a certificate';
      if (rules.some((x) => x.entry_protocol === 'http') && r.config.redirect_http_to_https !== true)
        return 'HTTP is served without a redirect';
      return first(r.config.healthcheck) ? undefined : 'no health check';
    },
  }),
  rule({
    id: 'SK-DO-007',
    title: 'The container registry is on a paid tier with room for the platform',
    severity: 'warning',
    fix: "use subscription_tier_slug 'basic' or 'professional' ('starter' holds one repository)",
    types: ['digitalocean_container_registry'],
    check: (r) => (r.config.subscription_tier_slug === 'starter' ? 'starter tier: one repository, 500 MB' : undefined),
  }),
  rule({
    id: 'SK-DO-008',
    title: 'Stateful DigitalOcean resources are protected from deletion',
    severity: 'error',
    fix: 'set lifecycle.prevent_destroy = true',
    types: statefulTypes('digitalocean'),
    check: (r) => (protectedFromDestroy(r) ? undefined : 'lifecycle.prevent_destroy is not set'),
  }),
];
