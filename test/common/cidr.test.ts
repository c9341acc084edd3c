import { internetWideReason } from 'samokoder-infra';

describe('the whole internet, however it is written', () => {
  test.each([
    [['0.0.0.0/0'], '0.0.0.0/0 is the whole internet'],
    [['::/0'], '::/0 is the whole internet'],
    [['0.0.0.0/1', '128.0.0.0/1'], '0.0.0.0/1 is wider than a /8 (2147483648 addresses)'],
    [['2000::/3'], '2000::/3 is wider than an IPv6 /16'],
    [['0::/0'], '0::/0 is the whole internet'],
    [['0:0:0:0:0:0:0:0/0'], '0:0:0:0:0:0:0:0/0 is the whole internet'],
    [Array.from({ length: 64 }, (_, i) => `${i + 1}.0.0.0/8`), 'together they cover 25 % of all IPv4 addresses'],
  ])('%j is refused: %s', (cidrs, reason) => {
    expect(internetWideReason(cidrs)).toBe(reason);
  });

  test.each([
    [['203.0.113.0/24']],
    [['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
    [Array.from({ length: 63 }, (_, i) => `${i + 1}.0.0.0/8`)],
    // Overlaps count once: the same /8 listed 100 times is still one /8.
    [Array.from({ length: 100 }, () => '11.0.0.0/8')],
    [['${var.office_cidr}', '2001:db8::/32']],
    // IPv6's private ranges (unique local addresses) are not the internet, however wide.
    [['fd00::/8']],
    [['fc00::/7']],
  ])('%j is not', (cidrs) => {
    expect(internetWideReason(cidrs)).toBeUndefined();
  });
});
