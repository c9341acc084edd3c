/**
 * Resource quantities in the canonical form the API server stores them in (`1000m` is stored as `1`, `2048Mi` as
 * `2Gi`). Writing what the server would store keeps Git and the cluster byte-equal, so Argo CD sees no diff and
 * `npm run verify:k8s` no rewrite.
 */

/** CPU in millicores, canonical: `250m`, `1`, `1500m`, `36`. */
export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Memory in MiB, canonical: `512Mi`, `2Gi`, `1536Mi`, `1Ti`. */
export function memoryQuantity(mib: number): string {
  if (mib % (1024 * 1024) === 0) return `${mib / (1024 * 1024)}Ti`;
  if (mib % 1024 === 0) return `${mib / 1024}Gi`;
  return `${mib}Mi`;
}

const UNITS: Record<string, number> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/**
 * The canonical form of a quantity we write (`1000m` → `1`, `2048Mi` → `2Gi`), keeping its binary or decimal base.
 * Quantities of other forms (exponents, fractions, other suffixes) are returned unchanged.
 */
export function canonicalQuantity(q: string): string {
  const m = /^(\d+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return q;
  const [, digits, suffix = ''] = m;
  const value = Number(digits) * UNITS[suffix];
  if (suffix.endsWith('i')) {
    for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) if (value % UNITS[unit] === 0) return `${value / UNITS[unit]}${unit}`;
    return String(value);
  }
  const millis = Math.round(value * 1000);
  if (millis % 1000 !== 0) return `${millis}m`;
  const whole = millis / 1000;
  for (const [unit, size] of [
    ['T', 1e12],
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return String(whole);
}

/** Container resources (`requests`, `limits`) with every quantity in canonical form. */
export function canonicalResources<T extends { requests?: Record<string, string>; limits?: Record<string, string> }>(resources: T): T {
  const canon = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, canonicalQuantity(v)]));
  return {
    ...resources,
    ...(resources.requests ? { requests: canon(resources.requests) } : {}),
    ...(resources.limits ? { limits: canon(resources.limits) } : {}),
  };
}
