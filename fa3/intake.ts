import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Invoice, InvoiceInput } from '../domain/invoice';
import { buildFa3Xml } from './build';
import { Fa3ParseError, parseFa3Xml } from './parse';
import { validateFa3Xml, validateFa3XmlBatch, type XsdIssue } from './xsd';

/**
 * A ready FA(3) document from a source system, checked in the order a person fixes it:
 * well-formed XML, then the official XSD, then the model. Business rules run on the model
 * afterwards (the caller's job), exactly as for JSON.
 */

export type XmlIntakeCode = 'XML_EMPTY' | 'XML_DOCTYPE_NOT_ALLOWED' | 'XML_NOT_WELL_FORMED' | 'XSD_INVALID' | 'FA3_NOT_AN_INVOICE';

export interface XmlIntakeError {
  code: XmlIntakeCode;
  message: string;
  line: number | null;
}

export type XmlIntakeResult = { ok: true; input: InvoiceInput } | { ok: false; errors: XmlIntakeError[] };

const MAX_REPORTED = 50;

export async function readFa3Submission(xml: string, sourceSystem: string): Promise<XmlIntakeResult> {
  if (xml.trim().length === 0) return fail({ code: 'XML_EMPTY', message: 'The request body is empty; send one FA(3) document.', line: null });
  // FA(3) never uses a DTD; refusing it closes the door on entity-expansion tricks in every parser after this one.
  const doctype = /<!DOCTYPE/i.exec(xml);
  if (doctype) return fail({ code: 'XML_DOCTYPE_NOT_ALLOWED', message: 'A DOCTYPE declaration is not allowed in an FA(3) document.', line: lineAt(xml, doctype.index) });
  // A cheap syntax check first: garbage is answered without a validator run (which compiles the schema).
  const syntax = XMLValidator.validate(xml);
  if (syntax !== true) return fail({ code: 'XML_NOT_WELL_FORMED', message: `${syntax.err.msg} (column ${syntax.err.col})`, line: syntax.err.line ?? null });
  // libxml2 then settles what the quick check lets through (undeclared entities, several roots) and the XSD.
  const issues = await xsdIssues(xml);
  if (issues.length > 0) {
    return {
      ok: false,
      errors: issues.slice(0, MAX_REPORTED).map((i) => ({
        // libxml2 reports syntax problems as "parser error", schema ones as "Schemas validity error".
        code: /^parser error|^I\/O error|^encoding error/i.test(i.message) ? 'XML_NOT_WELL_FORMED' : 'XSD_INVALID',
        message: i.message,
        line: i.line,
      })),
    };
  }
  try {
    return { ok: true, input: parseFa3Xml(xml, { sourceSystem }) };
  } catch (error) {
    const code = error instanceof Fa3ParseError && error.code === 'FA3_NOT_XML' ? 'XML_NOT_WELL_FORMED' : 'FA3_NOT_AN_INVOICE';
    return fail({ code, message: (error as Error).message, line: null });
  }
}

/** A validator failure caused by one odd document must not fail the batch it shared, nor look like our outage. */
async function xsdIssues(xml: string): Promise<XsdIssue[]> {
  try {
    return (await validateFa3Xml(xml)).issues;
  } catch {
    try {
      return (await validateFa3XmlBatch([xml]))[0]?.issues ?? [];
    } catch (error) {
      return [{ message: `parser error : the document could not be read (${(error as Error).message.slice(0, 200)})`, line: null }];
    }
  }
}

function fail(error: XmlIntakeError): XmlIntakeResult {
  return { ok: false, errors: [error] };
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const treeParser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, processEntities: false });

/**
 * Elements of the submitted document that the invoice model does not carry, so the XML KSeF gets
 * (rebuilt from the model) will not contain them. Reported as warnings: the sender decides whether
 * that matters (e.g. a margin-scheme annotation) before the invoice is final.
 */
export function elementsNotCarried(submittedXml: string, invoice: Invoice): string[] {
  // Any in-range time will do: only which elements exist is compared, not their values.
  const rebuilt = buildFa3Xml(invoice, { generatedAt: new Date('2030-01-01T00:00:00Z') });
  const ours = elementPaths(treeParser.parse(rebuilt));
  const theirs = elementPaths(treeParser.parse(submittedXml));
  // The header is always ours (form code, generation time, system info).
  const missing = [...theirs].filter((p) => !ours.has(p) && !p.startsWith('Faktura/Naglowek') && p !== '?xml');
  // Name the outermost missing element only; its children go with it.
  const set = new Set(missing);
  return missing.filter((p) => !set.has(p.slice(0, p.lastIndexOf('/')))).sort();
}

function elementPaths(node: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) elementPaths(item, prefix, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === '#text') continue;
    const path = prefix ? `${prefix}/${key}` : key;
    out.add(path);
    elementPaths(value, path, out);
  }
  return out;
}
