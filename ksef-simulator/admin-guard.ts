import type { RequestHandler } from 'express';

/**
 * /_sim is test control (faults, resets, tokens) with no authentication: meant for test code and
 * operators' scripts, never for a web page. A browser says where a request comes from, so any
 * request whose Sec-Fetch-Site is not same-origin/none, or whose Origin is not this host, is
 * refused — a page on any site (the registry UI on another port included) cannot reset the ledger
 * or inject faults with a form or a no-cors fetch. Writes must also be JSON: a cross-origin page
 * cannot send that without a CORS preflight, which this server never answers.
 */
export function adminCrossOriginGuard(): RequestHandler {
  return (req, res, next) => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    let refused: string | null = null;
    if (site !== undefined && site !== 'same-origin' && site !== 'none') refused = `Sec-Fetch-Site: ${site.slice(0, 20)}`;
    else if (origin !== undefined && !sameHost(origin, req.get('host'))) refused = `Origin: ${origin.slice(0, 100)}`;
    else if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && hasBody(req) && !req.is('application/json')) refused = `Content-Type: ${(req.get('content-type') ?? '').slice(0, 60)}`;
    if (!refused) return next();
    res.status(403).json({ error: 'cross_origin_admin_request', detail: `The simulator's /_sim admin accepts requests from scripts and same-origin pages only (${refused}).` });
  };
}

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
