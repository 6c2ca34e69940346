import {
  buildInvoiceVerificationUrl,
  checkKsefNumber,
  crc8,
  isValidKsefNumber,
  isValidReferenceNumber,
  KSEF_ENVIRONMENTS,
  localSimulatorEnvironment,
  parseRetryAfter,
  qrLabel,
  resolveApiBaseUrl,
  withKsefChecksum,
} from '../../ksef-client';
import { parseErrorBody } from '../../ksef-client/http';

describe('KSeF number', () => {
  it('accepts the documentation example and parses its parts', () => {
    expect(checkKsefNumber('5265877635-20250826-0100001AF629-AF')).toEqual({
      valid: true,
      parsed: { sellerNip: '5265877635', date: '2025-08-26', technicalPart: '0100001AF629', checksum: 'AF' },
    });
  });

  it('rejects a wrong CRC (the MF sample invoices quote one), a bad date and a bad shape', () => {
    expect(checkKsefNumber('9999999999-20230908-8BEF280C8D35-4D')).toEqual({ valid: false, problem: 'CHECKSUM' });
    expect(withKsefChecksum('9999999999-20230908-8BEF280C8D35')).toBe('9999999999-20230908-8BEF280C8D35-21');
    expect(checkKsefNumber('5265877635-20250231-0100001AF629-AF')).toEqual({ valid: false, problem: 'DATE' });
    expect(checkKsefNumber('5265877635-20250826-0100001af629-AF')).toEqual({ valid: false, problem: 'FORMAT' });
    expect(isValidKsefNumber('0265877635-20250826-0100001AF629-AF')).toBe(false);
  });

  it('uses CRC-8 poly 0x07, init 0, no reflection (standard check value 0xF4 for "123456789")', () => {
    expect(crc8('123456789')).toBe(0xf4);
  });

  it('validates reference numbers with the same CRC over 33 characters', () => {
    expect(isValidReferenceNumber('20250626-SO-2F14610000-242991F8C9-B4')).toBe(true);
    expect(isValidReferenceNumber('20250626-SO-2F14610000-242991F8C9-B5')).toBe(false);
  });
});

describe('QR KOD I verification link', () => {
  it('reproduces the documentation example for TEST', () => {
    const invoiceHash = Buffer.from('UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE', 'base64url').toString('base64');
    expect(buildInvoiceVerificationUrl({ environment: 'test', sellerNip: '1111111111', issueDate: '2026-02-01', invoiceHash })).toBe(
      'https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE',
    );
  });

  it('hashes the XML itself when given it, and uses each environment host', () => {
    const url = buildInvoiceVerificationUrl({ environment: 'production', sellerNip: '5260001246', issueDate: '2026-12-31', xml: 'abc' });
    expect(url).toBe('https://qr.ksef.mf.gov.pl/invoice/5260001246/31-12-2026/ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(buildInvoiceVerificationUrl({ environment: 'demo', sellerNip: '5260001246', issueDate: '2026-01-05', xml: 'abc' })).toMatch(/^https:\/\/qr-demo\.ksef\.mf\.gov\.pl\/invoice\//);
    expect(() => buildInvoiceVerificationUrl({ environment: 'test', sellerNip: '5260001246', issueDate: '05.01.2026', xml: 'abc' })).toThrow(
      expect.objectContaining({ code: 'KSEF_INVALID_ARGUMENT' }),
    );
    expect([qrLabel(undefined), qrLabel('5265877635-20250826-0100001AF629-AF')]).toEqual(['OFFLINE', '5265877635-20250826-0100001AF629-AF']);
  });
});

describe('environments', () => {
  it('maps names to /v2 API bases and accepts explicit URLs', () => {
    expect(resolveApiBaseUrl('test')).toBe('https://api-test.ksef.mf.gov.pl/v2');
    expect(resolveApiBaseUrl('demo')).toBe('https://api-demo.ksef.mf.gov.pl/v2');
    expect(resolveApiBaseUrl('production')).toBe(KSEF_ENVIRONMENTS.production.apiBaseUrl);
    expect(resolveApiBaseUrl('http://127.0.0.1:4000/v2/')).toBe('http://127.0.0.1:4000/v2');
    expect(localSimulatorEnvironment('http://127.0.0.1:4000/').apiBaseUrl).toBe('http://127.0.0.1:4000/v2');
  });
});

describe('error bodies and Retry-After', () => {
  it('reads the legacy exception format', () => {
    const parsed = parseErrorBody({
      exception: {
        exceptionDetailList: [{ exceptionCode: 21405, exceptionDescription: 'Błąd walidacji danych wejściowych.', details: ['invoiceHash is required'] }],
        referenceNumber: '20250626-EX-0000000000-0000000000-00',
        serviceCode: 'x',
      },
    });
    expect(parsed.exceptions).toEqual([{ code: 21405, description: 'Błąd walidacji danych wejściowych.', details: ['invoiceHash is required'] }]);
    expect(parsed.serviceReference).toBe('20250626-EX-0000000000-0000000000-00');
  });

  it('reads problem+json with errors[] and keeps the other problem fields', () => {
    const parsed = parseErrorBody({ title: 'Forbidden', status: 403, detail: 'no permission', reasonCode: 'missing-permissions', traceId: 't-1' });
    expect(parsed.exceptions).toEqual([]);
    expect(parsed.problem).toMatchObject({ reasonCode: 'missing-permissions', status: 403 });
    expect(parsed.serviceReference).toBe('t-1');
    const bad = parseErrorBody({ title: 'Bad Request', status: 400, errors: [{ code: 21173, description: 'Brak sesji', details: [] }] });
    expect(bad.exceptions).toEqual([{ code: 21173, description: 'Brak sesji', details: [] }]);
  });

  it('reads the 429 status body', () => {
    expect(parseErrorBody({ status: { code: 429, description: 'Too Many Requests', details: ['wait 2 s'] } }).exceptions).toEqual([
      { code: 429, description: 'Too Many Requests', details: ['wait 2 s'] },
    ]);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
