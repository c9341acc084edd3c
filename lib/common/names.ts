/** A DNS label as a PascalCase construct id or name part: `api` → `Api`, `order-service` → `OrderService`, `nyc3` → `Nyc3`. */
export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}

/**
 * A project name derived from a stack's id when none is given: the id without its environment suffix
 * (`billing-staging` → `billing`, `samokoder-dr` with suffix `dr` → `samokoder`), so every globally unique name
 * (buckets, clusters, roles, state keys) is the team's, never the library's. Undefined when nothing is left.
 * @internal
 */
export function _projectFromStackId(id: string, suffixes: readonly string[]): string | undefined {
  let project = id.toLowerCase();
  for (const s of suffixes) {
    if (project.endsWith(`-${s}`)) {
      project = project.slice(0, -s.length - 1);
      break;
    }
  }
  return project === '' ? undefined : project;
}
