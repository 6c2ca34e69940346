import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';

const OPENAPI_FILE = path.resolve(__dirname, '..', '..', 'ksef-schemas', 'ksef-api-v2.open-api.json');

function officialOperations(): { method: string; pattern: RegExp; template: string }[] {
  const spec = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const operations: { method: string; pattern: RegExp; template: string }[] = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of Object.keys(methods)) {
      if (['get', 'post', 'put', 'delete', 'patch'].includes(method)) operations.push({ method: method.toUpperCase(), pattern, template });
    }
  }
  return operations;
}

/** Mounted after the implemented routes: an official operation that got here is one we do not simulate. */
export function unimplementedRoutes(): Router {
  const operations = officialOperations();
  const router = Router();
  router.use((req, res) => {
    const operation = operations.find((op) => op.method === req.method && op.pattern.test(req.path));
    if (operation) {
      res.status(501).json({
        error: 'not_implemented_in_simulator',
        detail: `${req.method} /v2${operation.template} is part of the official KSeF API but is not implemented by the ksef-ops simulator.`,
      });
      return;
    }
    res.status(404).json({ error: 'not_found', detail: `${req.method} /v2${req.path} is not an official KSeF API 2.0 operation.` });
  });
  return router;
}
