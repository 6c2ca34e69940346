import { X509Certificate, constants, createCipheriv, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import { createKsefSimulator, type KsefSimulator, type KsefSimulatorOptions, type RunningSimulator } from '../../../ksef-simulator/app';

/**
 * A deliberately tiny KSeF client for the simulator's own tests (the product client lives in
 * ksef-client/ and is tested separately). It does real crypto so the simulator is exercised the
 * way MF's SDKs exercise KSeF.
 */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

export async function http<T = any>(url: string, init: { method?: string; token?: string; json?: unknown; headers?: Record<string, string>; body?: Buffer } = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body: string | Uint8Array | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.body) {
    body = new Uint8Array(init.body);
  }
  const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export interface PublicKeyEntry {
  certificate: string;
  certificateId: string;
  publicKeyId: string;
  usage: string[];
}

export function rsaEncrypt(certificateBase64: string, data: Buffer): Buffer {
  const cert = new X509Certificate(Buffer.from(certificateBase64, 'base64'));
  return publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
}

export function aesEncrypt(key: Buffer, iv: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

export interface OnlineSession {
  referenceNumber: string;
  key: Buffer;
  iv: Buffer;
}

export interface SendOverrides {
  invoiceHash?: string;
  invoiceSize?: number;
  encryptedInvoiceHash?: string;
  encryptedInvoiceSize?: number;
  /** Replace the ciphertext (e.g. encrypted with another key). */
  encryptedContent?: Buffer;
  offlineMode?: boolean;
  prefixIv?: boolean;
}

export class SimClient {
  accessToken = '';
  refreshToken = '';
  keys: PublicKeyEntry[] = [];

  constructor(readonly baseUrl: string, readonly rootUrl: string) {}

  async publicKeys(): Promise<PublicKeyEntry[]> {
    if (this.keys.length === 0) this.keys = (await http<PublicKeyEntry[]>(`${this.baseUrl}/security/public-key-certificates`)).body;
    return this.keys;
  }

  async keyFor(usage: string): Promise<PublicKeyEntry> {
    const key = (await this.publicKeys()).find((k) => k.usage.includes(usage));
    if (!key) throw new Error(`no key for ${usage}`);
    return key;
  }

  /** Challenge → ksef-token → poll → redeem. Returns the init response for tests that look deeper. */
  async authenticate(nip: string, ksefToken = 'simulator-test-token'): Promise<{ referenceNumber: string; authenticationToken: string }> {
    const challenge = await http(`${this.baseUrl}/auth/challenge`, { method: 'POST' });
    const key = await this.keyFor('KsefTokenEncryption');
    const encryptedToken = rsaEncrypt(key.certificate, Buffer.from(`${ksefToken}|${challenge.body.timestampMs}`)).toString('base64');
    const init = await http(`${this.baseUrl}/auth/ksef-token`, {
      json: { challenge: challenge.body.challenge, contextIdentifier: { type: 'Nip', value: nip }, encryptedToken, publicKeyId: key.publicKeyId },
    });
    if (init.status !== 202) throw new Error(`ksef-token failed ${init.status} ${init.text}`);
    const authenticationToken = init.body.authenticationToken.token as string;
    const status = await this.pollAuth(init.body.referenceNumber, authenticationToken);
    if (status !== 200) throw new Error(`authentication ended with ${status}`);
    const redeemed = await http(`${this.baseUrl}/auth/token/redeem`, { method: 'POST', token: authenticationToken });
    if (redeemed.status !== 200) throw new Error(`redeem failed ${redeemed.status} ${redeemed.text}`);
    this.accessToken = redeemed.body.accessToken.token;
    this.refreshToken = redeemed.body.refreshToken.token;
    return { referenceNumber: init.body.referenceNumber, authenticationToken };
  }

  async pollAuth(referenceNumber: string, authenticationToken: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const res = await http(`${this.baseUrl}/auth/${referenceNumber}`, { token: authenticationToken });
      if (res.body.status.code !== 100) return res.body.status.code;
      await sleep(10);
    }
    throw new Error('auth did not finish');
  }

  async openOnlineSession(): Promise<OnlineSession> {
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const rsa = await this.keyFor('SymmetricKeyEncryption');
    const res = await http(`${this.baseUrl}/sessions/online`, {
      token: this.accessToken,
      json: {
        formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
        encryption: { encryptedSymmetricKey: rsaEncrypt(rsa.certificate, key).toString('base64'), initializationVector: iv.toString('base64'), publicKeyId: rsa.publicKeyId },
      },
    });
    if (res.status !== 201) throw new Error(`open session failed ${res.status} ${res.text}`);
    return { referenceNumber: res.body.referenceNumber, key, iv };
  }

  sendInvoiceRaw(session: OnlineSession, xml: string | Buffer, overrides: SendOverrides = {}): Promise<HttpResult> {
    const plain = Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8');
    let encrypted = overrides.encryptedContent ?? aesEncrypt(session.key, session.iv, plain);
    if (overrides.prefixIv) encrypted = Buffer.concat([session.iv, encrypted]);
    return http(`${this.baseUrl}/sessions/online/${session.referenceNumber}/invoices`, {
      token: this.accessToken,
      json: {
        invoiceHash: overrides.invoiceHash ?? sha256Base64(plain),
        invoiceSize: overrides.invoiceSize ?? plain.length,
        encryptedInvoiceHash: overrides.encryptedInvoiceHash ?? sha256Base64(encrypted),
        encryptedInvoiceSize: overrides.encryptedInvoiceSize ?? encrypted.length,
        encryptedInvoiceContent: encrypted.toString('base64'),
        offlineMode: overrides.offlineMode ?? false,
      },
    });
  }

  async sendInvoice(session: OnlineSession, xml: string | Buffer, overrides: SendOverrides = {}): Promise<string> {
    const res = await this.sendInvoiceRaw(session, xml, overrides);
    if (res.status !== 202) throw new Error(`send failed ${res.status} ${res.text}`);
    return res.body.referenceNumber;
  }

  async invoiceStatus(sessionRef: string, invoiceRef: string): Promise<HttpResult> {
    return http(`${this.baseUrl}/sessions/${sessionRef}/invoices/${invoiceRef}`, { token: this.accessToken });
  }

  async waitForInvoice(sessionRef: string, invoiceRef: string): Promise<any> {
    for (let i = 0; i < 500; i++) {
      const res = await this.invoiceStatus(sessionRef, invoiceRef);
      if (await backedOff(res)) continue;
      if (res.status !== 200) throw new Error(`status failed ${res.status} ${res.text}`);
      if (res.body.status.code !== 100 && res.body.status.code !== 150) return res.body;
      await sleep(10);
    }
    throw new Error(`invoice ${invoiceRef} never finished`);
  }

  async waitForSession(sessionRef: string): Promise<any> {
    for (let i = 0; i < 1000; i++) {
      const res = await http(`${this.baseUrl}/sessions/${sessionRef}`, { token: this.accessToken });
      if (await backedOff(res)) continue;
      if (res.status !== 200) throw new Error(`session status failed ${res.status} ${res.text}`);
      if (![100, 150, 170].includes(res.body.status.code)) return res.body;
      await sleep(20);
    }
    throw new Error(`session ${sessionRef} never finished`);
  }

  closeOnline(session: OnlineSession): Promise<HttpResult> {
    return http(`${this.baseUrl}/sessions/online/${session.referenceNumber}/close`, { method: 'POST', token: this.accessToken });
  }

  admin<T = any>(path: string, init: { method?: string; json?: unknown } = {}): Promise<HttpResult<T>> {
    return http<T>(`${this.rootUrl}/_sim${path}`, init);
  }
}

/** Polling with published limits on must honour 429 + Retry-After, as a real client does. */
async function backedOff(res: HttpResult): Promise<boolean> {
  if (res.status !== 429) return false;
  await sleep(Number(res.headers.get('retry-after') ?? '1') * 1000);
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface StartedSimulator {
  simulator: KsefSimulator;
  running: RunningSimulator;
  client: SimClient;
  newClient(): SimClient;
}

export async function startSimulator(options: KsefSimulatorOptions = {}): Promise<StartedSimulator> {
  const simulator = createKsefSimulator({ processingDelayMs: 5, ...options });
  const running = await simulator.listen(0);
  const newClient = () => new SimClient(running.url, running.rootUrl);
  return { simulator, running, client: newClient(), newClient };
}
