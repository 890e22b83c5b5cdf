/** Latency statistics and table printing for benchmarks. */

/** The q-quantile (0..1) of already sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  return { count: values.length, p50Ms: quantile(values, 0.5), p99Ms: quantile(values, 0.99), maxMs: values.at(-1) ?? NaN };
}

/** Print rows as an aligned text table (first row = header). Numbers are right-aligned. */
export function printTable(rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (rowIndex: number): string =>
    cells[rowIndex]
      .map((c, i) => (typeof rows[rowIndex][i] === 'number' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ');
  console.log(line(0));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (let i = 1; i < cells.length; i++) console.log(line(i));
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
