import { demoSeedRefusal, type DemoSeedContext } from '../../api/auth/demo-seed';

const embeddedDefault: DemoSeedContext = {
  nodeEnv: 'development',
  configuredDatabaseUrl: undefined,
  startSimulator: true,
  ksefBaseUrl: 'http://127.0.0.1:3100/v2',
  enabled: true,
};

describe('demo identities are created only on the embedded default', () => {
  it('may seed on the embedded default with the local simulator (any loopback spelling)', () => {
    expect(demoSeedRefusal(embeddedDefault)).toBeNull();
    expect(demoSeedRefusal({ ...embeddedDefault, ksefBaseUrl: 'http://localhost:3100/v2' })).toBeNull();
    expect(demoSeedRefusal({ ...embeddedDefault, ksefBaseUrl: 'http://[::1]:3100/v2' })).toBeNull();
  });

  it.each<[string, Partial<DemoSeedContext>, RegExp]>([
    ['production', { nodeEnv: 'production' }, /NODE_ENV=production/],
    ['a configured database', { configuredDatabaseUrl: 'postgresql://u@db.example:5432/ksef' }, /DATABASE_URL/],
    ['no local simulator', { startSimulator: false }, /KSEF_START_SIMULATOR=false/],
    ['a real KSeF URL', { ksefBaseUrl: 'https://api-test.ksef.mf.gov.pl/v2' }, /not the local simulator/],
    ['a look-alike host', { ksefBaseUrl: 'http://127.0.0.1.example.com/v2' }, /not the local simulator/],
    ['switched off', { enabled: false }, /KSEFOPS_DEMO_SEED=false/],
  ])('refuses with %s', (_name, change, reason) => {
    expect(demoSeedRefusal({ ...embeddedDefault, ...change })).toMatch(reason);
  });
});
