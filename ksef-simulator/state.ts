import { CertificateStore } from './certificates/store';
import type { KeyMaterial } from './crypto';
import { AvailabilityBoard } from './availability';
import type { InvoiceFacts } from './invoice-facts';

export interface StatusInfo {
  code: number;
  description: string;
  details?: string[];
  extensions?: Record<string, string | null>;
}

export interface FormCode {
  systemCode: string;
  schemaVersion: string;
  value: string;
}

export interface Challenge {
  challenge: string;
  timestamp: Date;
  used: boolean;
}

export interface AuthOperation {
  referenceNumber: string;
  contextNip: string;
  startDate: Date;
  /** Result decided at submit time, revealed after the processing delay (KSeF verifies asynchronously). */
  outcome: StatusInfo;
  readyAt: number;
  ksefTokenReference: string;
  redeemed: boolean;
  lastTokenRefreshDate: Date | null;
  refreshTokenValidUntil: Date | null;
  /** How the subject authenticated; absent = KSeF token. */
  method?: AuthMethod;
  /** XAdES: the signing certificate (enrolment data and certificate ownership derive from it). */
  certificate?: AuthCertificate;
  /** DELETE /auth/sessions/…: refresh tokens stop working; access tokens live until they expire. */
  revoked?: boolean;
}

export interface AuthMethod {
  authenticationMethod: 'Token' | 'InternalCertificate' | 'QualifiedSignature' | 'QualifiedSeal';
  category: 'Token' | 'XadesSignature';
  code: string;
  displayName: string;
}

export interface AuthCertificate {
  fingerprint: string;
  subjectIdentifier: { type: 'Nip' | 'Pesel' | 'Fingerprint'; value: string };
  /** Base64 SHA-256 of the signed AuthTokenRequest (the UPO's SkrotDokumentuUwierzytelniajacego). */
  documentHash: string;
}

export interface BatchUpload {
  declaredFileSize: number;
  declaredFileHash: string;
  declaredParts: { ordinalNumber: number; fileSize: number; fileHash: string }[];
  uploadedParts: Map<number, Buffer>;
  uploadDeadline: Date;
  offlineMode: boolean;
  /** Set once the closed package has been unpacked and its invoices queued; until then it is not empty, just not read yet. */
  unpacked?: boolean;
}

export interface UpoPage {
  referenceNumber: string;
  xml: string;
}

export interface Session {
  referenceNumber: string;
  kind: 'Online' | 'Batch';
  contextNip: string;
  authReferenceNumber: string;
  ksefTokenReference: string;
  /** XAdES authentication: Base64 SHA-256 of the signed AuthTokenRequest; the UPO names it instead of a token. */
  authenticationDocumentHash?: string;
  formCode: FormCode;
  symmetricKey: Buffer | null;
  initializationVector: Buffer;
  status: StatusInfo;
  dateCreated: Date;
  dateUpdated: Date;
  validUntil: Date;
  invoiceReferences: string[];
  upoPages: UpoPage[];
  batch?: BatchUpload;
}

export interface InvoiceRecord {
  referenceNumber: string;
  ordinalNumber: number;
  sessionReferenceNumber: string;
  contextNip: string;
  invoiceHash: string;
  invoiceSize: number;
  invoiceFileName: string | null;
  /** Plaintext XML; null when decryption failed. */
  content: Buffer | null;
  offlineMode: boolean;
  hashOfCorrectedInvoice: string | null;
  invoicingDate: Date;
  acquisitionDate: Date | null;
  permanentStorageDate: Date | null;
  status: StatusInfo;
  ksefNumber: string | null;
  invoicingMode: 'Online' | 'Offline' | null;
  facts: InvoiceFacts | null;
}

export interface LedgerEntry {
  ksefNumber: string;
  sellerNip: string;
  buyerNip: string | null;
  invoiceType: string;
  invoiceNumber: string;
  invoiceHash: string;
  sessionReferenceNumber: string;
  invoiceReferenceNumber: string;
  contextNip: string;
  invoicingMode: 'Online' | 'Offline';
  invoicingDate: string;
  acquisitionDate: string;
}

export interface RequestCounter {
  total: number;
  tooManyRequests: number;
  byStatus: Record<string, number>;
}

export interface SimulatorState {
  readonly keys: KeyMaterial;
  challenges: Map<string, Challenge>;
  authOperations: Map<string, AuthOperation>;
  sessions: Map<string, Session>;
  invoices: Map<string, InvoiceRecord>;
  /** Accepted invoices in acceptance order. */
  ledger: LedgerEntry[];
  byKsefNumber: Map<string, InvoiceRecord>;
  /** seller NIP | RodzajFaktury | P_2 → accepted invoice (KSeF's global duplicate rule). */
  byDuplicateKey: Map<string, InvoiceRecord>;
  finalStatusCounts: Record<string, number>;
  requestCounters: Map<string, RequestCounter>;
  /** Latarnia: announced maintenance windows and failures (ksef-simulator/availability.ts). */
  availability: AvailabilityBoard;
  tokenPolicy: 'any' | 'strict';
  /** KSeF token → NIP it may authenticate for (null = any context). */
  registeredTokens: Map<string, string | null>;
  /** 'disabled' = KSeF from 2027: tokens no longer authenticate, only certificates do. */
  tokenAuth: 'enabled' | 'disabled';
  certificates: CertificateStore;
}

export function createState(
  keys: KeyMaterial,
  tokenPolicy: 'any' | 'strict',
  tokens: { token: string; nip?: string | null }[],
  auth: { tokenAuth?: 'enabled' | 'disabled'; stateDir?: string } = {},
): SimulatorState {
  return {
    keys,
    challenges: new Map(),
    authOperations: new Map(),
    sessions: new Map(),
    invoices: new Map(),
    ledger: [],
    byKsefNumber: new Map(),
    byDuplicateKey: new Map(),
    finalStatusCounts: {},
    requestCounters: new Map(),
    availability: new AvailabilityBoard(),
    tokenPolicy,
    registeredTokens: new Map(tokens.map((t) => [t.token, t.nip ?? null])),
    tokenAuth: auth.tokenAuth ?? 'enabled',
    certificates: new CertificateStore(auth.stateDir),
  };
}

/** Clears everything except keys and token registrations (which a test set up deliberately). */
export function resetState(state: SimulatorState): void {
  state.challenges.clear();
  state.authOperations.clear();
  state.sessions.clear();
  state.invoices.clear();
  state.ledger.length = 0;
  state.byKsefNumber.clear();
  state.byDuplicateKey.clear();
  for (const key of Object.keys(state.finalStatusCounts)) delete state.finalStatusCounts[key];
  state.requestCounters.clear();
  state.availability.clear();
}

export const INVOICE_STATUS: Record<number, string> = {
  100: 'Faktura przyjęta do dalszego przetwarzania',
  150: 'Trwa przetwarzanie',
  200: 'Sukces',
  405: 'Przetwarzanie anulowane z powodu błędu sesji',
  410: 'Nieprawidłowy zakres uprawnień',
  415: 'Brak możliwości wysyłania faktury z załącznikiem',
  430: 'Błąd weryfikacji pliku faktury',
  435: 'Błąd odszyfrowania pliku',
  440: 'Duplikat faktury',
  450: 'Błąd weryfikacji semantyki dokumentu faktury',
  500: 'Nieznany błąd',
  550: 'Operacja została anulowana przez system',
};

export const SESSION_STATUS: Record<number, string> = {
  100: 'Sesja otwarta',
  150: 'Trwa przetwarzanie',
  170: 'Sesja zamknięta',
  200: 'Sesja przetworzona pomyślnie',
  405: 'Błąd weryfikacji poprawności dostarczonych elementów paczki',
  415: 'Błąd odszyfrowania dostarczonego klucza',
  420: 'Przekroczony limit faktur w sesji',
  430: 'Błąd dekompresji pierwotnego archiwum',
  435: 'Błąd odszyfrowania zaszyfrowanych części archiwum',
  440: 'Sesja anulowana',
  445: 'Błąd weryfikacji, brak poprawnych faktur',
  500: 'Nieznany błąd',
};

export function invoiceStatus(code: number, details?: string[], extensions?: Record<string, string | null>): StatusInfo {
  return { code, description: INVOICE_STATUS[code] ?? 'Błąd', ...(details ? { details } : {}), ...(extensions ? { extensions } : {}) };
}

export function sessionStatus(code: number, details?: string[]): StatusInfo {
  return { code, description: SESSION_STATUS[code] ?? 'Błąd', ...(details ? { details } : {}) };
}

export function isFinalSessionCode(code: number): boolean {
  return code !== 100 && code !== 150 && code !== 170;
}
