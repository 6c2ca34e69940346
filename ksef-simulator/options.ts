import type { Logger } from 'pino';
import type { FaultConfig } from './faults';
import type { PermissionGrant } from './permissions';
import type { RateLimitOverrides } from './rate-limits';

export interface KsefSimulatorOptions {
  /** Time from send (or batch close) to the final invoice status; half-way the status is 150. Default 30 ms. */
  processingDelayMs?: number;
  /** Time an auth operation stays at status 100. Default: processingDelayMs. */
  authDelayMs?: number;
  accessTokenTtlMs?: number;
  refreshTokenTtlMs?: number;
  authenticationTokenTtlMs?: number;
  /** NIP checksum of Podmiot1/2/3/PodmiotUpowazniony (KSeF checks it on PRD only). Default true. */
  enforceNipChecksum?: boolean;
  /** A correction with NrKSeF=1 must cite a KSeF number the simulator issued. Default true. */
  requireCorrectedInvoiceInLedger?: boolean;
  /** KSeF accepts invoices with Zalacznik only in batch sessions. Default 'reject' (status 415 online). */
  onlineAttachments?: 'reject' | 'accept';
  /** 'published' (default) = official limits; 'off'; or per-group overrides on top of the published table. */
  rateLimits?: 'published' | 'off' | RateLimitOverrides;
  /** 'any' (default): every non-empty KSeF token works for every NIP, as self-issued tokens on TEST. */
  tokenPolicy?: 'any' | 'strict';
  ksefTokens?: { token: string; nip?: string | null }[];
  /** 'disabled' = KSeF from 1 January 2027: KSeF tokens end in status 450, only certificates (XAdES) authenticate. Default 'enabled'. */
  tokenAuth?: 'enabled' | 'disabled';
  /**
   * true = the pre-permissions simulator: any seller's invoice in any context, any context NIP at
   * auth. Default false: seller ≠ context needs a grant (410), a bad-checksum context NIP is refused.
   */
  permissive?: boolean;
  /** Entity permissions (SelfInvoicing, TaxRepresentative) granted from the start; more via /_sim/permissions. */
  permissionGrants?: PermissionGrant[];
  maxInvoicesPerSession?: number;
  maxBatchParts?: number;
  maxInvoiceBytes?: number;
  maxInvoiceWithAttachmentBytes?: number;
  upoPageSize?: number;
  /**
   * The receiving-party name UPOs carry. Default: the XSD's fixed `Ministerstwo Finansów`; MF's own
   * examples (what KSeF sends) say e.g. `Ministerstwo Finansów - środowisko testowe (TE)`, which the XSD rejects.
   */
  upoIssuerName?: string;
  /** Cap per metadata query filter set (KSeF: 10 000) beyond which isTruncated is true. */
  maxQueryResults?: number;
  /** Base for URLs handed to clients (upload parts, UPO). Default: derived from the request's Host. */
  publicBaseUrl?: string;
  /** Keeps the key pairs (and the token-signing secret) across restarts. */
  stateDir?: string;
  faults?: FaultConfig;
  logger?: Logger;
}

export type ResolvedOptions = Required<Omit<KsefSimulatorOptions, 'publicBaseUrl' | 'stateDir' | 'faults' | 'logger' | 'ksefTokens' | 'tokenAuth' | 'rateLimits' | 'authDelayMs' | 'upoIssuerName'>> & {
  authDelayMs: number;
  upoIssuerName?: string;
  publicBaseUrl?: string;
  stateDir?: string;
};

export function resolveOptions(options: KsefSimulatorOptions): ResolvedOptions {
  const processingDelayMs = options.processingDelayMs ?? 30;
  return {
    processingDelayMs,
    authDelayMs: options.authDelayMs ?? processingDelayMs,
    accessTokenTtlMs: options.accessTokenTtlMs ?? 15 * 60_000,
    refreshTokenTtlMs: options.refreshTokenTtlMs ?? 7 * 24 * 3_600_000,
    authenticationTokenTtlMs: options.authenticationTokenTtlMs ?? 15 * 60_000,
    enforceNipChecksum: options.enforceNipChecksum ?? true,
    requireCorrectedInvoiceInLedger: options.requireCorrectedInvoiceInLedger ?? true,
    onlineAttachments: options.onlineAttachments ?? 'reject',
    tokenPolicy: options.tokenPolicy ?? 'any',
    permissive: options.permissive ?? false,
    permissionGrants: options.permissionGrants ?? [],
    maxInvoicesPerSession: options.maxInvoicesPerSession ?? 10_000,
    maxBatchParts: options.maxBatchParts ?? 50,
    maxInvoiceBytes: options.maxInvoiceBytes ?? 1_000_000,
    maxInvoiceWithAttachmentBytes: options.maxInvoiceWithAttachmentBytes ?? 3_000_000,
    upoPageSize: options.upoPageSize ?? 10_000,
    upoIssuerName: options.upoIssuerName,
    maxQueryResults: options.maxQueryResults ?? 10_000,
    publicBaseUrl: options.publicBaseUrl,
    stateDir: options.stateDir,
  };
}
