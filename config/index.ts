import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SourceSystemSchema } from '../domain/invoice';
import { vatDictionaryFromEnv } from '../domain/validation';
import { loadSigningIdentity, type KsefCertificateCredential } from '../ksef-client/certificate-credential';
import { PUBLISHED_LIMITS, type LimitTable } from '../workflows/rate-budget';
import { stuckSweepSettings } from './stuck-slas';
import { outboundTargetsFrom } from './outbound-targets';
import { latarniaUrlFor } from '../ksef-client/environments';

/**
 * The one place configuration is read (12-factor: everything from the environment, with defaults
 * that run the whole system embedded on one machine). Every other module receives typed values.
 */
const ROOT = path.resolve(__dirname, '..');

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Bearer token Prometheus sends for the API's /metrics; without one /metrics answers loopback callers only. */
  METRICS_TOKEN: z.string().min(24, 'must have at least 24 characters').optional(),
  METRICS_TOKEN_FILE: z.string().optional(),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(path.join(ROOT, '.data')),
  /** `npm start` on the embedded default creates demo people + a demo key (never in production). */
  KSEFOPS_DEMO_SEED: bool(true),

  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().default(5433),
  /** As root, a clone under a private folder runs the embedded cluster from here (infra/embedded-postgres.ts). */
  KSEFOPS_EMBEDDED_PG_ROOT: z.string().default('/var/lib/ksef-ops'),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('ksef-invoices'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** When false, `npm start` expects an existing Temporal cluster at TEMPORAL_ADDRESS. */
  TEMPORAL_START_DEV_SERVER: bool(true),
  TEMPORAL_API_KEY: z.string().optional(),
  /** Same, read from a file (Docker/Kubernetes secret mount) so the key is not in the environment. */
  TEMPORAL_API_KEY_FILE: z.string().optional(),
  TEMPORAL_TLS: bool(false),
  /** mTLS client certificate and key (PEM files), e.g. for Temporal Cloud namespaces with certificate auth. */
  TEMPORAL_TLS_CERT_FILE: z.string().optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().optional(),
  /** CA of a self-hosted cluster with a private PKI; public CAs need nothing. */
  TEMPORAL_TLS_CA_FILE: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),

  KSEF_BASE_URL: z.string().url().default('http://127.0.0.1:3100/v2'),
  /** When false, `npm start` does not start the local simulator (use a real KSeF environment). */
  KSEF_START_SIMULATOR: bool(true),
  KSEF_SIM_PORT: z.coerce.number().int().default(3100),
  KSEF_TOKEN: z.string().min(1).default('local-simulator-token'),
  /** JSON map seller NIP → KSeF token, for installations that send for several companies. */
  KSEF_TOKENS_JSON: z.string().optional(),
  /** The same JSON map read from a file (secret mount); takes precedence over KSEF_TOKENS_JSON. */
  KSEF_TOKENS_FILE: z.string().optional(),
  /** JSON: source system → its own VAT codes → FA(3) rates, e.g. {"erp":{"A":"23","ZW":"zw"}}. */
  KSEF_VAT_DICTIONARY: z.string().optional(),
  /** `certificate` = XAdES with a KSeF certificate / qualified seal (the only method KSeF accepts from 1 January 2027). */
  KSEF_AUTH_METHOD: z.enum(['token', 'certificate']).default('token'),
  /** PEM certificate + PEM private key (RSA or EC P-256) files, or a PKCS#12 file — one of the two for KSEF_AUTH_METHOD=certificate. */
  KSEF_CERTIFICATE_FILE: z.string().optional(),
  KSEF_PRIVATE_KEY_FILE: z.string().optional(),
  /** File holding the passphrase of an encrypted PEM private key. */
  KSEF_PRIVATE_KEY_PASSWORD_FILE: z.string().optional(),
  KSEF_PKCS12_FILE: z.string().optional(),
  /** File holding the PKCS#12 password (never the password itself in the environment). */
  KSEF_PKCS12_PASSWORD_FILE: z.string().optional(),
  /** How KSeF identifies the certificate's subject: its NIP/PESEL attributes or its SHA-256 fingerprint. */
  KSEF_CERTIFICATE_SUBJECT_IDENTIFIER: z.enum(['certificateSubject', 'certificateFingerprint']).default('certificateSubject'),

  /**
   * Comma-separated source systems whose unknown invoice fields are dropped (each named in a
   * SCHEMA_UNKNOWN_FIELD warning) instead of refused with 422: old integrations only. Default: none.
   */
  UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every((x) => SourceSystemSchema.safeParse(x).success), 'must list source system ids (lowercase letters, digits, "-" or "_"), e.g. "legacy-erp,old-crm"'),
  /** Lifecycle durations (ms); tests shorten them instead of sleeping. */
  SLA_TRIAGE_MS: z.coerce.number().int().min(1).default(4 * 60 * 60 * 1000),
  SLA_APPROVAL_MS: z.coerce.number().int().min(1).default(8 * 60 * 60 * 1000),
  KSEF_WATCHDOG_MS: z.coerce.number().int().min(1).default(15 * 60 * 1000),
  KSEF_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  KSEF_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(1000),
  APPROVAL_THRESHOLD_GROSS: z.string().regex(/^\d{1,16}(\.\d{1,2})?$/, 'must be a decimal amount').optional(),

  ALERT_ESCALATION_CHAIN: z.string().default('ksef-process-owner'),
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('ksef-ops@localhost'),
  /** Chat-compatible webhook ({text}) every alert and digest is posted to, in addition to mail. */
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** After the first alert of a kind, the same kind is folded into a digest for this long. */
  ALERT_DEDUP_WINDOW_MS: z.coerce.number().int().min(0).default(15 * 60 * 1000),
  ALERT_DIGEST_INTERVAL_MS: z.coerce.number().int().min(1000).default(5 * 60 * 1000),
  /** The periodic checks, the stuck-invoice sweep among them: its detection delay beyond a status's SLA. */
  ALERT_CHECKS_INTERVAL_MS: z.coerce.number().int().min(1000).default(5 * 60 * 1000),
  /** Stuck-invoice sweep: SLA per status (or STATUS/step) in ms over the defaults (config/stuck-slas.ts). */
  STUCK_SLA_JSON: z.string().optional(),
  STUCK_REALERT_MS: z.coerce.number().int().min(60_000).optional(),
  STUCK_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Open triage cases allowed before the "approaching threshold" alert (warns from 80 %). */
  ALERT_BACKLOG_LIMIT: z.coerce.number().int().min(1).optional(),
  OPS_SWEEP_TICK_MS: z.coerce.number().int().min(100).default(2000),
  /** How often the Temporal Schedule recomputes the counterparty audit (GET /api/v1/reports/counterparties). */
  COUNTERPARTY_AUDIT_INTERVAL_MS: z.coerce.number().int().min(60_000).default(6 * 60 * 60 * 1000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  /** Hosts status/chat webhooks may reach over http: and on private addresses (tests, local development); refused in production. */
  WEBHOOK_ALLOW_INSECURE_TARGETS: z.string().default(''),
  /** First admin, created on start when no user exists; ignored afterwards. */
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),

  /** Dispatcher (one per seller context): when to switch to batch sessions, pacing, polling. */
  DISPATCH_BATCH_MIN_SIZE: z.coerce.number().int().min(1).default(20),
  DISPATCH_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(10000),
  DISPATCH_ONLINE_SENDS_PER_SECOND: z.coerce.number().int().min(1).max(10).default(8),
  DISPATCH_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(2000),
  /** JSON overrides of KSeF's published limits per endpoint group, e.g. {"onlineSend":{"perHour":100}}. */
  KSEF_LIMITS_JSON: z.string().optional(),

  /** Offline mode: QR host of the environment, Latarnia (availability) base URL, KSeF offline certificate + key (PEM files) for KOD II. */
  KSEF_QR_BASE_URL: z.string().url().default('https://qr-test.ksef.mf.gov.pl'),
  KSEF_LATARNIA_URL: z.string().url().optional(),
  KSEF_OFFLINE_CERT_FILE: z.string().optional(),
  KSEF_OFFLINE_KEY_FILE: z.string().optional(),
  OFFLINE_AUTO: bool(true),
  OFFLINE_RECHECK_MS: z.coerce.number().int().min(100).default(60_000),
  OFFLINE_ALERT_BEFORE_MS: z.coerce.number().int().min(0).default(4 * 60 * 60 * 1000),
  /** Purchase invoices: buyer NIPs imported from KSeF on a Temporal Schedule (comma-separated; empty = none). */
  PURCHASE_IMPORT_BUYER_NIPS: z.string().regex(/^(\d{10}(,\s*\d{10})*)?$/, 'must be comma-separated 10-digit NIPs').default(''),
  /** KSeF asks for no more than one query per 15 minutes per subject on production. */
  PURCHASE_IMPORT_EVERY_MINUTES: z.coerce.number().int().min(1).default(15),
  PURCHASE_IMPORT_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(90).default(7),

  ATTACHMENTS_MAX_BYTES: z.coerce.number().int().min(1).default(10 * 1024 * 1024),
  /** Comma-separated content types accepted for upload; exact, compared in lower case. */
  ATTACHMENTS_CONTENT_TYPES: z.string().regex(/^[\w.+-]+\/[\w.+-]+(\s*,\s*[\w.+-]+\/[\w.+-]+)*$/, 'must be comma-separated content types, e.g. application/pdf,image/png').optional(),
  ATTACHMENTS_STORAGE: z.enum(['local', 's3']).default('local'),
  ATTACHMENTS_DIR: z.string().optional(),
  ATTACHMENTS_S3_ENDPOINT: z.string().url().optional(),
  ATTACHMENTS_S3_REGION: z.string().min(1).default('us-east-1'),
  ATTACHMENTS_S3_BUCKET: z.string().min(1).optional(),
  ATTACHMENTS_S3_PREFIX: z.string().default(''),
  ATTACHMENTS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  ATTACHMENTS_S3_SECRET_ACCESS_KEY_FILE: z.string().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).default(40),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(2000),
  /** host:port of the worker's Prometheus endpoint (SDK metrics); unset = no endpoint. */
  WORKER_METRICS_BIND: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464').optional(),
  /** How long a stopping worker lets in-flight activities finish before cancelling them (retried elsewhere). */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30000),
  /** Shown in workflow histories; defaults to pid@hostname (unique per replica). */
  WORKER_IDENTITY: z.string().min(1).optional(),
  /** Prebuilt workflow bundle (the Docker image builds one) so a worker starts without webpack. */
  WORKER_WORKFLOW_BUNDLE: z.string().optional(),
  /** How long a stopping API waits for in-flight requests before closing remaining connections. */
  API_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(20000),
});

/** Every environment variable the configuration reads (docs/CONFIGURATION.md is checked against it). */
export const CONFIG_ENV_VARS = Object.keys(EnvSchema.shape);

export type AppConfig = ReturnType<typeof loadConfig>;

function parseTokens(json: string | undefined, fallback: string): Record<string, string> {
  if (!json) return { default: fallback };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('KSEF_TOKENS_JSON / KSEF_TOKENS_FILE is not valid JSON (KSEFOPS_CONFIG_INVALID)');
  }
  const tokens = z.record(z.string().regex(/^\d{10}$|^default$/), z.string().min(1)).safeParse(parsed);
  if (!tokens.success) throw new ConfigError('KSEF_TOKENS_JSON / KSEF_TOKENS_FILE must map 10-digit NIPs (or "default") to tokens (KSEFOPS_CONFIG_INVALID)');
  return { default: fallback, ...tokens.data };
}

function readTokensFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`KSEF_TOKENS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) (KSEFOPS_CONFIG_INVALID)`);
  }
}

function readSecretBytes(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) (KSEFOPS_CONFIG_INVALID)`);
  }
}

/**
 * The KSeF certificate credential for KSEF_AUTH_METHOD=certificate, opened once here so a wrong
 * password or a key that does not match the certificate stops the process at start, not at the
 * first invoice. Messages name files and reasons, never key material.
 */
function ksefCertificateFrom(e: z.infer<typeof EnvSchema>): KsefCertificateCredential | null {
  const pem = Boolean(e.KSEF_CERTIFICATE_FILE || e.KSEF_PRIVATE_KEY_FILE);
  const p12 = Boolean(e.KSEF_PKCS12_FILE);
  if (e.KSEF_AUTH_METHOD !== 'certificate') {
    if (pem || p12) throw new ConfigError('KSEF_CERTIFICATE_FILE / KSEF_PRIVATE_KEY_FILE / KSEF_PKCS12_FILE are set but KSEF_AUTH_METHOD is not "certificate" (KSEFOPS_CONFIG_INVALID)');
    return null;
  }
  if (pem === p12) throw new ConfigError('KSEF_AUTH_METHOD=certificate needs either KSEF_CERTIFICATE_FILE + KSEF_PRIVATE_KEY_FILE or KSEF_PKCS12_FILE (+ KSEF_PKCS12_PASSWORD_FILE) (KSEFOPS_CONFIG_INVALID)');
  const password = (name: string, file: string | undefined) => (file ? readSecretFile(name, file).replace(/\r?\n$/, '') : undefined);
  let credential: KsefCertificateCredential;
  if (pem) {
    if (!e.KSEF_CERTIFICATE_FILE || !e.KSEF_PRIVATE_KEY_FILE) throw new ConfigError('KSEF_CERTIFICATE_FILE and KSEF_PRIVATE_KEY_FILE go together (KSEFOPS_CONFIG_INVALID)');
    credential = {
      kind: 'certificate',
      certificatePem: readSecretFile('KSEF_CERTIFICATE_FILE', e.KSEF_CERTIFICATE_FILE),
      privateKeyPem: readSecretFile('KSEF_PRIVATE_KEY_FILE', e.KSEF_PRIVATE_KEY_FILE),
      privateKeyPassphrase: password('KSEF_PRIVATE_KEY_PASSWORD_FILE', e.KSEF_PRIVATE_KEY_PASSWORD_FILE),
      subjectIdentifierType: e.KSEF_CERTIFICATE_SUBJECT_IDENTIFIER,
    };
  } else {
    credential = {
      kind: 'certificate',
      pkcs12: readSecretBytes('KSEF_PKCS12_FILE', e.KSEF_PKCS12_FILE!),
      pkcs12Password: password('KSEF_PKCS12_PASSWORD_FILE', e.KSEF_PKCS12_PASSWORD_FILE) ?? '',
      subjectIdentifierType: e.KSEF_CERTIFICATE_SUBJECT_IDENTIFIER,
    };
  }
  try {
    loadSigningIdentity(credential);
  } catch (error) {
    throw new ConfigError(`KSeF certificate credential: ${(error as Error).message} (KSEFOPS_CONFIG_INVALID)`);
  }
  return credential;
}

function readSecretFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) (KSEFOPS_CONFIG_INVALID)`);
  }
}

function limitsFrom(json: string | undefined): LimitTable {
  if (!json) return PUBLISHED_LIMITS;
  const windowSchema = z.object({ perSecond: z.number().int().min(1), perMinute: z.number().int().min(1), perHour: z.number().int().min(1) }).partial();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('KSEF_LIMITS_JSON is not valid JSON (KSEFOPS_CONFIG_INVALID)');
  }
  const overrides = z.record(z.enum(['onlineSend', 'onlineSession', 'batchSession', 'sessionInvoices', 'sessionStatus']), windowSchema).safeParse(parsed);
  if (!overrides.success) throw new ConfigError('KSEF_LIMITS_JSON must map endpoint groups to {perSecond, perMinute, perHour} (KSEFOPS_CONFIG_INVALID)');
  const table = structuredClone(PUBLISHED_LIMITS);
  for (const [group, limits] of Object.entries(overrides.data) as Array<[keyof LimitTable, Partial<LimitTable[keyof LimitTable]>]>) {
    table[group] = { ...table[group], ...limits };
  }
  return table;
}

export class ConfigError extends Error {
  readonly code = 'KSEFOPS_CONFIG_INVALID';
}

/** PDFs, images, office documents, XML/CSV/text and zip. */
export const DEFAULT_ATTACHMENT_CONTENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/xml',
  'text/xml',
  'text/csv',
  'text/plain',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

export type AttachmentStorageConfig =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; endpoint: string; region: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string };

function attachmentStorageFrom(e: z.infer<typeof EnvSchema>): AttachmentStorageConfig {
  if (e.ATTACHMENTS_STORAGE === 'local') return { kind: 'local', dir: e.ATTACHMENTS_DIR ?? e.DATA_DIR };
  const secret = e.ATTACHMENTS_S3_SECRET_ACCESS_KEY_FILE ? readSecretFile('ATTACHMENTS_S3_SECRET_ACCESS_KEY_FILE', e.ATTACHMENTS_S3_SECRET_ACCESS_KEY_FILE).trim() : e.ATTACHMENTS_S3_SECRET_ACCESS_KEY;
  const missing = [
    ['ATTACHMENTS_S3_ENDPOINT', e.ATTACHMENTS_S3_ENDPOINT],
    ['ATTACHMENTS_S3_BUCKET', e.ATTACHMENTS_S3_BUCKET],
    ['ATTACHMENTS_S3_ACCESS_KEY_ID', e.ATTACHMENTS_S3_ACCESS_KEY_ID],
    ['ATTACHMENTS_S3_SECRET_ACCESS_KEY(_FILE)', secret],
  ].filter(([, v]) => !v).map(([name]) => name);
  if (missing.length > 0) throw new ConfigError(`Invalid configuration (KSEFOPS_CONFIG_INVALID): ATTACHMENTS_STORAGE=s3 needs ${missing.join(', ')}`);
  return {
    kind: 's3',
    endpoint: e.ATTACHMENTS_S3_ENDPOINT!,
    region: e.ATTACHMENTS_S3_REGION,
    bucket: e.ATTACHMENTS_S3_BUCKET!,
    prefix: e.ATTACHMENTS_S3_PREFIX,
    accessKeyId: e.ATTACHMENTS_S3_ACCESS_KEY_ID!,
    secretAccessKey: secret!,
  };
}

function outboundTargetsOrConfigError(e: z.infer<typeof EnvSchema>) {
  try {
    return outboundTargetsFrom(e);
  } catch (error) {
    throw new ConfigError(`Invalid configuration (KSEFOPS_CONFIG_INVALID): ${(error as Error).message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (KSEFOPS_CONFIG_INVALID):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const outboundTargets = outboundTargetsOrConfigError(e);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    rootDir: ROOT,
    dataDir: e.DATA_DIR,
    demoSeed: e.KSEFOPS_DEMO_SEED,
    api: { port: e.PORT, host: e.HOST, publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}` },
    metricsToken: e.METRICS_TOKEN_FILE ? readSecretFile('METRICS_TOKEN_FILE', e.METRICS_TOKEN_FILE).trim() : e.METRICS_TOKEN,
    database: { url: e.DATABASE_URL, embeddedPort: e.EMBEDDED_PG_PORT, embeddedSharedRoot: e.KSEFOPS_EMBEDDED_PG_ROOT },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      startDevServer: e.TEMPORAL_START_DEV_SERVER,
      apiKey: e.TEMPORAL_API_KEY,
      apiKeyFile: e.TEMPORAL_API_KEY_FILE,
      tls: e.TEMPORAL_TLS,
      tlsCertFile: e.TEMPORAL_TLS_CERT_FILE,
      tlsKeyFile: e.TEMPORAL_TLS_KEY_FILE,
      tlsCaFile: e.TEMPORAL_TLS_CA_FILE,
      tlsServerName: e.TEMPORAL_TLS_SERVER_NAME,
    },
    ksef: {
      baseUrl: e.KSEF_BASE_URL,
      startSimulator: e.KSEF_START_SIMULATOR,
      simulatorPort: e.KSEF_SIM_PORT,
      token: e.KSEF_TOKEN,
      tokens: parseTokens(e.KSEF_TOKENS_FILE ? readTokensFile(e.KSEF_TOKENS_FILE) : e.KSEF_TOKENS_JSON, e.KSEF_TOKEN),
      authMethod: e.KSEF_AUTH_METHOD,
      /** Set when authMethod is 'certificate': used for every seller context instead of the tokens. */
      certificate: ksefCertificateFrom(e),
    },
    validation: { vatDictionary: vatDictionaryFromEnv({ KSEF_VAT_DICTIONARY: e.KSEF_VAT_DICTIONARY }), counterpartyAuditEveryMs: e.COUNTERPARTY_AUDIT_INTERVAL_MS, lenientSourceSystems: e.UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS },
    lifecycle: {
      confirmWatchdogMs: e.KSEF_WATCHDOG_MS,
      triageSlaMs: e.SLA_TRIAGE_MS,
      approvalSlaMs: e.SLA_APPROVAL_MS,
      approvalThresholdGross: e.APPROVAL_THRESHOLD_GROSS ?? null,
      ksefMaxAttempts: e.KSEF_MAX_ATTEMPTS,
      ksefInitialRetryMs: e.KSEF_RETRY_INITIAL_MS,
      offlineAuto: e.OFFLINE_AUTO,
      offlineRecheckMs: e.OFFLINE_RECHECK_MS,
      offlineAlertBeforeMs: e.OFFLINE_ALERT_BEFORE_MS,
      offlineDeadlineOverrideMs: null,
    },
    imports: {
      buyerNips: e.PURCHASE_IMPORT_BUYER_NIPS.split(',').map((n) => n.trim()).filter(Boolean),
      everyMs: e.PURCHASE_IMPORT_EVERY_MINUTES * 60 * 1000,
      initialLookbackMs: e.PURCHASE_IMPORT_LOOKBACK_DAYS * 24 * 60 * 60 * 1000,
    },
    offline: {
      apiBaseUrl: e.KSEF_BASE_URL,
      // The simulator serves Latarnia next to /v2; an official KSeF base URL implies MF's Latarnia host.
      latarniaUrl: e.KSEF_LATARNIA_URL ?? (e.KSEF_START_SIMULATOR ? e.KSEF_BASE_URL.replace(/\/v2\/?$/, '/latarnia') : latarniaUrlFor(e.KSEF_BASE_URL)),
      qrBaseUrl: e.KSEF_QR_BASE_URL,
      certificate:
        e.KSEF_OFFLINE_CERT_FILE && e.KSEF_OFFLINE_KEY_FILE
          ? { certificatePem: readSecretFile('KSEF_OFFLINE_CERT_FILE', e.KSEF_OFFLINE_CERT_FILE), privateKeyPem: readSecretFile('KSEF_OFFLINE_KEY_FILE', e.KSEF_OFFLINE_KEY_FILE) }
          : null,
    },
    dispatcher: {
      limits: limitsFrom(e.KSEF_LIMITS_JSON),
      batchMinSize: e.DISPATCH_BATCH_MIN_SIZE,
      maxBatchSize: e.DISPATCH_MAX_BATCH_SIZE,
      onlineSendsPerSecond: e.DISPATCH_ONLINE_SENDS_PER_SECOND,
      pollIntervalMs: e.DISPATCH_POLL_INTERVAL_MS,
      maxHistoryEvents: 5000,
      maxSendFailures: e.KSEF_MAX_ATTEMPTS,
    },
    alerts: {
      escalationChain: e.ALERT_ESCALATION_CHAIN.split(',').map((s) => s.trim()).filter(Boolean),
      smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM } : undefined,
      webhookUrl: e.ALERT_WEBHOOK_URL,
      dedupWindowMs: e.ALERT_DEDUP_WINDOW_MS,
      sweep: { tickMs: e.OPS_SWEEP_TICK_MS, digestEveryMs: e.ALERT_DIGEST_INTERVAL_MS, checksEveryMs: e.ALERT_CHECKS_INTERVAL_MS },
      backlogLimit: e.ALERT_BACKLOG_LIMIT ?? null,
    },
    attachments: {
      maxBytes: e.ATTACHMENTS_MAX_BYTES,
      contentTypes: e.ATTACHMENTS_CONTENT_TYPES ? e.ATTACHMENTS_CONTENT_TYPES.split(',').map((t) => t.trim().toLowerCase()) : DEFAULT_ATTACHMENT_CONTENT_TYPES,
      storage: attachmentStorageFrom(e),
    },
    stuck: stuckSweepSettings(e, e.SLA_APPROVAL_MS),
    statusWebhooks: { maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, timeoutMs: e.WEBHOOK_TIMEOUT_MS, targets: outboundTargets },
    /** Where status and chat webhooks may go (registration and send time). */
    outboundWebhooks: { targets: outboundTargets },
    access: {
      admin: { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD },
      sessionTtlMs: e.SESSION_TTL_MINUTES * 60 * 1000,
    },
    worker: {
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    },
    /** Running in production: telemetry, shutdown, identity (kept apart from the SDK tuning knobs above). */
    ops: {
      workerMetricsBind: e.WORKER_METRICS_BIND,
      workerShutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      workerIdentity: e.WORKER_IDENTITY,
      workflowBundlePath: e.WORKER_WORKFLOW_BUNDLE,
      apiShutdownTimeoutMs: e.API_SHUTDOWN_TIMEOUT_MS,
    },
  };
}
