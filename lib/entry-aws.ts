// `samokoder-infra/aws`: the AWS stacks and their parts (cdktf, @cdktf/provider-aws).
export * from './entry-common';

export * from './aws/region';
export * from './aws/eks-version';
export * from './aws/network';
export * from './aws/environment-profile';
export * from './aws/eks-cluster';
export * from './aws/database';
export * from './aws/cache';
export * from './aws/secure-bucket';
export * from './aws/recovery-copies';
export * from './aws/alarms';
export * from './aws/pod-role';
export * from './aws/argocd-access';
export * from './aws/remote-state';
export * from './aws/state-stack';
export * from './aws/samokoder-stack';
