import { VAT_RATES, type VatRate } from '../invoice';
import { makeIssue } from './issue';
import { unknownRateIssue } from './vat-rates';
import type { ValidationIssue, VatDictionary } from './types';

/**
 * Source systems speak their own VAT codes ("A", "ZW", "VAT23"…). The dictionary turns them into
 * FA(3) rates before the payload meets the schema, so the API can report an unknown code by name
 * instead of a generic "invalid enum value".
 */

const RATE_SET: ReadonlySet<string> = new Set(VAT_RATES);

export class VatDictionaryError extends Error {
  override readonly name = 'VatDictionaryError';
}

/** Validates a dictionary loaded from JSON (file or env); throws so misconfiguration fails at startup. */
export function parseVatDictionary(raw: unknown): VatDictionary {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new VatDictionaryError('VAT dictionary must be an object: { "<sourceSystem>": { "<code>": "<FA(3) rate>" } }');
  }
  const out: VatDictionary = {};
  for (const [system, codes] of Object.entries(raw)) {
    if (typeof codes !== 'object' || codes === null || Array.isArray(codes)) {
      throw new VatDictionaryError(`VAT dictionary for "${system}" must be an object of code → rate`);
    }
    const mapped: Record<string, VatRate> = {};
    for (const [code, rate] of Object.entries(codes)) {
      if (typeof rate !== 'string' || !RATE_SET.has(rate)) {
        throw new VatDictionaryError(`VAT dictionary "${system}": code "${code}" maps to ${JSON.stringify(rate)}, which is not an FA(3) rate (${VAT_RATES.join(', ')})`);
      }
      mapped[code] = rate as VatRate;
    }
    out[system] = mapped;
  }
  return out;
}

/** Reads the dictionary from an env variable holding JSON; empty dictionary when unset. */
export function vatDictionaryFromEnv(env: Record<string, string | undefined> = process.env, variable = 'KSEF_VAT_DICTIONARY'): VatDictionary {
  const text = env[variable];
  if (!text || text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VatDictionaryError(`${variable} is not valid JSON: ${(e as Error).message}`);
  }
  return parseVatDictionary(json);
}

export interface MappedVatCodes<T> {
  /** A copy of the input with lines[].vatRate replaced by FA(3) rates where a mapping exists. */
  input: T;
  issues: ValidationIssue[];
}

/**
 * Applies the dictionary of `input.sourceSystem` to every line. A line may carry the source code
 * in `vatCode` (kept apart from `vatRate`) or directly in `vatRate`. The system's own mapping wins
 * over an identical-looking FA(3) value, because "0" or "8" may mean something else in that system.
 * Never throws; unknown shapes are passed through for the schema to report.
 */
export function mapSourceVatCodes<T>(input: T, dictionary: VatDictionary): MappedVatCodes<T> {
  if (typeof input !== 'object' || input === null) return { input, issues: [] };
  const record = input as Record<string, unknown>;
  const lines = record.lines;
  if (!Array.isArray(lines)) return { input, issues: [] };
  const system = typeof record.sourceSystem === 'string' ? record.sourceSystem : undefined;
  const codes = system !== undefined && Object.prototype.hasOwnProperty.call(dictionary, system) ? dictionary[system] : undefined;
  const issues: ValidationIssue[] = [];
  const mappedLines = lines.map((line, i) => {
    if (typeof line !== 'object' || line === null || Array.isArray(line)) return line;
    const { vatCode, ...rest } = line as Record<string, unknown>;
    const hasCode = vatCode !== undefined;
    const source = hasCode ? vatCode : rest.vatRate;
    if (typeof source !== 'string') {
      // Leave it to the schema (missing / wrong type) unless a code field was clearly meant.
      if (hasCode) issues.push(unknownRateIssue(source, ['lines', i, 'vatCode'], system, dictionary));
      return hasCode ? rest : line;
    }
    const key = codes ? findCode(codes, source) : undefined;
    if (key !== undefined) return { ...rest, vatRate: codes![key] };
    if (RATE_SET.has(source)) return { ...rest, vatRate: source };
    if (codes || hasCode) {
      issues.push(
        codes
          ? unknownRateIssue(source, ['lines', i, hasCode ? 'vatCode' : 'vatRate'], system, dictionary)
          : makeIssue('VAT_CODE_UNMAPPED', ['lines', i, 'vatCode'], {
              en: `VAT code "${source.slice(0, 20)}" was sent but source system "${system ?? '?'}" has no VAT dictionary.`,
              pl: `przesłano kod VAT "${source.slice(0, 20)}", ale system źródłowy "${system ?? '?'}" nie ma słownika VAT.`,
            }),
      );
    }
    return hasCode ? { ...rest, vatRate: source } : line;
  });
  return { input: { ...record, lines: mappedLines } as T, issues };
}

/** Exact match first; then case/space-insensitive, since ERPs are inconsistent about "zw" vs "ZW ". */
function findCode(codes: Record<string, VatRate>, source: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(codes, source)) return source;
  const norm = source.trim().toUpperCase();
  return Object.keys(codes).find((k) => k.trim().toUpperCase() === norm);
}
