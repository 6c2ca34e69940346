import type { Request } from 'express';
import { ProblemError } from '../problem';
import type { Credentials } from './identity';

export const CROSS_SITE_REQUEST = 'KSEFOPS_CROSS_SITE_REQUEST';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery. The session cookie is SameSite=Strict, but "site" ignores the port
 * and the subdomain: a page on another port of the same host (or a sibling subdomain) is same-site
 * and its form POST carries the cookie. So a state change that rides on ambient credentials — the
 * cookie, or none at all (sign-in) — must come from our own origin: the browser's Sec-Fetch-Site
 * says same-origin, or, from a browser too old for fetch metadata, Origin names this host. A cookie
 * request with neither header cannot prove where it came from and is refused.
 *
 * Authorization and X-Api-Key headers are not ambient (a page cannot make a browser attach them to
 * another origin), so bearer-token and API-key calls are not affected.
 */
export function crossSiteRefusal(req: Request, credentials: Credentials): ProblemError | null {
  if (SAFE_METHODS.has(req.method)) return null;
  if (credentials.bearer || credentials.apiKey) return null;
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none' ? null : refusal(`Sec-Fetch-Site: ${site.slice(0, 20)}`);
  const origin = req.get('origin');
  if (origin !== undefined) return sameHost(origin, req.get('host')) ? null : refusal(`Origin: ${origin.slice(0, 100)}`);
  return credentials.cookie ? refusal('no Origin or Sec-Fetch-Site header') : null;
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function refusal(seen: string): ProblemError {
  return new ProblemError(
    403,
    CROSS_SITE_REQUEST,
    'Cross-site request refused',
    `A change made with the session cookie must come from the ksef-ops UI itself (${seen}). Scripts and integrations send "Authorization: Bearer …" or an API key instead of the cookie.`,
  );
}
