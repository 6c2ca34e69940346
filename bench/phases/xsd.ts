/**
 * What one FA(3) XSD validation costs, in this process: the API, the worker and the simulator each
 * validate every invoice. fa3/xsd.ts compiles the schema once per process in its validation thread,
 * so the figures are that one-time start and the cost of each further document.
 */
import { stopXsdValidation, validateFa3Xml } from '../../fa3/xsd';
import { buildFa3Xml } from '../../fa3/build';
import { InvoiceSchema } from '../../domain/invoice';
import { benchInvoice, sellerNips } from '../support/invoices';
import { loadAverage, selfCpuSeconds } from '../support/processes';
import { percentile, say } from '../support/progress';

export interface XsdResult {
  runs: number;
  documents: number;
  startWallMs: number;
  startCpuMs: number;
  perDocumentCpuMs: number;
  perDocumentWallMs: number;
  load: string;
}

export async function xsdCost(o: { runs: number; documents: number }): Promise<XsdResult> {
  const [seller] = sellerNips(9, 1);
  const docs = Array.from({ length: o.documents }, (_, i) => buildFa3Xml(InvoiceSchema.parse(benchInvoice(seller, 'FV/XSD/', i)), { generatedAt: new Date() }));
  // A fresh thread: the first call pays the thread start, libxml2's wasm and the schema compile.
  await stopXsdValidation();
  const cpu0 = selfCpuSeconds();
  const t0 = performance.now();
  if (!(await validateFa3Xml(docs[0])).valid) throw new Error('bench invoice failed XSD validation');
  const startWallMs = performance.now() - t0;
  const startCpuMs = (selfCpuSeconds() - cpu0) * 1000;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const before = selfCpuSeconds();
    const t = performance.now();
    // Each document its own call, all at once — how concurrent activities and requests use it.
    const results = await Promise.all(docs.map((xml) => validateFa3Xml(xml)));
    if (!results.every((x) => x.valid)) throw new Error('bench invoice failed XSD validation');
    wall.push((performance.now() - t) / docs.length);
    cpu.push(((selfCpuSeconds() - before) * 1000) / docs.length);
  }
  const result = { runs: o.runs, documents: o.documents, startWallMs, startCpuMs, perDocumentCpuMs: percentile(cpu, 0.5), perDocumentWallMs: percentile(wall, 0.5), load: loadAverage() };
  say(`XSD: start ${startWallMs.toFixed(0)} ms, then ${result.perDocumentCpuMs.toFixed(2)} ms CPU per document`);
  return result;
}
