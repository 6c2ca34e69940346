/** Command-line flags of `npm run bench`; --quick scales every measurement down for a smoke run. */
export interface BenchArgs {
  quick: boolean;
  invoices: number;
  concurrency: number;
  rate: number;
  duration: number;
  connections: number;
  batchInvoices: number;
  batchSession: number;
  singles: number;
  sellers: number;
  perSeller: number;
  waiting: number;
  registryRows: number;
  only: Set<string> | null;
  out: string;
}

export const PHASES = ['xsd', 'throughput', 'latency', 'batch', 'batchsession', 'memory', 'registry', 'tuning', 'sellers'] as const;

export function parseArgs(argv: string[]): BenchArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].replace(/^--/, '').split('=');
    if (inline !== undefined) flags.set(key, inline);
    else if (argv[i + 1] && !argv[i + 1].startsWith('--')) flags.set(key, argv[++i]);
    else flags.set(key, 'true');
  }
  const quick = flags.get('quick') === 'true';
  const num = (name: string, full: number, small: number) => {
    const v = flags.get(name);
    if (v === undefined) return quick ? small : full;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const only = flags.get('only');
  if (only) for (const p of only.split(',')) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`--only: unknown phase ${p} (${PHASES.join(', ')})`);
  return {
    quick,
    invoices: num('invoices', 1000, 150),
    concurrency: num('concurrency', 16, 16),
    rate: num('rate', 50, 50),
    duration: num('duration', 20, 5),
    connections: num('connections', 10, 10),
    batchInvoices: num('batch-invoices', 2000, 300),
    batchSession: num('batch-session', 10_000, 500),
    singles: num('singles', 10, 3),
    sellers: num('sellers', 4, 4),
    perSeller: num('per-seller', 1000, 50),
    waiting: num('waiting', 1000, 150),
    registryRows: num('registry-rows', 1_000_000, 20_000),
    only: only ? new Set(only.split(',')) : null,
    out: flags.get('out') ?? 'docs/BENCHMARKS.md',
  };
}
