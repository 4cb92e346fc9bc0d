import type { AnalysisRow } from './types.js';

/**
 * A metric's number as people read it: `12ms`, `1.5%`, `0.031`; `—` for none.
 * @example formatMetric(0.015, '%') // '1.5%'
 */
export function formatMetric(value: number | null, unit: AnalysisRow['unit']): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (unit === 'ms') return `${round(value)}ms`;
  if (unit === '%') return `${round(value * 100)}%`;
  return String(round(value));
}

/** Three significant digits, without trailing zeros. */
function round(value: number): number {
  if (value === 0) return 0;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}
