import {
  convertAlertmanagerConfigs,
  isZeroDuration,
  matcherString,
  missingSecrets,
  providedSecrets,
  selects,
} from '../../scripts/real-engines/alertmanager-config';
import type { K8sObject } from '../../scripts/real-engines/gitops';
import { mergeValues } from '../../scripts/real-engines/verify-alertmanager';

/** The chart's kind of base configuration, cut down: a null receiver and one route of its own. */
const base = (): K8sObject => ({
  route: { receiver: 'null', group_by: ['namespace'], routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }] },
  receivers: [{ name: 'null' }],
  templates: ['/etc/alertmanager/config/*.tmpl'],
});

const amc = (namespace: string, name: string, spec: K8sObject = {}): K8sObject => ({
  apiVersion: 'monitoring.coreos.com/v1alpha1',
  kind: 'AlertmanagerConfig',
  metadata: { name, namespace },
  spec: {
    route: {
      receiver: 'slack',
      groupBy: ['alertname'],
      repeatInterval: '4h',
      routes: [{ receiver: 'pagerduty', matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] }],
    },
    receivers: [
      { name: 'slack', slackConfigs: [{ apiURL: { name: 'alerting', key: 'slack-webhook-url' }, channel: '#alerts', sendResolved: true }] },
      { name: 'pagerduty', pagerdutyConfigs: [{ routingKey: { name: 'alerting', key: 'pagerduty-routing-key' }, severity: 'critical' }] },
    ],
    inhibitRules: [
      {
        sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
        targetMatch: [{ name: 'severity', value: 'warning', matchType: '=' }],
        equal: ['alertname'],
      },
    ],
    ...spec,
  },
});

describe('the Alertmanager configuration prometheus-operator generates from AlertmanagerConfigs', () => {
  test('a small AlertmanagerConfig, converted onto the base configuration (pinned)', () => {
    const r = convertAlertmanagerConfigs(base(), [amc('shop', 'api')], { alertmanagerNamespace: 'monitoring' });
    expect(r.config).toEqual({
      route: {
        receiver: 'null',
        group_by: ['namespace'],
        routes: [
          {
            receiver: 'shop/api/slack',
            group_by: ['alertname'],
            matchers: ['namespace="shop"'],
            continue: true,
            routes: [{ receiver: 'shop/api/pagerduty', matchers: ['severity="critical"'] }],
            repeat_interval: '4h',
          },
          { receiver: 'null', matchers: ['alertname = "Watchdog"'] },
        ],
      },
      receivers: [
        { name: 'null' },
        {
          name: 'shop/api/slack',
          slack_configs: [
            { send_resolved: true, api_url: 'https://secret-placeholder.invalid/shop/alerting/slack-webhook-url', channel: '#alerts' },
          ],
        },
        {
          name: 'shop/api/pagerduty',
          pagerduty_configs: [{ routing_key: 'secret-placeholder:shop/alerting/pagerduty-routing-key', severity: 'critical' }],
        },
      ],
      inhibit_rules: [
        {
          target_matchers: ['severity="warning"', 'namespace="shop"'],
          source_matchers: ['severity="critical"', 'namespace="shop"'],
          equal: ['alertname'],
        },
      ],
      templates: ['/etc/alertmanager/config/*.tmpl'],
    });
    expect({ receivers: r.receivers, routes: r.routes, problems: r.problems }).toEqual({ receivers: 2, routes: 2, problems: [] });
  });

  test('Secret references become placeholders naming the reference, and are listed for the provider check', () => {
    const r = convertAlertmanagerConfigs(base(), [amc('shop', 'api')], { alertmanagerNamespace: 'monitoring' });
    expect(r.secrets).toEqual([
      { namespace: 'shop', name: 'alerting', key: 'slack-webhook-url' },
      { namespace: 'shop', name: 'alerting', key: 'pagerduty-routing-key' },
    ]);
  });

  test('the base configuration is not changed', () => {
    const b = base();
    convertAlertmanagerConfigs(b, [amc('shop', 'api')], { alertmanagerNamespace: 'monitoring' });
    expect(b).toEqual(base());
  });

  test('configs go in <namespace>/<name> order, before the base routes', () => {
    const r = convertAlertmanagerConfigs(base(), [amc('shop', 'b'), amc('bank', 'z'), amc('shop', 'a')], {
      alertmanagerNamespace: 'monitoring',
    });
    expect(r.config.route.routes.map((x: K8sObject) => x.receiver)).toEqual(['bank/z/slack', 'shop/a/slack', 'shop/b/slack', 'null']);
  });

  test('a zero repeat or group interval is dropped, as the operator does (the route inherits its parent’s)', () => {
    const config = amc('shop', 'api');
    config.spec.route.repeatInterval = '0s';
    config.spec.route.groupInterval = '0';
    config.spec.route.groupWait = '0s';
    const route = convertAlertmanagerConfigs(base(), [config], { alertmanagerNamespace: 'monitoring' }).config.route.routes[0];
    expect([route.repeat_interval, route.group_interval, route.group_wait]).toEqual([undefined, undefined, '0s']);
  });

  test('without a namespace matcher for strategy None, and for the Alertmanager’s own namespace when excepted', () => {
    const none = convertAlertmanagerConfigs(base(), [amc('shop', 'api')], { alertmanagerNamespace: 'monitoring', strategy: 'None' });
    expect(none.config.route.routes[0].matchers).toBeUndefined();
    expect(none.config.route.routes[0].continue).toBe(true);
    const except = convertAlertmanagerConfigs(base(), [amc('monitoring', 'own'), amc('shop', 'api')], {
      alertmanagerNamespace: 'monitoring',
      strategy: 'OnNamespaceExceptForAlertmanagerNamespace',
    });
    expect(except.config.route.routes.slice(0, 2).map((x: K8sObject) => x.matchers)).toEqual([undefined, ['namespace="shop"']]);
  });

  test('an inhibit rule that already matches the namespace gets no second matcher', () => {
    const config = amc('shop', 'api', {
      inhibitRules: [{ sourceMatch: [{ name: 'namespace', value: 'shop', matchType: '=' }], targetMatch: [] }],
    });
    const rule = convertAlertmanagerConfigs(base(), [config], { alertmanagerNamespace: 'monitoring' }).config.inhibit_rules[0];
    expect(rule).toEqual({ source_matchers: ['namespace="shop"'], target_matchers: ['namespace="shop"'] });
  });

  test('time intervals and the routes that name them are prefixed alike', () => {
    const config = amc('shop', 'api', {
      muteTimeIntervals: [
        { name: 'nights', timeIntervals: [{ times: [{ startTime: '22:00', endTime: '24:00' }], weekdays: ['monday:friday'] }] },
      ],
    });
    config.spec.route.routes[0].muteTimeIntervals = ['nights'];
    const r = convertAlertmanagerConfigs(base(), [config], { alertmanagerNamespace: 'monitoring' });
    expect(r.config.route.routes[0].routes[0].mute_time_intervals).toEqual(['shop/api/nights']);
    expect(r.config.mute_time_intervals).toEqual([
      { name: 'shop/api/nights', time_intervals: [{ times: [{ start_time: '22:00', end_time: '24:00' }], weekdays: ['monday:friday'] }] },
    ]);
  });

  test('a receiver kind the converter does not model is reported, not passed', () => {
    const config = amc('shop', 'api', { receivers: [{ name: 'slack', opsgenieConfigs: [{}] }] });
    expect(convertAlertmanagerConfigs(base(), [config], { alertmanagerNamespace: 'monitoring' }).problems).toEqual([
      'AlertmanagerConfig shop/api: receiver "slack": opsgenieConfigs is not modelled by the converter',
    ]);
  });

  test('a config without a route adds its inhibit rules only (amcfg.go: "Skip early if there\'s no route definition")', () => {
    const config = amc('shop', 'api');
    delete config.spec.route;
    const r = convertAlertmanagerConfigs(base(), [config], { alertmanagerNamespace: 'monitoring' });
    expect([r.config.route.routes.length, r.config.receivers.length, r.config.inhibit_rules.length]).toEqual([1, 1, 1]);
  });

  test('matchers as the operator writes them: the match type, or = and =~ from the old regex flag, the value escaped', () => {
    expect(matcherString({ name: 'a', value: 'x|y', matchType: '=~' })).toBe('a=~"x|y"');
    expect(matcherString({ name: 'a', value: 'x', regex: true })).toBe('a=~"x"');
    expect(matcherString({ name: 'a', value: 'say "hi"\\\n' })).toBe('a="say \\"hi\\"\\\\\\n"');
  });

  test('zero durations', () => {
    expect(['0', '0s', '0h0m', '0ms'].map(isZeroDuration)).toEqual([true, true, true, true]);
    expect(['4h', '1ms', '', 'soon'].map(isZeroDuration)).toEqual([false, false, false, false]);
  });
});

describe('what the operator would drop before Alertmanager sees it', () => {
  test('label selectors: matchLabels and matchExpressions; no selector selects nothing', () => {
    const labels = { team: 'shop', tier: 'web' };
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { team: 'shop' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { team: 'bank' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects(null, labels)).toBe(false);
  });

  test('Secret references: provided by an ExternalSecret key, a Secret, or any key of a dataFrom ExternalSecret', () => {
    const provided = providedSecrets([
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'alerting', namespace: 'shop' },
        spec: { data: [{ secretKey: 'url' }] },
      },
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'x', namespace: 'shop' },
        spec: { target: { name: 'all' }, dataFrom: [{}] },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'shop' }, data: { k: 'eA==' } },
    ]);
    const ref = (name: string, key: string) => ({ namespace: 'shop', name, key });
    expect(missingSecrets([ref('alerting', 'url'), ref('all', 'anything'), ref('plain', 'k')], provided)).toEqual([]);
    expect(missingSecrets([ref('alerting', 'token'), ref('nothing', 'k'), ref('nothing', 'k')], provided)).toEqual([
      'Secret shop/alerting has no key "token" (provided: url)',
      'Secret shop/nothing (key "k") is provided by no Secret or ExternalSecret in the cluster',
    ]);
  });

  test('chart values merge as Helm merges them: maps key by key, lists replaced, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2], d: 3 }, e: 1 }, { a: { c: [9], d: null }, f: 2 })).toEqual({
      a: { b: 1, c: [9] },
      e: 1,
      f: 2,
    });
  });
});
