/**
 * Summarises a V8 CPU profile (`BENCH_PROFILE_DIR=dir npm run bench …` writes one per thread of every
 * child process): busy time, self time by package and the top functions by self time. The figures in
 * docs/BENCHMARKS.md's profile notes come from this script.
 *   npx tsx scripts/cpu-profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)']);

function packageOf(url: string): string {
  if (!url) return '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  if (url.startsWith('node:')) return 'node';
  if (url.startsWith('wasm://')) return 'wasm';
  const own = /\/([^/]+)\/[^/]+\.[cm]?[jt]s$/.exec(url);
  return own ? `./${own[1]}` : url;
}

function main() {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx scripts/cpu-profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  let total = 0;
  let idle = 0;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)!.callFrame;
    total += micros;
    if (IDLE.has(frame.functionName)) {
      idle += micros;
      continue;
    }
    const pkg = packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(process.cwd() + '/', '')}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  const busy = total - idle;
  const ms = (micros: number) => `${(micros / 1000).toFixed(0).padStart(8)} ms`;
  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)} %`;
  const print = (title: string, entries: Map<string, number>, limit: number) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) process.stdout.write(`${ms(micros)} ${share(micros)}  ${key}\n`);
  };
  process.stdout.write(`${file}\nsampled ${ms(total).trim()}, busy ${ms(busy).trim()} (shares below are of busy time)\n`);
  print('self time by package', byPackage, 15);
  print('self time by function', byFunction, top);
}

main();
