import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Validates documents against the official FA(3) XSD: libxml2 compiled to wasm (libxml2-wasm), no
 * native dependencies. The schema files are vendored under ksef-schemas/ so a fresh clone validates
 * offline; the FA(3) schema's absolute http import is rewritten to the local copy
 * (see the .local-imports.xsd file).
 *
 * Validation runs in one worker thread per process (fa3/xsd-thread.mjs) that compiles the schema
 * once and keeps it: `npm run bench` measures the per-document cost (docs/BENCHMARKS.md). The
 * thread also keeps a large document's validation off the event loop that serves HTTP and
 * Temporal tasks.
 */
const SCHEMA_DIR = path.resolve(__dirname, '..', 'ksef-schemas', 'FA3');
const MAIN_SCHEMA = 'schemat_FA(3)_v1-0E.local-imports.xsd';
const THREAD_FILE = path.join(__dirname, 'xsd-thread.mjs');

export interface XsdIssue {
  message: string;
  line: number | null;
}

export interface XsdResult {
  valid: boolean;
  issues: XsdIssue[];
}

interface Request {
  resolve: (results: XsdResult[]) => void;
  reject: (error: unknown) => void;
}

let thread: Worker | undefined;
const inFlight = new Map<number, Request>();
let nextId = 1;

function validationThread(): Worker {
  if (thread) return thread;
  const worker = new Worker(THREAD_FILE, { workerData: { schemaDir: SCHEMA_DIR, mainSchema: MAIN_SCHEMA } });
  worker.on('message', (message: { id?: number; results?: XsdResult[] }) => {
    if (message.id === undefined) return;
    const request = inFlight.get(message.id);
    inFlight.delete(message.id);
    if (inFlight.size === 0) worker.unref();
    request?.resolve(message.results ?? []);
  });
  // A thread that dies takes its in-flight requests with it; they fail (the callers' retries —
  // Temporal activities, HTTP clients — try again) and the next call starts a fresh thread.
  const fail = (error: unknown) => {
    if (thread === worker) thread = undefined;
    for (const request of inFlight.values()) request.reject(error);
    inFlight.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`KSEFOPS_XSD_THREAD_EXIT: the FA(3) validation thread exited with code ${code}`)));
  worker.unref();
  thread = worker;
  return worker;
}

/** Validate one FA(3) document. */
export async function validateFa3Xml(xml: string): Promise<XsdResult> {
  const [result] = await validateFa3XmlBatch([xml]);
  return result;
}

/** Validate many documents in one message to the validation thread (one result per document, in order). */
export function validateFa3XmlBatch(xmls: string[]): Promise<XsdResult[]> {
  if (xmls.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const worker = validationThread();
    const id = nextId++;
    inFlight.set(id, { resolve, reject });
    worker.ref();
    worker.postMessage({ id, xmls });
  });
}

/** Stops the validation thread (tests and graceful shutdown); the next call starts a new one. */
export async function stopXsdValidation(): Promise<void> {
  const worker = thread;
  thread = undefined;
  if (worker) await worker.terminate();
}
