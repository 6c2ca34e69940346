/**
 * UPO (Urzędowe Poświadczenie Odbioru, KSeF's official receipt) as KSeF really sends it. The UPO v4-3
 * XSD fixes `NazwaPodmiotuPrzyjmujacego` to "Ministerstwo Finansów", yet MF's own examples
 * (CIRFMF/ksef-docs faktury/upo/przyklady/v4-3/…) say "Ministerstwo Finansów - środowisko testowe (TE)"
 * and fail the XSD; real UPOs also carry MF's XAdES signature. So a UPO is never schema-checked here:
 * it is kept byte for byte (the signature covers it) and read tolerantly — namespace version, element
 * order, extra elements and prefixes do not matter; what cannot be read is reported, not thrown.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface UpoDocument {
  sellerNip: string | null;
  ksefNumber: string | null;
  invoiceNumber: string | null;
  issueDate: string | null;
  sentAt: string | null;
  ksefNumberAssignedAt: string | null;
  invoiceHash: string | null;
  mode: string | null;
}

export type UpoReading =
  | {
      ok: true;
      /** e.g. http://upo.schematy.mf.gov.pl/KSeF/v4-3 */
      namespace: string | null;
      issuerName: string | null;
      sessionReferenceNumber: string | null;
      context: { type: string; value: string } | null;
      documents: UpoDocument[];
      signed: boolean;
    }
  | { ok: false; reason: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Dokument',
});

type Node = Record<string, unknown>;

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const inner = (value as Node)['#text'];
    return inner === undefined ? null : String(inner);
  }
  return String(value);
}

const UPO_NAMESPACE = /^http:\/\/upo\.schematy\.mf\.gov\.pl\/KSeF\/v\d+-\d+$/;

/** Reads a UPO; never throws. `ok: false` names why it is not a UPO we can read. */
export function readUpo(content: Uint8Array | string): UpoReading {
  const xml = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
  const checked = XMLValidator.validate(xml);
  if (checked !== true) return { ok: false, reason: `not well-formed XML: ${checked.err.msg} (line ${checked.err.line})` };
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    return { ok: false, reason: `not readable XML: ${(error as Error).message}` };
  }
  const root = doc['Potwierdzenie'] as Node | undefined;
  if (!root || typeof root !== 'object') return { ok: false, reason: 'root element is not Potwierdzenie' };
  // The parser drops namespace declarations along with prefixes: read the root's from the text.
  const declared = /<(?:[\w.-]+:)?Potwierdzenie\b[^>]*?\sxmlns(?::[\w.-]+)?\s*=\s*["']([^"']+)["']/.exec(xml)?.[1] ?? null;
  const ns = declared && UPO_NAMESPACE.test(declared) ? declared : null;
  const auth = (root['Uwierzytelnienie'] as Node | undefined) ?? {};
  const contextNode = (auth['IdKontekstu'] as Node | undefined) ?? {};
  const contextEntry = Object.entries(contextNode).find(([k]) => !k.startsWith('@') && !k.startsWith('#'));
  const documents = ((root['Dokument'] as Node[] | undefined) ?? []).map((d) => ({
    sellerNip: text(d['NipSprzedawcy']),
    ksefNumber: text(d['NumerKSeFDokumentu']),
    invoiceNumber: text(d['NumerFaktury']),
    issueDate: text(d['DataWystawieniaFaktury']),
    sentAt: text(d['DataPrzeslaniaDokumentu']),
    ksefNumberAssignedAt: text(d['DataNadaniaNumeruKSeF']),
    invoiceHash: text(d['SkrotDokumentu']),
    mode: text(d['TrybWysylki']),
  }));
  return {
    ok: true,
    namespace: ns,
    issuerName: text(root['NazwaPodmiotuPrzyjmujacego']),
    sessionReferenceNumber: text(root['NumerReferencyjnySesji']),
    context: contextEntry ? { type: contextEntry[0], value: text(contextEntry[1]) ?? '' } : null,
    documents,
    signed: root['Signature'] !== undefined,
  };
}
