import type { RequestHandler } from 'express';
import type { Logger } from '../config/logger';

/**
 * One structured line per answered request. The path only, never the query string: callers put
 * tokens, e-mail addresses and search terms there (`?token=…`, `?q=<NIP>`), and logs travel further
 * than the database. The route label is in the metrics; the path here is the raw one, cut to size.
 */
export function httpLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const url = req.originalUrl ?? req.url ?? '';
    const q = url.indexOf('?');
    const path = (q === -1 ? url : url.slice(0, q)).slice(0, 512);
    res.on('finish', () => logger.info({ method: req.method, path, status: res.statusCode, ms: Date.now() - started }, 'http'));
    next();
  };
}
