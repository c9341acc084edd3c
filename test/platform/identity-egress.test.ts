import { _checkIdentityEgress } from '../../lib/platform/identity-egress';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
type K8sObject = Record<string, any>;

const identities = [{ namespace: 'ops', serviceAccount: 'scaler' }];
const deployment = (serviceAccountName = 'scaler'): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'scaler', namespace: 'ops' },
  spec: { template: { metadata: { labels: { app: 'scaler' } }, spec: { serviceAccountName, containers: [] } } },
});
const policy = (egress: K8sObject[] | undefined, matchLabels: Record<string, string> = { app: 'scaler' }): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'scaler', namespace: 'ops' },
  spec: { podSelector: { matchLabels }, policyTypes: egress ? ['Egress'] : ['Ingress'], ...(egress ? { egress } : {}) },
});
const https = { ports: [{ protocol: 'TCP', port: 443 }] };

describe('a workload with a cloud identity can reach the EKS Pod Identity agent', () => {
  test('egress restricted without the agent: refused, naming the workload, its account and the policies', () => {
    expect(_checkIdentityEgress(identities, [deployment(), policy([https])])).toEqual([
      'Deployment ops/scaler: runs as "scaler", which has a cloud identity (EKS Pod Identity), but its NetworkPolicies (scaler) allow no egress to the Pod Identity agent (169.254.170.23:80): it would get no credentials (Dependency.podIdentityAgent() for an app)',
    ]);
  });

  test.each([
    ['the agent on port 80', [https, { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }]],
    ['a block holding it, every port', [{ to: [{ ipBlock: { cidr: '169.254.0.0/16' } }] }]],
    ['every destination on port 80', [{ ports: [{ port: 80 }] }]],
  ])('egress that reaches it (%s) passes', (_, egress) => {
    expect(_checkIdentityEgress(identities, [deployment(), policy(egress)])).toEqual([]);
  });

  test.each([
    ['the block excepts it', [{ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.170.0/24'] } }] }]],
    ['another port', [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 8080 }] }]],
    ['UDP', [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'UDP', port: 80 }] }]],
  ])('egress that does not (%s) is refused', (_, egress) => {
    expect(_checkIdentityEgress(identities, [deployment(), policy(egress)])).toHaveLength(1);
  });

  test('no egress restriction, a policy for other pods, or an account without an identity: nothing to say', () => {
    expect(_checkIdentityEgress(identities, [deployment(), policy(undefined)])).toEqual([]);
    expect(_checkIdentityEgress(identities, [deployment(), policy([https], { app: 'other' })])).toEqual([]);
    expect(_checkIdentityEgress(identities, [deployment('default'), policy([https])])).toEqual([]);
  });
});
