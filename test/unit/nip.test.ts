import { isValidNip, nipWithChecksum, normalizeNip } from '../../domain/nip';

describe('NIP', () => {
  it('normalises what source systems send', () => {
    expect(normalizeNip('PL 526-000-12-46')).toBe('5260001246');
    expect(normalizeNip(' pl5260001246 ')).toBe('5260001246');
    expect(normalizeNip('526 000 12 46')).toBe('5260001246');
  });

  it('accepts checksum-valid NIPs and rejects the rest', () => {
    expect(isValidNip('5260001246')).toBe(true);
    expect(isValidNip('9999999999')).toBe(true); // MF's test NIP is checksum-valid
    expect(isValidNip('5260001247')).toBe(false);
    expect(isValidNip('526000124')).toBe(false);
    expect(isValidNip('0260001246')).toBe(false); // KSeF pattern: no leading zero
    expect(isValidNip('52600012ab')).toBe(false);
  });

  it('builds a valid NIP from a prefix, or says none exists', () => {
    expect(nipWithChecksum('526000124')).toBe('5260001246');
    const nip = nipWithChecksum('123456789');
    expect(nip === null || isValidNip(nip)).toBe(true);
  });
});
