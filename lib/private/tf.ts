// The seam around CDK for Terraform. cdktf was archived on 2025-12-10 (the community fork CDK Terrain continues
// it): the rest of lib/ imports cdktf only through this file, so a move changes this file, not the design. Public
// stacks extend cdktf's classes, so the declarations keep this file (it carries no internal tag).
export { Aspects, Fn, LocalBackend, S3Backend, TerraformLocal, TerraformOutput, TerraformStack, Token } from 'cdktf';
export type { IAspect, ISynthesisSession } from 'cdktf';
