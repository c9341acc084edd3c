// The alert and recording windows of SLOs, shared by the spec's resolver and the rules (split out of rules.ts).

/** The burn-rate alert windows of the SRE workbook (multi-window, multi-burn-rate). */
export const BURN_RATE_WINDOWS = [
  { long: '1h', short: '5m', factor: 14.4, severity: 'critical', for: '2m', action: 'page' },
  { long: '6h', short: '30m', factor: 6, severity: 'critical', for: '15m', action: 'page' },
  { long: '3d', short: '6h', factor: 1, severity: 'warning', for: '1h', action: 'ticket' },
] as const;

/** The windows SLI error ratios are recorded over. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;
