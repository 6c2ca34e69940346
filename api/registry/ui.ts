import path from 'node:path';
import express, { Router } from 'express';

const ROOT = path.resolve(__dirname, '..', '..');

// ES modules the browser imports through the page's import map; served from node_modules so
// the UI works offline and is updated with `npm update`, not by hand-copied files.
const MODULES = path.join(ROOT, 'node_modules');
const VENDOR: Record<string, string> = {
  'preact.mjs': path.join(MODULES, 'preact', 'dist', 'preact.mjs'),
  'preact-hooks.mjs': path.join(MODULES, 'preact', 'hooks', 'dist', 'hooks.mjs'),
  'htm.mjs': path.join(MODULES, 'htm', 'dist', 'htm.mjs'),
};

/** The finance web UI (web/): static files, no build step; every /ui/* page path serves the app shell. */
export function uiRoutes(): Router {
  const router = Router();
  const web = path.join(ROOT, 'web');
  router.get('/vendor/:file', (req, res, next) => {
    // Own keys only: /ui/vendor/__proto__ must not find Object.prototype.
    const file = Object.hasOwn(VENDOR, req.params.file) ? VENDOR[req.params.file] : undefined;
    if (!file) return next();
    res.type('text/javascript').sendFile(file, { maxAge: '1h' });
  });
  router.use('/assets', express.static(web, { index: false, fallthrough: false, maxAge: 0, extensions: [] }));
  const shell: express.RequestHandler = (_req, res) => res.sendFile(path.join(web, 'index.html'));
  for (const page of ['/', '/dashboard', '/counterparties', '/invoices/:id']) router.get(page, shell);
  return router;
}
