import { ApiObject, ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * Creates an ApiObject from a body typed with its `kubernetes-models` / `@kubernetes-models/*` interface, so a
 * field that does not exist in the schema is a compile error (the schemas' validators accept unknown fields).
 * @internal
 */
export function _apiObject<T extends { apiVersion: string; kind: string }>(scope: Construct, id: string, body: T): ApiObject {
  return new ApiObject(scope, id, body as unknown as ApiObjectProps);
}
