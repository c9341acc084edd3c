import { PlatformContract } from 'samokoder-infra';
import { referenceCloud } from '../util/reference';

// Every contract of the reference platform survives the file: what a Kubernetes repository would read from
// cdktf.out/stacks/<stack>/platform-contract*.json is the contract the reference's own manifests are built from.
describe("the reference platform's contracts as files", () => {
  const cloud = referenceCloud();
  const contracts: Array<[string, PlatformContract]> = [
    ...Object.entries(cloud.stacks).map(([env, stack]): [string, PlatformContract] => [env, stack.contract]),
    ['dr primary', cloud.dr.contract('primary')],
    ['dr secondary', cloud.dr.contract('secondary')],
  ];
  test.each(contracts)('%s', (name, contract) => {
    expect(PlatformContract.fromJson(PlatformContract.toJson(contract, name), name)).toEqual(contract);
  });
});
