import { buildFa3Xml } from '../../fa3/build';
import { defaultGeneratedAt, locateXmlLine } from '../../domain/validation/xsd-step';
import { fixture } from '../fixtures/invoices/load';

const GENERATED_AT = new Date('2026-06-30T10:00:00Z');

/** 1-based line of the n-th (0-based) occurrence of `needle`, as libxml reports it. */
function lineOf(xml: string, needle: string, occurrence = 0): number {
  const lines = xml.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(needle) && seen++ === occurrence) return i + 1;
  }
  throw new Error(`${needle} #${occurrence} not in XML`);
}

describe('XSD error → model field', () => {
  const xml = buildFa3Xml(fixture('vat-basic'), { generatedAt: GENERATED_AT });

  it.each([
    ['<P_12>', 1, 'P_12', ['lines', 1, 'vatRate']],
    ['<P_11>', 0, 'P_11', ['lines', 0, 'netAmount']],
    ['<NIP>', 0, 'NIP', ['seller', 'nip']],
    ['<NIP>', 1, 'NIP', ['buyer', 'identifier', 'nip']],
    ['<Nazwa>', 1, 'Nazwa', ['buyer', 'name']],
    ['<P_2>', 0, 'P_2', ['invoiceNumber']],
    ['<Termin>', 0, 'Termin', ['payment', 'dueDate']],
    ['<FaWiersz>', 1, 'FaWiersz', ['lines', 1]],
  ] as const)('%s #%d → %j', (needle, occurrence, element, path) => {
    expect(locateXmlLine(xml, lineOf(xml, needle, occurrence), element)).toEqual({ element, path });
  });

  it('maps order lines of an advance invoice and corrected-invoice references', () => {
    const zal = buildFa3Xml(fixture('kor-zal'), { generatedAt: GENERATED_AT });
    expect(locateXmlLine(zal, lineOf(zal, '<P_12Z>', 1), 'P_12Z').path).toEqual(['lines', 1, 'vatRate']);
    expect(locateXmlLine(zal, lineOf(zal, '<NrKSeFFaKorygowanej>'), 'NrKSeFFaKorygowanej').path).toEqual(['correction', 'correctedInvoices', 0, 'ksefNumber']);
  });

  it('falls back to the whole invoice for elements without a model field', () => {
    expect(locateXmlLine(xml, lineOf(xml, '<P_16>'), 'P_16')).toEqual({ element: 'P_16', path: [] });
    expect(locateXmlLine(xml, null, 'Faktura')).toEqual({ element: 'Faktura', path: [] });
  });
});

describe('trial build timestamp', () => {
  it('derives DataWytworzeniaFa from "today" and keeps it inside the schema window', () => {
    expect(defaultGeneratedAt('2026-06-30').toISOString()).toBe('2026-06-30T12:00:00.000Z');
    expect(defaultGeneratedAt('2024-01-01').toISOString()).toBe('2025-09-01T00:00:00.000Z');
    expect(defaultGeneratedAt('2060-01-01').toISOString()).toBe('2050-01-01T00:00:00.000Z');
  });
});
