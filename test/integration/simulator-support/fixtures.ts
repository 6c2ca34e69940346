import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { nipWithChecksum } from '../../../domain/nip';

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'ksef-examples');

export interface ExampleInvoice {
  name: string;
  xml: string;
}

export function officialExamples(): ExampleInvoice[] {
  const mf = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.xml')).map((f) => ({ name: f, xml: readFileSync(path.join(EXAMPLES_DIR, f), 'utf8') }));
  const thirdDir = path.join(EXAMPLES_DIR, 'third-party-ksef2-suite');
  const third = readdirSync(thirdDir).filter((f) => f.endsWith('.xml')).map((f) => ({ name: `third-party/${f}`, xml: readFileSync(path.join(thirdDir, f), 'utf8') }));
  return [...mf, ...third];
}

export function exampleXml(name: string): string {
  const found = officialExamples().find((e) => e.name === name);
  if (!found) throw new Error(`no example ${name}`);
  return found.xml;
}

/** A checksum-valid NIP that no example uses, so each test owns its seller's duplicate space. */
export function randomNip(): string {
  for (;;) {
    const prefix = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
    const nip = nipWithChecksum(prefix);
    if (nip && /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return nip;
  }
}

function replaceInSection(xml: string, section: string, element: string, value: string): string {
  const start = xml.indexOf(`<${section}>`);
  if (start < 0) throw new Error(`no <${section}>`);
  const open = xml.indexOf(`<${element}>`, start);
  const close = xml.indexOf(`</${element}>`, open);
  return `${xml.slice(0, open)}<${element}>${value}${xml.slice(close)}`;
}

export function withSellerNip(xml: string, nip: string): string {
  return replaceInSection(xml, 'Podmiot1', 'NIP', nip);
}

export function withBuyerNip(xml: string, nip: string): string {
  return replaceInSection(xml, 'Podmiot2', 'NIP', nip);
}

export function withInvoiceNumber(xml: string, invoiceNumber: string): string {
  return xml.replace(/<P_2>[^<]*<\/P_2>/, `<P_2>${invoiceNumber}</P_2>`);
}

export function withIssueDate(xml: string, date: string): string {
  return xml.replace(/<P_1>[^<]*<\/P_1>/, `<P_1>${date}</P_1>`);
}

/** Points every NrKSeFFaKorygowanej at KSeF numbers the simulator actually issued. */
export function withCorrectedKsefNumbers(xml: string, ksefNumbers: string[]): string {
  let i = 0;
  return xml.replace(/<NrKSeFFaKorygowanej>[^<]*<\/NrKSeFFaKorygowanej>/g, () => `<NrKSeFFaKorygowanej>${ksefNumbers[i++ % ksefNumbers.length]}</NrKSeFFaKorygowanej>`);
}

export function basicInvoice(sellerNip: string, invoiceNumber: string, buyerNip = '1111111111'): string {
  return withBuyerNip(withInvoiceNumber(withSellerNip(exampleXml('mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'), sellerNip), invoiceNumber), buyerNip);
}
