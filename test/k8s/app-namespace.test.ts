import { Chart } from 'cdk8s';
import { AppFootprint, AppNamespace, budgetFor, gatewayAccessLabel } from 'samokoder-infra';
import { find, render, testApp } from '../util/k8s';

const api: AppFootprint = { pods: 41, cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 2048 };
const bot: AppFootprint = { pods: 4, cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 256, memoryLimitMiB: 512 };

describe('budgetFor', () => {
  test('sums every app at its peak, plus two pods of the largest size', () => {
    expect(budgetFor([api, bot])).toEqual({
      pods: 41 + 4 + 2,
      cpuRequestMillis: 41 * 250 + 4 * 100 + 2 * 250,
      cpuLimitMillis: 41 * 1000 + 4 * 500 + 2 * 1000,
      memoryRequestMiB: 41 * 512 + 4 * 256 + 2 * 512,
      memoryLimitMiB: 41 * 2048 + 4 * 512 + 2 * 2048,
      persistentVolumeClaims: 0,
      containerDefaults: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 2048 },
    });
  });

  test('no CPU limit in the quota when any app runs without one', () => {
    expect(budgetFor([api, { ...bot, cpuLimitMillis: undefined }]).cpuLimitMillis).toBeUndefined();
  });

  test('the room for other pods is a choice', () => {
    expect(budgetFor([bot], 0).pods).toBe(4);
    expect(budgetFor([{ ...bot, persistentVolumeClaims: 3 }]).persistentVolumeClaims).toBe(3);
  });

  test('refuses an empty list and negative room', () => {
    expect(() => budgetFor([])).toThrow("budgetFor: 'apps' ([]) must list at least one app footprint");
    expect(() => budgetFor([bot], -1)).toThrow("budgetFor: 'headroomPods' (-1) must be a whole number from 0 to 1000");
  });
});

describe('AppNamespace', () => {
  test('a quota from budgetFor holds a blue-green release of both apps', () => {
    const chart = new Chart(testApp(), 'ns');
    new AppNamespace(chart, 'Namespace', { name: 'samokoder', budget: budgetFor([api, bot]) });
    const hard = find(render(chart), 'ResourceQuota').spec.hard;
    expect(hard).toMatchObject({ pods: '47', 'requests.cpu': '11150m', 'limits.cpu': '45', 'services.nodeports': '0' });
  });

  test('gatewayAccess labels the namespace for each shared Gateway that admits its routes; none by default', () => {
    const labelsOf = (props: { gatewayAccess?: string[] }) => {
      const chart = new Chart(testApp(), 'ns');
      new AppNamespace(chart, 'Namespace', { name: 'billing', budget: budgetFor([bot]), ...props });
      return find(render(chart), 'Namespace').metadata.labels;
    };
    expect(labelsOf({ gatewayAccess: ['public', 'internal', 'public'] })).toMatchObject({
      'gateway-access.samokoder.dev/internal': 'true',
      'gateway-access.samokoder.dev/public': 'true',
    });
    expect(Object.keys(labelsOf({})).filter((k) => k.startsWith('gateway-access.'))).toEqual([]);
    expect(gatewayAccessLabel('public')).toBe('gateway-access.samokoder.dev/public');
  });

  test('refuses a quota without pods', () => {
    const chart = new Chart(testApp(), 'ns');
    expect(() => new AppNamespace(chart, 'Namespace', { name: 'samokoder', budget: { ...budgetFor([bot]), pods: 0 } })).toThrow(
      "[ns/Namespace] 'budget.pods' (0) must be a whole number from 1 to 100000",
    );
  });

  test.each<[Record<string, unknown>, string]>([
    [
      { gatewayAccess: ['Public'] },
      `[ns/Namespace] 'gatewayAccess[0]' ("Public") must be a DNS label: at most 63 characters of lower-case letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      { name: 'kube-system' },
      `[ns/Namespace] 'name' ("kube-system") is one of Kubernetes' own namespaces: a default-deny policy and a quota there break the cluster`,
    ],
    [
      { budget: { ...budgetFor([bot]), cpuRequestMillis: 0.5 } },
      `[ns/Namespace] 'budget.cpuRequestMillis' (0.5) must be a whole number from 1 to 4194304`,
    ],
    [
      { budget: { ...budgetFor([bot]), memoryRequestMiB: 999999 } },
      `[ns/Namespace] 'budget.memoryRequestMiB' (999999) must not exceed 'budget.memoryLimitMiB'`,
    ],
    [
      {
        budget: {
          pods: 5,
          cpuRequestMillis: 500,
          memoryRequestMiB: 512,
          memoryLimitMiB: 1024,
          containerDefaults: { cpuRequestMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
        },
      },
      `[ns/Namespace] 'budget.containerDefaults.cpuRequestMillis' (1000) is more than the whole namespace's quota ('budget.cpuRequestMillis' 500): no default container would fit`,
    ],
  ])('%j is refused', (props, message) => {
    const chart = new Chart(testApp(), 'ns');
    expect(() => new AppNamespace(chart, 'Namespace', { name: 'samokoder', budget: budgetFor([bot]), ...props } as never)).toThrow(message);
  });
});
