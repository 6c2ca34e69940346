import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError } from '../config';

/** Everything needed to reach a Temporal frontend: the dev server, a self-hosted cluster or Temporal Cloud. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey?: string;
  apiKeyFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  tlsServerName?: string;
}

type SharedOptions = Pick<ConnectionOptions & NativeConnectionOptions, 'address' | 'tls' | 'apiKey' | 'metadata'>;

function readSecretFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) (KSEFOPS_CONFIG_INVALID)`);
  }
}

/**
 * One translation from configuration to connection options, so the API (client) and the worker
 * (native connection) can never disagree about how they authenticate to the same cluster.
 */
export function temporalConnectionOptions(s: TemporalConnectionSettings): SharedOptions {
  if (Boolean(s.tlsCertFile) !== Boolean(s.tlsKeyFile)) {
    throw new ConfigError('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE must be set together (mTLS needs both) (KSEFOPS_CONFIG_INVALID)');
  }
  if (s.apiKey && s.apiKeyFile) throw new ConfigError('Set TEMPORAL_API_KEY or TEMPORAL_API_KEY_FILE, not both (KSEFOPS_CONFIG_INVALID)');
  const apiKey = s.apiKeyFile ? readSecretFile('TEMPORAL_API_KEY_FILE', s.apiKeyFile).toString('utf8').trim() : s.apiKey;

  const custom = Boolean(s.tlsCertFile || s.tlsCaFile || s.tlsServerName);
  // Credentials never travel in clear text: an API key or a client certificate implies TLS.
  const useTls = s.tls || custom || Boolean(apiKey);
  const tls = !useTls
    ? undefined
    : !custom
      ? true
      : {
          ...(s.tlsCertFile && s.tlsKeyFile
            ? { clientCertPair: { crt: readSecretFile('TEMPORAL_TLS_CERT_FILE', s.tlsCertFile), key: readSecretFile('TEMPORAL_TLS_KEY_FILE', s.tlsKeyFile) } }
            : {}),
          ...(s.tlsCaFile ? { serverRootCACertificate: readSecretFile('TEMPORAL_TLS_CA_FILE', s.tlsCaFile) } : {}),
          ...(s.tlsServerName ? { serverNameOverride: s.tlsServerName } : {}),
        };
  return {
    address: s.address,
    tls,
    ...(apiKey
      ? {
          apiKey,
          // Temporal Cloud's regional API-key endpoints route by this header.
          metadata: { 'temporal-namespace': s.namespace },
        }
      : {}),
  };
}

export function connectTemporalClient(s: TemporalConnectionSettings): Promise<Connection> {
  return Connection.connect(temporalConnectionOptions(s));
}

export function connectTemporalWorker(s: TemporalConnectionSettings): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(s));
}
