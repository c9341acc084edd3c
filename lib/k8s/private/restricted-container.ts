/**
 * The resources and security context of a small platform-owned container (the lag monitor, the files sync): requests
 * and limits from its footprint, no privilege, a read-only root and every capability dropped (Pod Security
 * `restricted`). @internal
 */
export function _restrictedContainer(pod: {
  cpuRequestMillis: number;
  cpuLimitMillis?: number;
  memoryRequestMiB: number;
  memoryLimitMiB: number;
}): {
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: false; privileged: false; readOnlyRootFilesystem: true; capabilities: { drop: string[] } };
} {
  return {
    resources: {
      requests: { cpu: `${pod.cpuRequestMillis}m`, memory: `${pod.memoryRequestMiB}Mi` },
      limits: { ...(pod.cpuLimitMillis !== undefined ? { cpu: `${pod.cpuLimitMillis}m` } : {}), memory: `${pod.memoryLimitMiB}Mi` },
    },
    securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
}

/** Checks a runbook base URL (https) and returns `<base>/<alert>` links for alert annotations (none without a base). @internal */
export function _runbookLinks(base: string | undefined, fail: (value: string) => Error): (alert: string) => Record<string, string> {
  const trimmed = base?.replace(/\/+$/, '');
  if (base !== undefined && !/^https:\/\/[^\s]+$/.test(trimmed!)) throw fail(base);
  return (alert): Record<string, string> => (trimmed ? { runbook_url: `${trimmed}/${alert}` } : {});
}
