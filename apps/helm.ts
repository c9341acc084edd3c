/**
 * The same production manifests as dist/production, as a Helm chart (brief DE3: "create a Helm chart from existing
 * manifests and publish it"). Run through `npm run helm`, which calls `cdk8s synth --format helm` with this program
 * and then scripts/finalize-helm-chart.mjs (chart metadata, values for the images, values schema).
 */
import { App, YamlOutputType } from 'cdk8s';
import { HELM_NAMESPACE_SENTINEL } from '../scripts/helm-namespace.mjs';
import { loadConfig } from './config';
import { buildKubernetesApps } from './kubernetes-apps';
import { buildTerraformApp } from './terraform';

if (require.main === module) {
  const config = loadConfig();
  const production = config.services.find((s) => s.name === 'production')!;
  // The release's namespace is Helm's to choose: build with a sentinel namespace, which finalize-helm-chart.mjs
  // turns into `{{ .Release.Namespace }}` wherever it appears (metadata, namespace selectors, PromQL, Service URLs).
  const contract = { ...buildTerraformApp(config).stacks.production.contract, namespace: HELM_NAMESPACE_SENTINEL };
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts = buildKubernetesApps(app, production, contract);
  // Helm installs into a namespace it is given (helm install -n): the Namespace chart stays out of the Helm chart,
  // and so does the cluster's shared Gateway (platform, not app).
  app.node.tryRemoveChild(charts.namespace.node.id);
  app.node.tryRemoveChild(charts.gateway.node.id);
  app.synth();
}
