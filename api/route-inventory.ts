import type { Express } from 'express';

export interface MountedRoute {
  method: string;
  /** OpenAPI-style path: "/api/v1/invoices/{id}". */
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/**
 * Every route the app answers, read from express 5's router stack (router 2.x keeps each layer's
 * mount path in `rawPath`). Catch-all method guards (router.all) are left out: they refuse methods
 * (e.g. 405 on the audit log), they are not operations.
 */
export function mountedRoutes(app: Express): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          const full = `${prefix}${p === '/' && prefix ? '' : p}`;
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: full.replace(/:(\w+)/g, '{$1}') });
          }
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

/**
 * The literal words of every route and mount path (`api`, `v1`, `users`, `export.csv`, `assets`, …),
 * lower case: the canonical-path gate refuses any other spelling of them.
 */
export function routeLiterals(app: Express, extra: readonly string[] = []): Set<string> {
  const words = new Set(extra.map((w) => w.toLowerCase()));
  const add = (path: string) => {
    for (const segment of path.split('/')) if (segment && !/[{}:*]/.test(segment)) words.add(segment.toLowerCase());
  };
  for (const route of mountedRoutes(app)) add(route.path);
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      // Mounted middleware without routes (express.static under /ui/assets) has words too.
      if (typeof layer.rawPath === 'string') add(layer.rawPath);
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return words;
}
