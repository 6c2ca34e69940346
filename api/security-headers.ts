import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

const INDEX_HTML = path.resolve(__dirname, '..', 'web', 'index.html');

/**
 * The one inline script of the UI shell is its import map (module specifiers → /ui/vendor/…): it is
 * allowed by its hash, read from the file this process serves, so no 'unsafe-inline' is needed and
 * an edit to index.html cannot silently break the UI or widen the policy.
 */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

/** The UI shell, or nothing in a tree without web/ (an API-only build still starts; /ui is then 404 anyway). */
function shellHtml(): string {
  try {
    return readFileSync(INDEX_HTML, 'utf8');
  } catch {
    return '';
  }
}

const shared = {
  // Nothing of ours is meant to be framed (clickjacking): both the CSP directive and the legacy header.
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  crossOriginResourcePolicy: { policy: 'same-origin' as const },
};

/**
 * Security headers (helmet): nosniff, no framing, no referrer, and a Content-Security-Policy —
 * the UI's allows only its own scripts, styles and API; everything else (JSON, CSV, attachment
 * downloads) gets "nothing may run, nothing may load" and a sandbox, so a stored file that a
 * browser would render as a page is inert even if opened.
 */
export function securityHeaders(): RequestHandler {
  const ui = helmet({
    ...shared,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptHashes(shellHtml())],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const api = helmet({
    ...shared,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"], sandbox: [] },
    },
  });
  return (req, res, next) => (req.path === '/ui' || req.path.startsWith('/ui/') ? ui(req, res, next) : api(req, res, next));
}

/** Stored files a browser only ever shows, never runs; anything else is served as opaque bytes. */
const PASSIVE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain', 'text/csv', 'application/json', 'application/zip']);

/**
 * The Content-Type an attachment download is served with. The uploader's type is a claim: a stored
 * text/html, SVG, XML or script would be a page of ours if a browser rendered it, so those (and
 * any type not known to be passive) go out as application/octet-stream — always with
 * Content-Disposition: attachment, nosniff and the sandboxing CSP above.
 */
export function downloadContentType(stored: string): string {
  const type = stored.split(';')[0].trim().toLowerCase();
  return PASSIVE_TYPES.has(type) ? type : 'application/octet-stream';
}
