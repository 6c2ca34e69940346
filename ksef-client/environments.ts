/**
 * KSeF environments (facts §1). `apiBaseUrl` already contains the `/v2` prefix, like the OpenAPI
 * `servers` entry, so every client path is relative to it.
 */

export type KsefEnvironmentName = 'test' | 'demo' | 'production';

export interface KsefEnvironment {
  name: KsefEnvironmentName | 'local';
  apiBaseUrl: string;
  /** Host used in QR verification links (KOD I / KOD II). */
  qrBaseUrl: string;
  /**
   * MF's availability service ("Latarnia"), `status` and `messages` under it. Hosts from the official
   * clients (CIRFMF/ksef-client-csharp KSeF.Client/DI/LighthouseEnvironmentsUris.cs: TEST and PROD
   * only; DEMO is production-like but the SDKs name no DEMO host, so it reads TEST's).
   */
  latarniaUrl?: string;
}

export const KSEF_ENVIRONMENTS: Record<KsefEnvironmentName, KsefEnvironment> = {
  test: { name: 'test', apiBaseUrl: 'https://api-test.ksef.mf.gov.pl/v2', qrBaseUrl: 'https://qr-test.ksef.mf.gov.pl', latarniaUrl: 'https://api-latarnia-test.ksef.mf.gov.pl' },
  demo: { name: 'demo', apiBaseUrl: 'https://api-demo.ksef.mf.gov.pl/v2', qrBaseUrl: 'https://qr-demo.ksef.mf.gov.pl', latarniaUrl: 'https://api-latarnia-test.ksef.mf.gov.pl' },
  production: { name: 'production', apiBaseUrl: 'https://api.ksef.mf.gov.pl/v2', qrBaseUrl: 'https://qr.ksef.mf.gov.pl', latarniaUrl: 'https://api-latarnia.ksef.mf.gov.pl' },
};

/**
 * Our simulator serves the official paths under `/v2`. Its QR links point at the TEST QR host, since
 * there is no local verification page; override `qrBaseUrl` if the simulator grows one.
 */
export function localSimulatorEnvironment(simulatorUrl: string, qrBaseUrl = KSEF_ENVIRONMENTS.test.qrBaseUrl): KsefEnvironment {
  return { name: 'local', apiBaseUrl: `${simulatorUrl.replace(/\/+$/, '')}/v2`, qrBaseUrl };
}

/** Accepts an environment name or a full API base URL (with or without a trailing slash). */
export function resolveApiBaseUrl(environmentOrUrl: KsefEnvironmentName | string): string {
  if (environmentOrUrl in KSEF_ENVIRONMENTS) return KSEF_ENVIRONMENTS[environmentOrUrl as KsefEnvironmentName].apiBaseUrl;
  return environmentOrUrl.replace(/\/+$/, '');
}

/** The official Latarnia host for an official API base URL; null for anything else (simulator, proxies). */
export function latarniaUrlFor(apiBaseUrl: string): string | null {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return Object.values(KSEF_ENVIRONMENTS).find((e) => e.apiBaseUrl === base)?.latarniaUrl ?? null;
}
