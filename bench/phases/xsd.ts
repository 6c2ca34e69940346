/**
 * What one FA(3) XSD validation costs, in this process: the API, the worker and the simulator each
 * validate every invoice, and xmllint-wasm compiles the schema again on every run, so the fixed
 * cost of a run against the cost of one more document in it explains much of the per-invoice CPU.
 */
import { validateFa3XmlBatch } from '../../fa3/xsd';
import { buildFa3Xml } from '../../fa3/build';
import { InvoiceSchema } from '../../domain/invoice';
import { benchInvoice, sellerNips } from '../support/invoices';
import { loadAverage, selfCpuSeconds } from '../support/processes';
import { percentile, say } from '../support/progress';

export interface XsdResult {
  runs: number;
  largeBatch: number;
  oneDocCpuMs: number;
  largeBatchCpuMs: number;
  perExtraDocCpuMs: number;
  load: string;
}

export async function xsdCost(o: { runs: number; largeBatch: number }): Promise<XsdResult> {
  const [seller] = sellerNips(9, 1);
  const xml = (i: number) => buildFa3Xml(InvoiceSchema.parse(benchInvoice(seller, 'FV/XSD/', i)), { generatedAt: new Date() });
  await validateFa3XmlBatch([xml(0)]);
  const cpuOf = async (docs: string[]) => {
    const before = selfCpuSeconds();
    const results = await validateFa3XmlBatch(docs);
    if (!results.every((r) => r.valid)) throw new Error('bench invoice failed XSD validation');
    return (selfCpuSeconds() - before) * 1000;
  };
  const one: number[] = [];
  const many: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    one.push(await cpuOf([xml(r)]));
    many.push(await cpuOf(Array.from({ length: o.largeBatch }, (_, i) => xml(i))));
  }
  const oneDocCpuMs = percentile(one, 0.5);
  const largeBatchCpuMs = percentile(many, 0.5);
  const result = { runs: o.runs, largeBatch: o.largeBatch, oneDocCpuMs, largeBatchCpuMs, perExtraDocCpuMs: (largeBatchCpuMs - oneDocCpuMs) / (o.largeBatch - 1), load: loadAverage() };
  say(`XSD: one document ${oneDocCpuMs.toFixed(0)} ms CPU per run, ${o.largeBatch} documents ${largeBatchCpuMs.toFixed(0)} ms`);
  return result;
}
