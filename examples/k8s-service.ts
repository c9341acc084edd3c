/**
 * A team's service in a few lines: `npx tsx examples/k8s-service.ts <outdir>` writes its manifests.
 * In a team repo the import is the same: `import { ProductionApp } from 'samokoder-infra'`.
 */
import { App } from 'cdk8s';
import { AppSecret, Dependency, ProductionApp } from 'samokoder-infra';

export function build(outdir: string): App {
  const app = new App({ outdir });
  new ProductionApp(app, 'billing', {
    name: 'billing',
    image: 'ghcr.io/acme/billing:2.3.1',
    port: 8080,
    host: 'billing.acme.dev',
    secrets: [AppSecret.fromStore('STRIPE_API_KEY', 'billing/production/stripe', 'api_key')],
    dependencies: [Dependency.internetHttps('stripe')],
  });
  return app;
}

if (require.main === module) {
  build(process.argv[2] ?? 'dist-examples/k8s-service').synth();
}
