import type { Response } from 'express';
import type { RegistryItem } from './item';

/**
 * CSV for Excel as used in Poland: UTF-8 with a BOM (otherwise Excel reads it as Windows-1250),
 * ";" as separator and "," as decimal mark (the Polish locale's list separator and decimal sign),
 * CRLF line ends. Text that starts like a formula is prefixed with an apostrophe so a spreadsheet
 * never executes data that came from a source system.
 */
export const CSV_COLUMNS: Array<[keyof RegistryItem, string]> = [
  ['invoiceNumber', 'Numer faktury / Invoice number'],
  ['status', 'Status'],
  ['statusGroup', 'Grupa / Group'],
  ['ksefNumber', 'Numer KSeF / KSeF number'],
  ['issueDate', 'Data wystawienia / Issue date'],
  ['receivedAt', 'Przyjęto / Received'],
  ['sourceSystem', 'System źródłowy / Source system'],
  ['type', 'Rodzaj / Type'],
  ['direction', 'Kierunek / Direction'],
  ['sellerNip', 'NIP sprzedawcy / Seller NIP'],
  ['sellerName', 'Sprzedawca / Seller'],
  ['buyerIdentifier', 'Identyfikator nabywcy / Buyer id'],
  ['buyerName', 'Nabywca / Buyer'],
  ['grossAmount', 'Brutto / Gross'],
  ['currency', 'Waluta / Currency'],
  ['rejectionCode', 'Kod odrzucenia / Rejection code'],
  ['rejectionReason', 'Powód / Reason'],
  ['nextAction', 'Następny krok / Next action'],
  ['owner', 'Odpowiedzialny / Owner'],
  ['id', 'ID'],
];

export const CSV_SEPARATOR = ';';

function cell(key: keyof RegistryItem, value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (key === 'grossAmount') text = text.replace('.', ',');
  else if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `\uFEFF${CSV_COLUMNS.map(([, label]) => label).join(CSV_SEPARATOR)}\r\n`;
}

export function csvLine(item: RegistryItem): string {
  return `${CSV_COLUMNS.map(([key]) => cell(key, item[key])).join(CSV_SEPARATOR)}\r\n`;
}

/** Write respecting back-pressure, so a large export never piles up in memory. */
export async function writeChunk(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
}
