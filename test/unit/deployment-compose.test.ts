/**
 * docker-compose.yml is checked against the code it deploys: services and start order, profiles,
 * health checks, the search attributes Temporal must know, and app env vars the config accepts.
 * Where a docker client with the compose plugin exists, `docker compose config` validates it too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_VARS, loadConfig } from '../../config';
import { SEARCH_ATTRIBUTES } from '../../infra/search-attributes';
import { TEMPORAL_SERVER_FILES } from '../../infra/temporal-server';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKENS_EXAMPLE = path.join(ROOT, 'secrets', 'ksef-tokens.example.json');

/** Compose's `${VAR:-default}` interpolation (nested defaults included) with an empty environment. */
function interpolate(text: string, env: Record<string, string> = {}): string {
  const inner = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^${}]*))?\}/g;
  let out = text;
  for (let guard = 0; guard < 10 && inner.test(out); guard++) {
    out = out.replace(inner, (_m, name: string, fallback: string | undefined) => env[name] ?? fallback ?? '');
  }
  return out;
}

type Service = {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  deploy?: { replicas?: number | string };
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
};
const compose = parse(interpolate(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const APP_SERVICES = ['migrate', 'api', 'worker'];

describe('docker-compose.yml', () => {
  it('has the production services, and the simulator and mail catcher only in profiles', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'ksef-simulator', 'mailpit', 'migrate', 'postgres', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(services['ksef-simulator'].profiles?.sort()).toEqual(['demo', 'test']);
    expect(services.mailpit.profiles).toEqual(['demo']);
    for (const name of ['postgres', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', ...APP_SERVICES]) expect([name, services[name].profiles]).toEqual([name, undefined]);
  });

  it('starts in order on health, not on container start', () => {
    for (const name of ['postgres', 'api', 'worker', 'ksef-simulator', 'mailpit']) expect([name, Boolean(services[name].healthcheck?.test?.length)]).toEqual([name, true]);
    expect(services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
    expect(services['temporal-schema'].depends_on?.postgres.condition).toBe('service_healthy');
    expect(services.temporal.depends_on?.['temporal-schema'].condition).toBe('service_completed_successfully');
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        'temporal-setup': { condition: 'service_completed_successfully' },
        // The simulator is a profile: production runs without it.
        'ksef-simulator': { condition: 'service_healthy', required: false },
      });
    }
  });

  it('scales the worker out and probes the metrics port it binds', () => {
    expect(Number(services.worker.deploy?.replicas)).toBeGreaterThanOrEqual(2);
    const port = services.worker.environment?.WORKER_METRICS_BIND.split(':')[1];
    expect(services.worker.healthcheck?.test.join(' ')).toContain(`:${port}/metrics`);
    expect(services.api.healthcheck?.test.join(' ')).toContain(`:${services.api.environment?.PORT}/healthz`);
  });

  it('registers exactly the search attributes the workflow upserts', () => {
    const declared = Object.fromEntries(services['temporal-setup'].environment!.SEARCH_ATTRIBUTES.split(/\s+/).map((pair) => pair.split('=')));
    expect(declared).toEqual(SEARCH_ATTRIBUTES);
    const script = services['temporal-setup'].volumes!.map((v) => v.split(':')[0]).find((v) => v.endsWith('.sh'))!;
    expect(existsSync(path.join(ROOT, script))).toBe(true);
  });

  it('gives app services only variables config/index.ts knows, with values it accepts', () => {
    for (const name of APP_SERVICES) {
      const env = services[name].environment!;
      expect([name, Object.keys(env).filter((key) => !CONFIG_ENV_VARS.includes(key))]).toEqual([name, []]);
      // The secret mount path only exists in the container; the example has the same shape.
      const config = loadConfig({ ...env, KSEF_TOKENS_FILE: TOKENS_EXAMPLE });
      expect(config.ksef.tokens.default).toBeTruthy();
      expect(services[name].secrets).toEqual(['ksef_tokens']);
    }
    const simulatorReadme = readFileSync(path.join(ROOT, 'ksef-simulator', 'README.md'), 'utf8');
    for (const key of Object.keys(services['ksef-simulator'].environment!)) expect([key, simulatorReadme.includes(`\`${key}\``)]).toEqual([key, true]);
  });

  it('runs every role from one image with entry points that exist', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const name of [...APP_SERVICES, 'ksef-simulator']) {
      expect(services[name].image).toBe(services.api.image);
      const command = services[name].command!;
      if (command[0] === 'npm') expect(pkg.scripts[command[2]]).toBeDefined();
      // The image runs the compiled tree (npm run build): api/main.js is built from api/main.ts.
      else expect(existsSync(path.join(ROOT, command[command.length - 1].replace(/\.js$/, '.ts')))).toBe(true);
      expect(command.join(' ')).not.toMatch(/tsx/);
    }
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-[\w.-]+$/m);
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('prisma generate');
    expect(dockerfile).toContain('scripts/build.sh');
    expect(readFileSync(path.join(ROOT, 'scripts', 'build.sh'), 'utf8')).toContain('scripts/bundle-workflows.ts');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "api\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/tsx/);
  });

  it('runs Temporal as temporalio/server on PostgreSQL with the files the production-shape run uses', () => {
    const mounts = (name: string) => (services[name].volumes ?? []).map((v) => v.split(':')[0].replace(/^\.\//, ''));
    expect(mounts('temporal-schema')).toEqual([TEMPORAL_SERVER_FILES.schemaScript]);
    expect(mounts('temporal-setup')).toEqual([TEMPORAL_SERVER_FILES.namespaceScript]);
    expect(mounts('temporal')).toEqual([TEMPORAL_SERVER_FILES.configDir]);
    const entrypoint = services.temporal.entrypoint!;
    expect(entrypoint[entrypoint.indexOf('--env') + 1]).toBe(TEMPORAL_SERVER_FILES.env);
    expect(existsSync(path.join(ROOT, TEMPORAL_SERVER_FILES.configDir, `${TEMPORAL_SERVER_FILES.env}.yaml`))).toBe(true);
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(Object.values(services).map((s) => s.image).join(' ')).not.toMatch(/auto-setup/);
    const operations = readFileSync(path.join(ROOT, 'docs', 'OPERATIONS.md'), 'utf8');
    for (const file of [TEMPORAL_SERVER_FILES.schemaScript, TEMPORAL_SERVER_FILES.namespaceScript, TEMPORAL_SERVER_FILES.configDir, 'npm run test:production-shape']) {
      expect([file, operations.includes(file)]).toEqual([file, true]);
    }
  });

  it('pins every image, publishes operator UIs on loopback only and keeps secrets out of the build', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image && name !== 'migrate' && !APP_SERVICES.includes(name) && name !== 'ksef-simulator') expect([name, service.image]).toEqual([name, expect.stringMatching(/:v?\d+\.\d+(\.\d+)?$/)]);
    }
    for (const name of ['temporal-ui', 'ksef-simulator', 'mailpit']) for (const port of services[name].ports ?? []) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
    expect(services.worker.ports).toBeUndefined();
    expect(services.temporal.ports).toBeUndefined();
    for (const name of ['api', 'worker']) expect(services[name].volumes).toContain('attachments-data:/var/lib/ksef-ops/attachments');
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['secrets/', '.env*', '.data/']) expect([entry, ignored.includes(entry)]).toEqual([entry, true]);
  });

  it('passes `docker compose config` where the compose plugin is installed', () => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      // No plugin on this machine (docs/OPERATIONS.md says how CI treats it): the checks above stand alone.
      expect(`${version.stderr}${version.stdout}${version.error?.message ?? ''}`).toMatch(/unknown command|not found|ENOENT|is not a docker command/i);
      return;
    }
    const checked = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', '--profile', 'demo', 'config', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, KSEF_TOKENS_SECRET_FILE: TOKENS_EXAMPLE },
    });
    expect({ status: checked.status, stderr: checked.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
