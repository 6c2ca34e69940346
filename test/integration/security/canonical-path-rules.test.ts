/**
 * The canonical-path rule by itself (no stack): which spellings pass, which are refused and why.
 * The whole-app property test is path-canonical.test.ts; this pins the edge cases.
 */
import { nonCanonicalReason } from '../../../api/auth/canonical-path';
import { downloadContentType, inlineScriptHashes } from '../../../api/security-headers';

const WORDS = new Set(['api', 'v1', 'users', 'invoices', 'actions', 'approve', 'ui', 'assets', 'export.csv', 'audit', 'healthz']);

describe('canonical path rule', () => {
  it.each([
    '/',
    '/healthz',
    '/api/v1/users',
    '/api/v1/audit/export.csv',
    '/api/v1/invoices/0196f1c2-aaaa-7bbb-8ccc-0123456789ab/actions/approve',
    // Ids and file names keep their case; only route words have one spelling.
    '/api/v1/invoices/5265877635-20250826-0100001AF629-AF',
    '/ui/assets/pages/Registry.js',
    '/api/v1/some-future-view',
  ])('lets %s through', (path) => {
    expect(nonCanonicalReason(path, WORDS)).toBeNull();
  });

  it.each([
    ['/API/v1/users', 'spelt'],
    ['/api/V1/users', 'spelt'],
    ['/api/v1/Users', 'spelt'],
    ['/api/v1/Audit/export.csv', 'spelt'],
    ['/api/v1/audit/EXPORT.CSV', 'spelt'],
    ['/api/v1/invoices/x/actions/Approve', 'spelt'],
    ['/HEALTHZ', 'spelt'],
    ['/api/v1/users/', 'empty'],
    ['//api/v1/users', 'empty'],
    ['/api//v1/users', 'empty'],
    ['/api/./v1/users', 'dot'],
    ['/api/v1/x/../users', 'dot'],
    ['/api/v1/%2e/users', 'letters, digits'],
    ['/api/v1/%75sers', 'letters, digits'],
    ['/api/v1%2Fusers', 'letters, digits'],
    ['/api/v1/users;x=1', 'letters, digits'],
    ['/api\\v1\\users', 'letters, digits'],
    ['/api/v1/us ers', 'letters, digits'],
    ['/api/v1/users#x', 'letters, digits'],
    ['/api/v1/uſers', 'letters, digits'],
    ['http://127.0.0.1/api/v1/users', 'starting with'],
    ['*', 'starting with'],
  ])('refuses %s', (path, why) => {
    expect(nonCanonicalReason(path, WORDS)).toContain(why);
  });
});

describe('download types and the UI shell hash', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['image/PNG', 'image/png'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['text/html', 'application/octet-stream'],
    ['image/svg+xml', 'application/octet-stream'],
    ['application/xhtml+xml', 'application/octet-stream'],
    ['application/xml', 'application/octet-stream'],
    ['text/javascript', 'application/octet-stream'],
    ['', 'application/octet-stream'],
  ])('serves a stored %s as %s', (stored, served) => {
    expect(downloadContentType(stored)).toBe(served);
  });

  it('hashes inline scripts only, exactly as written', () => {
    const html = '<script type="importmap">{"imports":{}}</script><script type="module" src="/ui/assets/app.js"></script>';
    // Computed independently: printf '{"imports":{}}' | openssl dgst -sha256 -binary | base64
    expect(inlineScriptHashes(html)).toEqual(["'sha256-URrTy+Il/Nz0lHojVUx275hWqAWhkSF0VsHbUM4/6Hw='"]);
    expect(inlineScriptHashes('<p>no scripts</p>')).toEqual([]);
  });
});
