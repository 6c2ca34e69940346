import { invoiceNumberKey, invoiceNumberProblem } from '../../domain/invoice-number';

describe('invoice number as KSeF compares it (duplicate key)', () => {
  it('trims and collapses XML whitespace and every Unicode space to one space', () => {
    const variants = ['SEC/XSYS-56d35a', ' SEC/XSYS-56d35a', 'SEC/XSYS-56d35a\u00A0', '\u3000SEC/XSYS-56d35a\u202F'];
    expect(new Set(variants.map(invoiceNumberKey))).toEqual(new Set(['SEC/XSYS-56d35a']));
    expect(invoiceNumberKey('FV\u00A0\u2007 2026\t/1')).toBe('FV 2026 /1');
  });
  it('compares in NFC and keeps letter case', () => {
    expect(invoiceNumberKey('FV/Cafe\u0301')).toBe(invoiceNumberKey('FV/Caf\u00E9'));
    expect(invoiceNumberKey('fv/1')).not.toBe(invoiceNumberKey('FV/1'));
  });
  it('names look-alikes: mixed scripts and invisible characters', () => {
    expect(invoiceNumberProblem('SEC/XSYS-56d35a')).toBeNull();
    expect(invoiceNumberProblem('\u0421\u0415\u0421/1')).toBeNull();
    expect(invoiceNumberProblem('S\u0395C/1')).toEqual({ kind: 'mixed-script', scripts: ['Latin', 'Greek'] });
    expect(invoiceNumberProblem('FV/1\u202E')).toEqual({ kind: 'invisible', codePoint: 'U+202E', index: 4 });
    expect(invoiceNumberProblem('FV\n1')).toEqual({ kind: 'invisible', codePoint: 'U+000A', index: 2 });
  });
});
