import { discoveredGroups, errorMessage, parseWarningHeaders, preferredResources, Reply } from '../../scripts/real-engines/kube-client';

const reply = (code: number, body: unknown): Reply => ({ ok: code < 300, code, body: body as Reply['body'], warnings: [] });

describe('the API client verify:k8s uses instead of kubectl', () => {
  test('reads Warning headers as client-go does: code 299 only, quoted text unescaped, several in one header', () => {
    expect(
      parseWarningHeaders([
        '299 - "would violate PodSecurity \\"restricted:latest\\": privileged"',
        '299 - "first", 299 - "second" "Mon, 07 Dec 2026 08:00:00 GMT"',
        '199 - "not shown"',
        '299 - ""',
      ]),
    ).toEqual(['would violate PodSecurity "restricted:latest": privileged', 'first', 'second']);
  });

  test('words a refusal as kubectl prints it: the Status reason and message, the source of a create', () => {
    const forbidden = {
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      message: 'pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged',
      code: 403,
    };
    expect(errorMessage(reply(403, forbidden))).toBe(
      'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged',
    );
    expect(errorMessage(reply(403, forbidden), { verb: 'creating', source: 'Pod/app/p' })).toBe(
      'Error from server (Forbidden): error when creating "Pod/app/p": pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged',
    );
    expect(errorMessage(reply(500, { kind: 'Status', message: 'failed to create typed patch object' }))).toBe(
      'Error from server: failed to create typed patch object',
    );
    expect(errorMessage(reply(401, { kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' }))).toBe(
      'error: You must be logged in to the server (Unauthorized)',
    );
  });

  const discovery = {
    kind: 'APIGroupDiscoveryList',
    items: [
      {
        metadata: { name: 'example.io' },
        versions: [
          {
            version: 'v1',
            resources: [
              {
                resource: 'widgets',
                scope: 'Namespaced',
                responseKind: { group: 'example.io', version: 'v1', kind: 'Widget' },
                verbs: ['get'],
              },
              { resource: 'hidden', scope: 'Cluster', responseKind: { group: 'example.io', version: 'v1', kind: 'Hidden' }, verbs: [] },
            ],
          },
          {
            version: 'v1beta1',
            resources: [
              { resource: 'widgets', scope: 'Namespaced', responseKind: { kind: 'Widget' }, verbs: ['get'] },
              { resource: 'gadgets', scope: 'Cluster', responseKind: { kind: 'Gadget' }, verbs: ['get', 'list'] },
            ],
          },
          {
            version: 'v0',
            freshness: 'Stale',
            resources: [{ resource: 'old', scope: 'Cluster', responseKind: { kind: 'Old' }, verbs: ['get'] }],
          },
        ],
      },
    ],
  };

  test('reads aggregated discovery: the scope and kind of each resource, stale versions left out', () => {
    const [group] = discoveredGroups(discovery);
    expect(group.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1']);
    expect(group.versions[0].resources[0]).toEqual({
      group: 'example.io',
      version: 'v1',
      resource: 'widgets',
      kind: 'Widget',
      namespaced: true,
      verbs: ['get'],
    });
  });

  test('lists what kubectl api-resources lists: the preferred (first) version, another only for what it alone serves, no verbless', () => {
    const listed = preferredResources(discoveredGroups(discovery)).map((r) => `${r.group}/${r.version}/${r.kind} ${r.namespaced}`);
    expect(listed.sort()).toEqual(['example.io/v1/Widget true', 'example.io/v1beta1/Gadget false']);
  });
});
