import { Ipv4Cidr } from 'samokoder-infra';

describe('Ipv4Cidr', () => {
  const p = (c: string) => Ipv4Cidr.parse('t', 'cidr', c);

  test('parses, sizes and prints', () => {
    const c = p('10.1.0.0/16');
    expect([c.prefix, c.size, c.toString()]).toEqual([16, 65536, '10.1.0.0/16']);
  });

  test('overlap and containment', () => {
    expect(p('10.0.0.0/16').overlaps(p('10.0.128.0/17'))).toBe(true);
    expect(p('10.0.0.0/16').overlaps(p('10.1.0.0/16'))).toBe(false);
    expect(p('10.0.0.0/8').contains(p('10.200.0.0/16'))).toBe(true);
    expect(p('172.32.0.0/16').isPrivate()).toBe(false);
    expect(p('192.168.10.0/24').isPrivate()).toBe(true);
  });

  test('carves aligned consecutive blocks', () => {
    expect(p('10.0.0.0/16').carve([19, 22, 19]).map(String)).toEqual(['10.0.0.0/19', '10.0.32.0/22', '10.0.64.0/19']);
    expect(() => p('10.0.0.0/24').carve([25, 25, 25])).toThrow('internal: /25 sub-blocks do not fit in 10.0.0.0/24');
  });

  test.each([
    ['10.0.0.0/33', `[t] 'cidr' ("10.0.0.0/33") is not an IPv4 CIDR block such as "10.0.0.0/16"`],
    ['10.0.0/16', `[t] 'cidr' ("10.0.0/16") is not an IPv4 CIDR block such as "10.0.0.0/16"`],
    ['10.0.0.1', `[t] 'cidr' ("10.0.0.1") has no prefix length. Did you mean "10.0.0.1/16"?`],
    ['10.0.0.1/24', `[t] 'cidr' ("10.0.0.1/24") has host bits set. Did you mean "10.0.0.0/24"?`],
  ])('%s is refused', (cidr, message) => {
    expect(() => p(cidr)).toThrow(message);
  });
});
