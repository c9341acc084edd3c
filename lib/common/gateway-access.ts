/**
 * How a shared Gateway admits routes from other namespaces (Gateway API `allowedRoutes.namespaces.from: Selector`):
 * by a label on the namespace, one per Gateway, so a namespace can be admitted to one Gateway and not another.
 * `PlatformGateway` selects it; `AppNamespace` (`gatewayAccess`) and `ProductionApp` (the Gateway its routes name)
 * put it on the namespace; `checkPlatformWiring` reports a route whose namespace lacks it. Without the label a route
 * is stored, reported `Accepted: False` (`NotAllowedByListeners`) on its status, and never serves a request.
 */

/** The prefix of the label (`gateway-access.samokoder.dev/<gateway name>`). */
export const GATEWAY_ACCESS_LABEL_PREFIX = 'gateway-access.samokoder.dev/';
/** The value the label carries. */
export const GATEWAY_ACCESS_LABEL_VALUE = 'true';

/** The label key by which the Gateway `gatewayName` admits a namespace's routes: `gateway-access.samokoder.dev/public`. */
export function gatewayAccessLabel(gatewayName: string): string {
  return `${GATEWAY_ACCESS_LABEL_PREFIX}${gatewayName}`;
}
