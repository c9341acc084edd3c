import { Construct } from 'constructs';
import { Certificate } from '@cdktf/provider-digitalocean/lib/certificate';
import { Domain } from '@cdktf/provider-digitalocean/lib/domain';
import { Loadbalancer } from '@cdktf/provider-digitalocean/lib/loadbalancer';
import { Record as DnsRecord } from '@cdktf/provider-digitalocean/lib/record';
import { UptimeAlert } from '@cdktf/provider-digitalocean/lib/uptime-alert';
import { UptimeCheck } from '@cdktf/provider-digitalocean/lib/uptime-check';
import { invalidProp } from '../common/errors';
import { _freeId, requireEmail, requireHostname, requireIntegerInRange } from '../common/validate';
import { RegionalCluster } from './regional-cluster';
import { pascalCase } from '../common/names';

/** Uptime alert periods DigitalOcean accepts. */
export const UPTIME_ALERT_PERIODS = ['2m', '3m', '5m', '10m', '15m', '30m', '1h'] as const;
/** One of {@link UPTIME_ALERT_PERIODS}. */
export type UptimeAlertPeriod = (typeof UPTIME_ALERT_PERIODS)[number];

/** Props for {@link TlsDomain}. */
export interface TlsDomainProps {
  readonly name: string;
  /** DNS zone managed by DigitalOcean, e.g. `samokoder.com`. */
  readonly domain: string;
  /** Host names inside the zone the certificate covers. */
  readonly hosts: string[];
}

/**
 * The DNS zone (managed by DigitalOcean) and a Let's Encrypt certificate for the given hosts. Created before the load
 * balancers that terminate TLS with it, so they reference it (and wait for it).
 */
export class TlsDomain extends Construct {
  public readonly domain: Domain;
  public readonly certificate: Certificate;
  public readonly zone: string;

  constructor(scope: Construct, id: string, props: TlsDomainProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    this.zone = requireHostname(path, 'domain', props.domain);
    props.hosts.forEach((h, i) => {
      requireHostname(path, `hosts[${i}]`, h);
      if (h !== this.zone && !h.endsWith(`.${this.zone}`)) {
        throw invalidProp(path, `hosts[${i}]`, h, `must be inside the domain "${this.zone}"`);
      }
    });
    this.domain = new Domain(this, 'Domain', { name: this.zone, lifecycle: { preventDestroy: true } });
    this.certificate = new Certificate(this, 'Certificate', {
      name: `${props.name}-tls`,
      type: 'lets_encrypt',
      domains: props.hosts,
      dependsOn: [this.domain],
      lifecycle: { createBeforeDestroy: true },
    });
  }
}

/** Props for {@link GlobalEntry}. */
export interface GlobalEntryProps {
  readonly name: string;
  /** The zone and certificate (covering the host and `<region>.<host>` for both regions). */
  readonly tls: TlsDomain;
  /** Public host, inside the zone, e.g. `api.samokoder.com`. */
  readonly host: string;
  /** More hosts behind the same entry (each on the certificate). @default [] */
  readonly additionalHosts?: string[];
  readonly primary: RegionalCluster;
  readonly secondary: RegionalCluster;
  /** Percentage of unhealthy regional targets that moves traffic to the next region (1–99). @default 50 */
  readonly failoverThresholdPercent?: number;
  /** Path the uptime checks request. @default '/health' */
  readonly healthPath?: string;
  /** Who is told when a region is down. */
  readonly alertEmails: string[];
  /** How long a check must fail before the alert fires. @default '2m' */
  readonly alertPeriod?: UptimeAlertPeriod;
}

/**
 * The global entry: the DNS zone, a Let's Encrypt certificate for the host and its per-region names, a Global Load
 * Balancer (`type = "GLOBAL"`) in front of both regional load balancers with the primary first, per-region DNS names
 * for direct checks, and uptime checks with alerts per region and for the global host.
 */
export class GlobalEntry extends Construct {
  public readonly globalLoadBalancer: Loadbalancer;
  public readonly checks: Record<'global' | 'primary' | 'secondary', UptimeCheck>;
  /** Per-region host names (`<region>.<host>`). */
  public readonly regionalHosts: Record<'primary' | 'secondary', string>;
  public readonly alertPeriodSeconds: number;
  public readonly failoverThresholdPercent: number;
  /** Every global host, the main one first. */
  public readonly hosts: string[];
  /** Path the global load balancer and the uptime checks request. */
  public readonly healthPath: string;

  /** The per-region host names checked directly: `<region>.<host>`. */
  public static regionalHosts(host: string, primary: string, secondary: string): { primary: string; secondary: string } {
    return { primary: `${primary}.${host}`, secondary: `${secondary}.${host}` };
  }

  constructor(scope: Construct, id: string, props: GlobalEntryProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    const zone = props.tls.zone;
    const host = requireHostname(path, 'host', props.host);
    if (host !== zone && !host.endsWith(`.${zone}`)) {
      throw invalidProp(path, 'host', host, `must be inside the domain "${zone}"`);
    }
    this.failoverThresholdPercent = requireIntegerInRange(path, 'failoverThresholdPercent', props.failoverThresholdPercent ?? 50, 1, 99);
    if (props.alertEmails.length === 0) {
      throw invalidProp(path, 'alertEmails', [], 'must name at least one address: a region outage nobody hears of is not detected');
    }
    props.alertEmails.forEach((e, i) => {
      requireEmail(path, `alertEmails[${i}]`, e);
    });
    const period = props.alertPeriod ?? '2m';
    if (!(UPTIME_ALERT_PERIODS as readonly string[]).includes(period)) {
      throw invalidProp(path, 'alertPeriod', period, `must be one of ${UPTIME_ALERT_PERIODS.join(', ')}`);
    }
    this.alertPeriodSeconds = period.endsWith('h') ? Number(period.slice(0, -1)) * 3600 : Number(period.slice(0, -1)) * 60;
    const healthPath = (this.healthPath = props.healthPath ?? '/health');
    this.hosts = [host, ...(props.additionalHosts ?? [])];
    this.hosts.forEach((h, i) => {
      requireHostname(path, i === 0 ? 'host' : `additionalHosts[${i - 1}]`, h);
      if (h !== zone && !h.endsWith(`.${zone}`)) {
        throw invalidProp(path, i === 0 ? 'host' : `additionalHosts[${i - 1}]`, h, `must be inside the domain "${zone}"`);
      }
      if (this.hosts.indexOf(h) !== i) throw invalidProp(path, `additionalHosts[${i - 1}]`, h, 'is listed twice');
    });
    const relative = (fqdn: string) => (fqdn === zone ? '@' : fqdn.slice(0, -(zone.length + 1)));
    this.regionalHosts = GlobalEntry.regionalHosts(host, props.primary.region.slug, props.secondary.region.slug);
    for (const role of ['primary', 'secondary'] as const) {
      const slug = props[role].region.slug;
      new DnsRecord(this, `RegionRecord${pascalCase(slug)}`, {
        domain: props.tls.domain.id,
        type: 'A',
        name: relative(this.regionalHosts[role]),
        value: props[role].loadBalancer.ip,
        ttl: 60,
      });
    }
    this.globalLoadBalancer = new Loadbalancer(this, 'GlobalLoadBalancer', {
      name: `${props.name}-global`,
      type: 'GLOBAL',
      domains: this.hosts.map((name) => ({ name, isManaged: true, certificateName: props.tls.certificate.name })),
      glbSettings: {
        targetProtocol: 'https',
        targetPort: 443,
        regionPriorities: { [props.primary.region.slug]: 1, [props.secondary.region.slug]: 2 },
        failoverThreshold: this.failoverThresholdPercent,
        cdn: { isEnabled: false },
      },
      targetLoadBalancerIds: [props.primary.loadBalancer.id, props.secondary.loadBalancer.id],
      healthcheck: {
        protocol: 'https',
        port: 443,
        path: healthPath,
        checkIntervalSeconds: props.primary.healthCheck.intervalSeconds,
        responseTimeoutSeconds: 3,
        unhealthyThreshold: props.primary.healthCheck.unhealthyThreshold,
        healthyThreshold: 3,
      },
      dependsOn: [props.tls.domain],
    });

    const check = (label: string, target: string) => {
      const idPart = pascalCase(label);
      const c = new UptimeCheck(this, `Check${idPart}`, {
        name: `${props.name}-${label}`,
        target: `https://${target}${healthPath}`,
        type: 'https',
        regions: ['us_east', 'us_west', 'eu_west', 'se_asia'],
        enabled: true,
      });
      new UptimeAlert(this, `Alert${idPart}`, {
        checkId: c.id,
        name: `${props.name}-${label}-down`,
        type: 'down',
        period,
        notifications: [{ email: props.alertEmails }],
      });
      return c;
    };
    this.checks = {
      global: check('global', host),
      primary: check(props.primary.region.slug, this.regionalHosts.primary),
      secondary: check(props.secondary.region.slug, this.regionalHosts.secondary),
    };
  }
}
