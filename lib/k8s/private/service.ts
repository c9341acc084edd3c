import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { _afterRender } from '../../private/k8s-object';
import { kplus } from '../../private/kplus';

/**
 * A cdk8s-plus Service without the empty `externalIPs: []` it writes (the API server drops empty lists, so the stored
 * object would differ from Git), selecting pods by the given labels (not cdk8s' address label), so other tools can
 * select them too.
 * @internal
 */
export function _service(scope: Construct, id: string, props: kplus.ServiceProps, selector: Record<string, string>): kplus.Service {
  const service = new kplus.Service(scope, id, props);
  _afterRender(ApiObject.of(service), (obj) => {
    if (Array.isArray(obj.spec?.externalIPs) && obj.spec.externalIPs.length === 0) {
      const { externalIPs: _drop, ...spec } = obj.spec;
      void _drop;
      return { ...obj, spec };
    }
    return obj;
  });
  for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);
  return service;
}
