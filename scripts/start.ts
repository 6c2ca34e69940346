/**
 * `npm start`: the whole system on one machine with embedded defaults — Temporal dev server
 * (SQLite under .data/), PostgreSQL (DATABASE_URL, else embedded), migrations, the KSeF simulator,
 * the worker and the API. Ctrl-C stops everything; data survives for the next start.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { migrateDeploy } from '../infra/migrate';
import { startEmbeddedPostgres, ensureDatabase } from '../infra/postgres';
import { isPortOpen, stopChild, waitFor } from '../infra/processes';
import { connectTemporalClient } from '../infra/temporal-connection';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { demoBanner, seedDemo } from '../api/auth/demo-seed';
import { createPrismaClient } from '../prisma/client';

async function main() {
  const config = loadConfig();
  const logger = createLogger('start', config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping all components');
    for (const stop of stops.reverse()) await stop().catch((err) => logger.warn({ err }, 'stop failed'));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    let temporalAddress = config.temporal.address;
    let temporalUi = config.temporal.uiUrl;
    if (config.temporal.startDevServer) {
      const port = Number(temporalAddress.split(':').pop());
      if (await isPortOpen(port)) throw new Error(`Port ${port} is taken: is another Temporal server running? Set TEMPORAL_START_DEV_SERVER=false to use it.`);
      logger.info('starting Temporal dev server');
      const temporal = await startTemporalDevServer({
        rootDir: config.rootDir,
        dataDir: config.dataDir,
        port,
        uiPort: Number(new URL(config.temporal.uiUrl).port || 8233),
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        namespace: config.temporal.namespace,
      });
      stops.push(temporal.stop);
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl ?? temporalUi;
    } else {
      // An external cluster: fail here with a clear message rather than in two child processes.
      const connection = await connectTemporalClient(config.temporal);
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      logger.info({ address: temporalAddress, namespace: config.temporal.namespace }, 'using the Temporal cluster');
    }

    let databaseUrl = config.database.url;
    if (databaseUrl) {
      await ensureDatabase(databaseUrl);
    } else {
      logger.info('starting embedded PostgreSQL');
      const pg = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, 'ksefops', { sharedRoot: config.database.embeddedSharedRoot });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    logger.info('applying migrations');
    await migrateDeploy(config.rootDir, databaseUrl);
    const demo = await seedDemoOn(databaseUrl, config, logger);

    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_UI_URL: temporalUi };
    const tsx = path.join(config.rootDir, 'node_modules', '.bin', 'tsx');
    const child = (name: string, entry: string): ChildProcess => {
      const proc = spawn(tsx, [path.join(config.rootDir, entry)], { env, stdio: 'inherit' });
      proc.once('exit', (code, signal) => {
        if (!stopping) {
          logger.error({ component: name, code, signal }, 'component exited unexpectedly; stopping the system');
          void shutdown(1);
        }
      });
      stops.push(() => stopChild(proc));
      return proc;
    };

    if (config.ksef.startSimulator) {
      env.KSEF_SIM_STATE_DIR = env.KSEF_SIM_STATE_DIR ?? path.join(config.dataDir, 'ksef-simulator');
      child('ksef-simulator', 'ksef-simulator/main.ts');
      await waitFor('KSeF simulator', () => isPortOpen(config.ksef.simulatorPort), 30000);
    }
    child('worker', 'worker/main.ts');
    child('api', 'api/main.ts');
    await waitFor(
      'the API to become ready',
      async () => (await fetch(`${config.api.publicUrl}/readyz`)).ok,
      90000,
      500,
    );
    const lines = [
      '',
      'ksef-ops is running:',
      `  API            ${config.api.publicUrl}/api/v1/invoices`,
      `  Health         ${config.api.publicUrl}/healthz  ${config.api.publicUrl}/readyz`,
      `  Temporal UI    ${temporalUi}`,
      `  Temporal gRPC  ${temporalAddress}`,
      `  KSeF endpoint  ${config.ksef.baseUrl}${config.ksef.startSimulator ? '  (local simulator)' : ''}`,
      `  Database       ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
      ...(demo === 'refused' ? [] : demoBanner(`${config.api.publicUrl}/ui`)),
      'Press Ctrl-C to stop.',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await shutdown(1);
  }
}

/** Demo identities on the embedded default only (api/auth/demo-seed.ts says when). */
async function seedDemoOn(databaseUrl: string, config: ReturnType<typeof loadConfig>, logger: ReturnType<typeof createLogger>) {
  const prisma = createPrismaClient(databaseUrl, 1);
  try {
    return await seedDemo(prisma, logger, {
      nodeEnv: config.env,
      configuredDatabaseUrl: config.database.url,
      startSimulator: config.ksef.startSimulator,
      ksefBaseUrl: config.ksef.baseUrl,
      enabled: config.demoSeed,
    });
  } finally {
    await prisma.$disconnect();
  }
}

void main();
