import { isUnresolved } from './validate';
import { IConstruct } from 'constructs';
import { _Registry } from './registry';
import { invalidProp, ValidationError } from './errors';

/** An IPv4 CIDR block, parsed and checked. */
export class Ipv4Cidr {
  /**
   * Parses `value` ("10.0.0.0/16"). Throws when the address is malformed, the mask is missing or out of range, or
   * host bits are set.
   */
  public static parse(path: string, prop: string, value: string): Ipv4Cidr {
    if (isUnresolved(value)) {
      throw invalidProp(
        path,
        prop,
        value,
        'must be known at synth, not a deploy-time value (a Terraform variable or reference): subnets, rules and overlap checks are computed from it',
      );
    }
    const [address, mask, ...rest] = value.split('/');
    if (mask === undefined) {
      // Suggest the block the address could start: a network address such as 10.1.0.0 a /16, a host a /32.
      const o = address.split('.');
      const guess = o.length === 4 && o[2] === '0' && o[3] === '0' ? 16 : o.length === 4 && o[3] === '0' ? 24 : 32;
      throw invalidProp(path, prop, value, `has no prefix length. Did you mean "${value}/${guess}"?`);
    }
    const octets = address.split('.');
    const valid =
      rest.length === 0 && /^\d{1,2}$/.test(mask) && octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
    const prefix = Number(mask);
    if (!valid || prefix > 32) {
      throw invalidProp(path, prop, value, 'is not an IPv4 CIDR block such as "10.0.0.0/16"');
    }
    const base = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
      const network = new Ipv4Cidr(base - (base % size), prefix);
      throw invalidProp(path, prop, value, `has host bits set. Did you mean "${network}"?`);
    }
    return new Ipv4Cidr(base, prefix);
  }

  /** Parses `value`, or undefined when it is not an IPv4 CIDR (a reference, an IPv6 block, a typo). */
  public static tryParse(value: string): Ipv4Cidr | undefined {
    try {
      return Ipv4Cidr.parse('', '', value);
    } catch {
      return undefined;
    }
  }

  private constructor(
    /** First address as an unsigned 32-bit number. */
    public readonly base: number,
    public readonly prefix: number,
  ) {}

  /** Number of addresses in the block. */
  public get size(): number {
    return 2 ** (32 - this.prefix);
  }

  public overlaps(other: Ipv4Cidr): boolean {
    return this.base < other.base + other.size && other.base < this.base + this.size;
  }

  public contains(other: Ipv4Cidr): boolean {
    return other.base >= this.base && other.base + other.size <= this.base + this.size;
  }

  /** True for 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 (RFC 1918). */
  public isPrivate(): boolean {
    return RFC1918.some((r) => r.contains(this));
  }

  /**
   * Carves consecutive, aligned sub-blocks of the given prefix lengths out of this block, in order.
   * Throws (not a user-facing error) when they do not fit: callers validate sizes first.
   */
  public carve(prefixes: readonly number[]): Ipv4Cidr[] {
    let cursor = this.base;
    return prefixes.map((p) => {
      const size = 2 ** (32 - p);
      cursor = Math.ceil(cursor / size) * size;
      const block = new Ipv4Cidr(cursor, p);
      cursor += size;
      if (p < this.prefix || cursor > this.base + this.size) {
        throw new ValidationError(`internal: /${p} sub-blocks do not fit in ${this}`);
      }
      return block;
    });
  }

  public toString(): string {
    const b = this.base;
    return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 256) % 256}.${b % 256}/${this.prefix}`;
  }
}

/**
 * An IPv6 CIDR block, parsed and checked. Written back in the canonical form of RFC 5952 (lower case, no leading
 * zeros, the longest run of zero groups as `::`), the form the Kubernetes API server keeps: another form would be a
 * permanent diff in Argo CD.
 */
export class Ipv6Cidr {
  /**
   * Parses `value` ("2001:db8::/64"). Throws when the address is malformed, the mask is missing or out of range, host
   * bits are set, or it is an IPv4-mapped range (`::ffff:0:0/96`: the IPv4 block is the way to write it).
   */
  public static parse(path: string, prop: string, value: string): Ipv6Cidr {
    const [address, mask, ...rest] = value.split('/');
    const base = parseIpv6(address);
    if (mask === undefined && base !== undefined) {
      const guess = address.endsWith('::') ? 64 : 128;
      throw invalidProp(path, prop, value, `has no prefix length. Did you mean "${new Ipv6Cidr(base, guess)}"?`);
    }
    if (base === undefined || rest.length > 0 || !/^\d{1,3}$/.test(mask ?? '') || Number(mask) > 128) {
      throw invalidProp(path, prop, value, `is not an IPv4 or IPv6 CIDR block such as "10.0.0.0/16" or "2001:db8::/64"`);
    }
    const prefix = Number(mask);
    const hostBits = (1n << BigInt(128 - prefix)) - 1n;
    if ((base & hostBits) !== 0n) {
      throw invalidProp(path, prop, value, `has host bits set. Did you mean "${new Ipv6Cidr(base & ~hostBits, prefix)}"?`);
    }
    if (prefix >= 96 && base >> 32n === 0xffffn) {
      throw invalidProp(
        path,
        prop,
        value,
        'is an IPv4-mapped IPv6 range: write the IPv4 block (NetworkPolicies match IPv4 clients by their IPv4 address)',
      );
    }
    return new Ipv6Cidr(base, prefix);
  }

  /** Parses `value`, or undefined when it is not an IPv6 CIDR. */
  public static tryParse(value: string): Ipv6Cidr | undefined {
    try {
      return Ipv6Cidr.parse('', '', value);
    } catch {
      return undefined;
    }
  }

  private constructor(
    /** First address as an unsigned 128-bit number. */
    public readonly base: bigint,
    public readonly prefix: number,
  ) {}

  /** True for blocks inside fc00::/7, the unique local addresses (RFC 4193): IPv6's private ranges. */
  public isUniqueLocal(): boolean {
    return this.prefix >= 7 && this.base >> 121n === 0x7en;
  }

  public toString(): string {
    const groups = Array.from({ length: 8 }, (_, i) => Number((this.base >> BigInt(112 - 16 * i)) & 0xffffn));
    // The longest run of two or more zero groups (the first of equal runs) becomes "::".
    let best = { at: -1, length: 1 };
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > best.length) best = { at: i, length: j - i };
      i = j;
    }
    const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
    const text = best.at < 0 ? hex(groups) : `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.length))}`;
    return `${text}/${this.prefix}`;
  }
}

/** An IPv6 address as a 128-bit number (`::` shorthand and a dotted IPv4 tail allowed), or undefined. */
function parseIpv6(address: string): bigint | undefined {
  if (!address.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(address)) return undefined;
  let text = address;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // A dotted IPv4 tail (`::ffff:192.0.2.1`) is the last two groups.
    const v4 = Ipv4Cidr.tryParse(`${text.slice(lastColon + 1)}/32`);
    if (!v4) return undefined;
    text = `${text.slice(0, lastColon + 1)}${Math.floor(v4.base / 65536).toString(16)}:${(v4.base % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string) => (h === '' ? [] : h.split(':'));
  const left = split(halves[0]);
  const right = halves.length === 2 ? split(halves[1]) : [];
  const written = [...left, ...right];
  if (written.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  if (halves.length === 1 ? written.length !== 8 : written.length > 7) return undefined;
  const groups = [...left, ...Array<string>(8 - written.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** True when `value` is written as an IPv6 block (it has a colon): the IPv4-only places say why they refuse it. */
export function isIpv6Written(value: string): boolean {
  return typeof value === 'string' && value.includes(':') && !isUnresolved(value);
}

/**
 * Parses an IPv4 or an IPv6 block, for places whose system takes both (a NetworkPolicy's ipBlock): returns the
 * block as it is to be written (IPv6 in its canonical form).
 */
export function parseCidr(path: string, prop: string, value: string): Ipv4Cidr | Ipv6Cidr {
  return isIpv6Written(value) ? Ipv6Cidr.parse(path, prop, value) : Ipv4Cidr.parse(path, prop, value);
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => Ipv4Cidr.parse('rfc1918', 'cidr', c));

/** The widest block an allow-list may name: a /8 (16.7 million addresses). */
export const WIDEST_ALLOWED_PREFIX = 8;

/**
 * Why a list of CIDRs means "the whole internet", or undefined when it does not: `0.0.0.0/0` or `::/0` written as
 * such (`::/0` however written: `0::/0`), any block wider than a /8 (`0.0.0.0/1` is half of IPv4), an IPv6 block
 * wider than a /16 outside the unique local fc00::/7, or blocks that
 * together cover a quarter of all IPv4 addresses or more (`0.0.0.0/1` + `128.0.0.0/1`, or 64 × /8). Entries that
 * are not CIDRs (Terraform references) are not judged.
 */
export function internetWideReason(cidrs: readonly string[]): string | undefined {
  const blocks: Ipv4Cidr[] = [];
  for (const c of cidrs) {
    if (typeof c !== 'string') continue;
    if (c === '0.0.0.0/0' || c === '::/0') return `${c} is the whole internet`;
    const v6 = c.includes(':') ? Ipv6Cidr.tryParse(c) : undefined;
    if (v6) {
      if (v6.prefix === 0) return `${c} is the whole internet`;
      // Unique local addresses (fc00::/7, IPv6's private ranges) are not the internet, however wide.
      if (v6.prefix < 16 && !v6.isUniqueLocal()) return `${c} is wider than an IPv6 /16`;
      continue;
    }
    const b = Ipv4Cidr.tryParse(c);
    if (!b) continue;
    if (b.prefix < WIDEST_ALLOWED_PREFIX) return `${c} is wider than a /${WIDEST_ALLOWED_PREFIX} (${b.size} addresses)`;
    blocks.push(b);
  }
  // Union of the blocks (merged, so overlaps count once).
  const sorted = [...blocks].sort((a, b) => a.base - b.base);
  let covered = 0;
  let end = -1;
  for (const b of sorted) {
    const bEnd = b.base + b.size;
    if (b.base >= end) covered += b.size;
    else if (bEnd > end) covered += bEnd - end;
    end = Math.max(end, bEnd);
  }
  const share = covered / 2 ** 32;
  return share >= 0.25 ? `together they cover ${Math.round(share * 100)} % of all IPv4 addresses` : undefined;
}

/** A VPC claimed by a construct of one cloud, for the overlap check across clouds. */
interface ClaimedNetwork {
  readonly path: string;
  readonly range: Ipv4Cidr;
  readonly cloud: 'AWS' | 'DigitalOcean';
}

/**
 * Throws when `range` overlaps a VPC another cloud's construct of the same app claimed, then claims it. Each cloud
 * checks its own VPCs against each other (SamokoderNetwork, RegionalCluster); this is the check between them: an
 * AWS environment and a DigitalOcean DR pair of one platform are what a VPN between the clouds would join.
 * @internal
 */
export function _claimNetworkRange(scope: IConstruct, prop: string, given: string, range: Ipv4Cidr, cloud: ClaimedNetwork['cloud']): void {
  const path = scope.node.path;
  const claimed = _Registry.of<ClaimedNetwork>(scope, 'ClaimedNetwork');
  for (const other of claimed.all()) {
    if (other.cloud === cloud || !other.range.overlaps(range)) continue;
    throw invalidProp(
      path,
      prop,
      given,
      `overlaps ${other.range}, the ${other.cloud} VPC of ${other.path} in the same app: networks that may be connected (a VPN between the clouds) need disjoint ranges`,
    );
  }
  claimed.add({ path, range, cloud });
}
