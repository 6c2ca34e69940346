/** One progress line on stderr (redrawn in place); stdout stays for the summary table. */
export function progress(label: string, done: number, total: number, extra = ''): void {
  const width = 30;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  process.stderr.write(`\r\x1b[2K${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}`);
}

export function say(line: string): void {
  process.stderr.write(`\r\x1b[2K${line}\n`);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
