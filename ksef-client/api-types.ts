/**
 * Request/response shapes of the KSeF API 2.0, named after the schemas in
 * ksef-schemas/ksef-api-v2.open-api.json (components.schemas.*). Only what the client uses.
 */

export interface TokenInfo {
  token: string;
  validUntil: string;
}

export interface AuthenticationChallengeResponse {
  challenge: string;
  timestamp: string;
  timestampMs: number;
  clientIp: string;
}

export type AuthenticationContextIdentifierType = 'Nip' | 'InternalId' | 'NipVatUe' | 'PeppolId';

export interface InitTokenAuthenticationRequest {
  challenge: string;
  contextIdentifier: { type: AuthenticationContextIdentifierType; value: string };
  encryptedToken: string;
  publicKeyId?: string;
}

export interface AuthenticationInitResponse {
  referenceNumber: string;
  authenticationToken: TokenInfo;
}

export interface StatusInfo {
  code: number;
  description: string;
  details?: string[] | null;
}

export interface AuthenticationOperationStatusResponse {
  startDate: string;
  authenticationMethod: string;
  status: StatusInfo;
  isTokenRedeemed?: boolean;
  lastTokenRefreshDate?: string;
  refreshTokenValidUntil?: string;
}

export interface AuthenticationTokensResponse {
  accessToken: TokenInfo;
  refreshToken: TokenInfo;
}

export interface AuthenticationTokenRefreshResponse {
  accessToken: TokenInfo;
}

export type PublicKeyCertificateUsage = 'KsefTokenEncryption' | 'SymmetricKeyEncryption';

export interface PublicKeyCertificate {
  certificate: string;
  certificateId: string;
  publicKeyId: string;
  validFrom: string;
  validTo: string;
  usage: PublicKeyCertificateUsage[];
}

export interface FormCode {
  systemCode: string;
  schemaVersion: string;
  value: string;
}

export interface EncryptionInfo {
  encryptedSymmetricKey: string;
  initializationVector: string;
  publicKeyId?: string;
}

export interface OpenOnlineSessionRequest {
  formCode: FormCode;
  encryption: EncryptionInfo;
}

export interface OpenOnlineSessionResponse {
  referenceNumber: string;
  validUntil: string;
}

export interface SendInvoiceRequest {
  invoiceHash: string;
  invoiceSize: number;
  encryptedInvoiceHash: string;
  encryptedInvoiceSize: number;
  encryptedInvoiceContent: string;
  offlineMode?: boolean;
  hashOfCorrectedInvoice?: string;
}

export interface SendInvoiceResponse {
  referenceNumber: string;
}

export interface UpoPageResponse {
  referenceNumber: string;
  downloadUrl: string;
  downloadUrlExpirationDate: string;
}

export interface SessionStatusResponse {
  status: StatusInfo;
  dateCreated: string;
  dateUpdated: string;
  validUntil?: string | null;
  upo?: { pages: UpoPageResponse[] } | null;
  invoiceCount?: number | null;
  successfulInvoiceCount?: number | null;
  failedInvoiceCount?: number | null;
}

export interface InvoiceStatusInfo extends StatusInfo {
  /** e.g. 440 duplicate: originalSessionReferenceNumber, originalKsefNumber. */
  extensions?: Record<string, string | null> | null;
}

export interface SessionInvoiceStatusResponse {
  ordinalNumber: number;
  invoiceNumber?: string | null;
  ksefNumber?: string | null;
  referenceNumber: string;
  invoiceHash: string;
  invoiceFileName?: string | null;
  acquisitionDate?: string | null;
  invoicingDate: string;
  permanentStorageDate?: string | null;
  upoDownloadUrl?: string | null;
  upoDownloadUrlExpirationDate?: string | null;
  invoicingMode?: 'Online' | 'Offline' | null;
  status: InvoiceStatusInfo;
}

export interface SessionInvoicesResponse {
  continuationToken?: string | null;
  invoices: SessionInvoiceStatusResponse[];
}

export type CompressionType = 'Zip' | 'TarGz';

export interface BatchFilePartInfo {
  ordinalNumber: number;
  fileSize: number;
  fileHash: string;
}

export interface BatchFileInfo {
  fileSize: number;
  fileHash: string;
  compressionType?: CompressionType;
  fileParts: BatchFilePartInfo[];
}

export interface OpenBatchSessionRequest {
  formCode: FormCode;
  batchFile: BatchFileInfo;
  encryption: EncryptionInfo;
  offlineMode?: boolean;
}

export interface PartUploadRequest {
  ordinalNumber: number;
  method: string;
  url: string;
  headers: Record<string, string | null>;
}

export interface OpenBatchSessionResponse {
  referenceNumber: string;
  partUploadRequests: PartUploadRequest[];
}

export type InvoiceQuerySubjectType = 'Subject1' | 'Subject2' | 'Subject3' | 'SubjectAuthorized';
export type InvoiceQueryDateType = 'Issue' | 'Invoicing' | 'PermanentStorage';
export type KsefInvoiceType = 'Vat' | 'Zal' | 'Kor' | 'Roz' | 'Upr' | 'KorZal' | 'KorRoz' | 'VatPef' | 'VatPefSp' | 'KorPef' | 'VatRr' | 'KorVatRr';
export type BuyerIdentifierType = 'Nip' | 'VatUe' | 'Other' | 'None';

export interface InvoiceQueryFilters {
  subjectType: InvoiceQuerySubjectType;
  dateRange: { dateType: InvoiceQueryDateType; from: string; to?: string; restrictToPermanentStorageHwmDate?: boolean };
  ksefNumber?: string;
  invoiceNumber?: string;
  amount?: { type: 'Brutto' | 'Netto' | 'Vat'; from?: number; to?: number };
  sellerNip?: string;
  buyerIdentifier?: { type: BuyerIdentifierType; value?: string };
  currencyCodes?: string[];
  invoicingMode?: 'Online' | 'Offline';
  isSelfInvoicing?: boolean;
  formType?: 'FA' | 'PEF' | 'FA_RR';
  invoiceTypes?: KsefInvoiceType[];
  hasAttachment?: boolean;
}

export interface InvoiceMetadata {
  ksefNumber: string;
  invoiceNumber: string;
  issueDate: string;
  invoicingDate: string;
  acquisitionDate: string;
  permanentStorageDate: string;
  seller: { nip: string; name?: string | null };
  buyer: { identifier: { type: BuyerIdentifierType; value?: string | null }; name?: string | null };
  netAmount: number;
  grossAmount: number;
  vatAmount: number;
  currency: string;
  invoicingMode: 'Online' | 'Offline';
  invoiceType: KsefInvoiceType;
  formCode: FormCode;
  isSelfInvoicing: boolean;
  hasAttachment: boolean;
  invoiceHash: string;
  hashOfCorrectedInvoice?: string | null;
}

export interface QueryInvoicesMetadataResponse {
  hasMore: boolean;
  isTruncated: boolean;
  permanentStorageHwmDate?: string | null;
  invoices: InvoiceMetadata[];
}
