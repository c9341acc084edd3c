import { Construct } from 'constructs';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { internetWideReason, Ipv4Cidr } from '../common/cidr';
import { invalidProp } from '../common/errors';
import { _AllKeys, _checkProps } from '../common/props';
import { _freeId, isUnresolved } from '../common/validate';
import { SamokoderCluster } from './eks-cluster';

/** How an Argo CD hub outside this stack reaches and deploys to its cluster (see docs/delivery.md, "Argo CD itself"). */
export interface ArgoCdHubAccess {
  /**
   * The hub's management role, the identity of its controllers (Pod Identity or IRSA on the hub's cluster): an IAM
   * role ARN, or the name of a role in this stack's account. It must exist before this stack is applied (IAM refuses a
   * trust policy that names a role it does not know).
   */
  readonly managementRole: string;
  /**
   * IPv4 ranges of the hub's network (a VPC peered with this one, or attached to the same transit gateway), admitted
   * to the private API endpoint on 443. A private-only endpoint's name resolves to its VPC addresses through public
   * DNS, so a peered network reaches it by name (AWS knowledge center, eks-private-cluster-endpoint-vpc); the EKS
   * cluster security group must admit it (EKS user guide, cluster-endpoint.html, "Accessing a private only API server").
   * @default [] - the hub reaches the endpoint another way (`EndpointAccess.publicAndPrivate` with its egress addresses)
   */
  readonly apiAccessCidrs?: string[];
}

const HUB_ACCESS_KEYS = ['managementRole', 'apiAccessCidrs'] as const;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The checked hub access: the management role's ARN (account still a token when named), the CIDRs. @internal */
export interface _ResolvedHubAccess {
  readonly managementRole: { readonly arn: string } | { readonly name: string };
  readonly apiAccessCidrs: readonly string[];
}

/** Checks `argoCdHub` before anything is built. @internal */
export function _resolveHubAccess(path: string, prop: string, access: ArgoCdHubAccess): _ResolvedHubAccess {
  _checkProps<_AllKeys<ArgoCdHubAccess, typeof HUB_ACCESS_KEYS>>(
    path,
    'Argo CD hub access',
    access,
    HUB_ACCESS_KEYS,
    ['managementRole'],
    `${prop}.`,
  );
  const role = access.managementRole;
  let managementRole: _ResolvedHubAccess['managementRole'];
  if (isUnresolved(role) || ROLE_ARN.test(role)) managementRole = { arn: role };
  else if (typeof role === 'string' && !role.startsWith('arn:') && ROLE_NAME.test(role)) managementRole = { name: role };
  else {
    throw invalidProp(
      path,
      `${prop}.managementRole`,
      role,
      'must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>) or the name of a role in this account: the hub assumes the cluster role with it',
    );
  }
  const cidrs = access.apiAccessCidrs ?? [];
  cidrs.forEach((c, i) => {
    Ipv4Cidr.parse(path, `${prop}.apiAccessCidrs[${i}]`, c);
    const wide = internetWideReason([c]);
    if (wide)
      throw invalidProp(
        path,
        `${prop}.apiAccessCidrs[${i}]`,
        c,
        `opens the Kubernetes API to the whole internet (${wide}): list the hub's network`,
      );
    const first = cidrs.indexOf(c);
    if (first < i) throw invalidProp(path, `${prop}.apiAccessCidrs[${i}]`, c, `is listed twice (${prop}.apiAccessCidrs[${first}])`);
  });
  return { managementRole, apiAccessCidrs: cidrs };
}

/** Props for {@link ArgoCdSpokeAccess}. */
export interface ArgoCdSpokeAccessProps {
  /** Names the role (`<name>-argocd`). */
  readonly name: string;
  readonly cluster: SamokoderCluster;
  /** The stack's account (for a management role given by name). */
  readonly account: string;
  /** The hub's role and network (checked again here; `SamokoderStack` checks them before it builds anything). */
  readonly access: ArgoCdHubAccess;
  /** The registration entry's name (`<project>/<env>/argocd-cluster`). */
  readonly secretName: string;
  /** KMS key of the entry. */
  readonly kmsKeyArn: string;
}

/**
 * An EKS cluster as an Argo CD spoke, the way argo-cd v3.5.1 docs/operator-manual/declarative-setup.md ("EKS")
 * describes it: a role of the cluster's own with no permission policy, assumable by the hub's management role only
 * (`sts:AssumeRole` and `sts:TagSession`, which Pod Identity sessions need); an access entry that maps it to cluster
 * admin (the hub installs CRDs, ClusterRoles, webhooks and namespaces: nothing narrower fits); the cluster security
 * group admitting the hub's network on 443; and the registration entry the hub's `ArgoCdCluster.eks` reads:
 * endpoint, CA, cluster name and role ARN (no secret: what `aws eks describe-cluster` tells anyone allowed to ask).
 */
export class ArgoCdSpokeAccess extends Construct {
  public readonly role: IamRole;
  public readonly registration: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: ArgoCdSpokeAccessProps) {
    super(scope, _freeId(scope, id));
    const access = _resolveHubAccess(this.node.path, 'access', props.access);
    const m = access.managementRole;
    const managementArn = 'arn' in m ? m.arn : `arn:aws:iam::${props.account}:role/${m.name}`;
    this.role = new IamRole(this, 'Role', {
      name: `${props.name}-argocd`,
      description: `Argo CD hub deploying to ${props.name}: no permissions; the EKS access entry gives it cluster admin`,
      assumeRolePolicy: JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: managementArn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
        },
        null,
        2,
      ),
    });
    const entry = new EksAccessEntry(this, 'AccessEntry', {
      clusterName: props.cluster.cluster.name,
      principalArn: this.role.arn,
      type: 'STANDARD',
    });
    new EksAccessPolicyAssociation(this, 'AccessPolicy', {
      clusterName: props.cluster.cluster.name,
      principalArn: this.role.arn,
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      accessScope: { type: 'cluster' },
      dependsOn: [entry],
    });
    access.apiAccessCidrs.forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `ApiFromHub${i + 1}`, {
        securityGroupId: props.cluster.clusterSecurityGroupId,
        description: `Kubernetes API from the Argo CD hub's network ${cidr}`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      });
    });
    this.registration = new SecretsmanagerSecret(this, 'Registration', {
      name: props.secretName,
      description: `${props.name}: what the Argo CD hub registers the cluster with (endpoint, CA, role; no secret)`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: 30,
    });
    new SecretsmanagerSecretVersion(this, 'RegistrationValue', {
      secretId: this.registration.id,
      secretString: JSON.stringify({
        server: props.cluster.cluster.endpoint,
        caData: props.cluster.cluster.certificateAuthority.get(0).data,
        clusterName: props.cluster.cluster.name,
        roleArn: this.role.arn,
      }),
    });
  }
}
