// `samokoder-infra/digitalocean`: the DigitalOcean DR pair and its parts (cdktf, @cdktf/provider-digitalocean, and
// @cdktf/provider-aws for the secret entries the clusters read).
export * from './entry-common';

export * from './digitalocean/region';
export * from './digitalocean/doks-version';
export * from './digitalocean/regional-cluster';
export * from './digitalocean/data-tier';
export * from './digitalocean/global-entry';
export * from './digitalocean/recovery-model';
export * from './digitalocean/failover-plan';
export * from './digitalocean/dr-secrets';
export * from './digitalocean/multi-region-dr';
