/** A DNS label as a PascalCase construct id or name part: `api` → `Api`, `order-service` → `OrderService`, `nyc3` → `Nyc3`. */
export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}
