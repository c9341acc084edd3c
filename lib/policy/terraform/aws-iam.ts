import { policyDoc, rule, TerraformRule } from './kit';

/** Rules for IAM. */
export const IAM_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-AWS-050',
    title: 'IAM policies grant no wildcard actions and are literal JSON',
    severity: 'error',
    checkov: ['CKV_AWS_1', 'CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_286', 'CKV_AWS_287', 'CKV_AWS_288', 'CKV_AWS_289', 'CKV_AWS_290'],
    fix: 'name the actions and resources; write the document as literal JSON (scanners cannot read jsonencode)',
    types: ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'],
    check: (r) => {
      const text = r.config.policy;
      if (typeof text === 'string' && /^\$\{jsonencode\(/.test(text)) return 'the document is built with jsonencode';
      const doc = policyDoc(text);
      if (!doc) return 'the policy is not a literal JSON document';
      const bad: string[] = [];
      doc.Statement.forEach((s, i) => {
        if (s.Effect !== 'Allow') return;
        const actions: string[] = [s.Action ?? []].flat();
        if (actions.some((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)))
          bad.push(`statement ${i} allows wildcard actions (${actions.join(', ')})`);
        const resources: string[] = [s.Resource ?? []].flat();
        if (resources.includes('*') && actions.some((a) => !/:(Get|List|Describe)/.test(a)))
          bad.push(`statement ${i} allows ${actions.join(', ')} on every resource`);
      });
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-051',
    title: 'No administrator policies are attached',
    severity: 'error',
    checkov: ['CKV_AWS_274'],
    fix: 'attach a least-privilege policy instead of AdministratorAccess/PowerUserAccess/IAMFullAccess',
    types: ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment'],
    check: (r) =>
      /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(String(r.config.policy_arn))
        ? `attaches ${r.config.policy_arn}`
        : undefined,
  }),
];
