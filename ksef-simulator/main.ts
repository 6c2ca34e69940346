import pino from 'pino';
import { createKsefSimulator } from './app';

const logger = pino({ name: 'ksef-simulator', level: process.env.KSEF_SIM_LOG_LEVEL ?? 'info' });

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const port = numberFromEnv('KSEF_SIM_PORT') ?? 3100;
  const host = process.env.KSEF_SIM_HOST ?? '127.0.0.1';
  const simulator = createKsefSimulator({
    logger,
    stateDir: process.env.KSEF_SIM_STATE_DIR || undefined,
    processingDelayMs: numberFromEnv('KSEF_SIM_PROCESSING_DELAY_MS'),
    accessTokenTtlMs: numberFromEnv('KSEF_SIM_ACCESS_TOKEN_TTL_MS'),
    publicBaseUrl: process.env.KSEF_SIM_PUBLIC_URL || undefined,
    rateLimits: process.env.KSEF_SIM_RATE_LIMITS === 'off' ? 'off' : 'published',
    enforceNipChecksum: process.env.KSEF_SIM_ENFORCE_NIP_CHECKSUM !== 'false',
    requireCorrectedInvoiceInLedger: process.env.KSEF_SIM_REQUIRE_CORRECTED_IN_LEDGER !== 'false',
    onlineAttachments: process.env.KSEF_SIM_ONLINE_ATTACHMENTS === 'accept' ? 'accept' : 'reject',
    tokenPolicy: process.env.KSEF_SIM_TOKEN_POLICY === 'strict' ? 'strict' : 'any',
    tokenAuth: process.env.KSEF_SIM_TOKEN_AUTH === 'disabled' ? 'disabled' : 'enabled',
  });
  const running = await simulator.listen(port, host);
  logger.info({ url: running.url, admin: `${running.rootUrl}/_sim` }, 'ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'simulator failed to start');
  process.exit(1);
});
