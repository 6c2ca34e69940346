import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

/**
 * Validates documents against the official FA(3) XSD (libxml2 compiled to wasm, no native deps).
 * The schema files are vendored under ksef-schemas/ so a fresh clone validates offline; the
 * FA(3) schema's absolute http import is rewritten to the local copy (see local-imports.xsd).
 */
const SCHEMA_DIR = path.resolve(__dirname, '..', 'ksef-schemas', 'FA3');
const MAIN_SCHEMA = 'schemat_FA(3)_v1-0E.local-imports.xsd';
const BASE_FILES = ['ElementarneTypyDanych_v10-0E.xsd', 'KodyKrajow_v10-0E.xsd', 'StrukturyDanych_v10-0E.xsd'];

export interface XsdIssue {
  message: string;
  line: number | null;
}

export interface XsdResult {
  valid: boolean;
  issues: XsdIssue[];
}

let cached: { schema: XMLFileInfo; preload: XMLFileInfo[] } | undefined;

function schemaFiles() {
  if (!cached) {
    cached = {
      schema: { fileName: MAIN_SCHEMA, contents: readFileSync(path.join(SCHEMA_DIR, MAIN_SCHEMA), 'utf8') },
      preload: BASE_FILES.map((f) => ({
        fileName: `bazowe/${f}`,
        contents: readFileSync(path.join(SCHEMA_DIR, 'bazowe', f), 'utf8'),
      })),
    };
  }
  return cached;
}

/**
 * Validate one FA(3) document. Concurrent calls are pooled into one wasm run: every run recompiles
 * the schema, and `npm run bench` measured ~386 ms of CPU for a run with 1 document against ~409 ms
 * with 50 (docs/BENCHMARKS.md, section 6). A lone call waits at most BATCH_WINDOW_MS for company.
 */
export function validateFa3Xml(xml: string): Promise<XsdResult> {
  return new Promise((resolve, reject) => {
    pending.push({ xml, resolve, reject });
    if (pending.length >= MAX_BATCH) void flush();
    else if (!timer) timer = setTimeout(() => void flush(), BATCH_WINDOW_MS);
  });
}

const BATCH_WINDOW_MS = 5;
const MAX_BATCH = 100;
const MAX_RUNS_IN_FLIGHT = 2;
let pending: Array<{ xml: string; resolve: (r: XsdResult) => void; reject: (e: unknown) => void }> = [];
let timer: NodeJS.Timeout | undefined;
let runsInFlight = 0;

async function flush(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (pending.length === 0 || runsInFlight >= MAX_RUNS_IN_FLIGHT) return;
  const batch = pending.slice(0, MAX_BATCH);
  pending = pending.slice(batch.length);
  runsInFlight += 1;
  try {
    const results = await validateFa3XmlBatch(batch.map((b) => b.xml));
    batch.forEach((b, i) => b.resolve(results[i]));
  } catch (error) {
    batch.forEach((b) => b.reject(error));
  } finally {
    runsInFlight -= 1;
    // Whatever arrived while this run was busy goes next, without waiting for another window.
    if (pending.length > 0) void flush();
  }
}

/**
 * Validate many documents in one wasm run: compiling the schema dominates the cost, so batching
 * amortises it (measured in the benchmark, not assumed).
 */
export async function validateFa3XmlBatch(xmls: string[]): Promise<XsdResult[]> {
  if (xmls.length === 0) return [];
  const { schema, preload } = schemaFiles();
  const names = xmls.map((_, i) => `doc${i}.xml`);
  const out = await validateXML({
    xml: xmls.map((contents, i) => ({ fileName: names[i], contents })),
    schema,
    preload,
    maxMemoryPages: 4096,
  });
  return names.map((name) => {
    const issues = out.errors
      .filter((e) => e.loc?.fileName === name || (!e.loc && xmls.length === 1))
      .map((e) => ({ message: e.message.trim(), line: e.loc?.lineNumber ?? null }));
    return { valid: issues.length === 0, issues };
  });
}
