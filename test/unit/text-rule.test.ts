/**
 * The one text rule (domain/text.ts) and the door that applies it (api/input-guard.ts): what is
 * text, what is not, and that checking a large body stays linear (a 5 MB array took 4.8 s of CPU
 * with the first, per-element-path walk — a denial of service at the door meant to stop one).
 */
import { findTextProblems, lineText, proseText, textProblem } from '../../domain/text';
import { assertUtf8Body, firstInvalidUtf8 } from '../../api/input-guard';

describe('text rule', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', 'Kabel\u0007YDY'],
    ['DEL', 'x\u007F'],
    ['C1 CSI', 'x\u009B'],
    ['non-character U+FFFE', '\uFFFE'],
    ['non-character U+FDD0', 'a\uFDD0'],
    ['lone high surrogate', 'x\uD800'],
    ['lone low surrogate', '\uDC00y'],
    ['reversed pair', '\uDC00\uD800'],
  ])('refuses %s', (_name, value) => {
    expect(textProblem(value, 'prose')).toMatch(/position \d+/);
  });

  it.each([['Zażółć gęślą jaźń'], ['𝄞 music'], ['NEL\u0085 is XML text'], ['€ 100,00'], ['tab\tand\nlines\r\n']])('accepts %s as prose', (value) => {
    expect(textProblem(value, 'prose')).toBeNull();
  });

  it('single-line fields refuse tab and line breaks; prose keeps them', () => {
    expect(lineText(50).safeParse('a\nb').success).toBe(false);
    expect(lineText(50).safeParse('a\tb').success).toBe(false);
    expect(proseText(50).safeParse('a\n\tb').success).toBe(true);
    const refused = lineText(50).safeParse('ok\u0000');
    expect(refused.error?.issues[0]).toMatchObject({ code: 'custom', params: { code: 'TEXT_INVALID_CHARACTER' } });
  });

  it('names the path of each bad value and key, and the depth at which nesting is refused', () => {
    const found = findTextProblems({ lines: [{ name: 'ok' }, { name: 'x\u0000' }], ['k\u0001']: 1 });
    expect(found.findings.map((f) => f.path)).toEqual(expect.arrayContaining([['lines', 1, 'name'], ['k\u0001']]));
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findTextProblems(deep, { maxDepth: 32 }).tooDeep).toHaveLength(32);
  });

  it('checks a 5 MB body in linear time', () => {
    const numbers = JSON.parse(`[${Array.from({ length: 1_200_000 }, (_, i) => i % 10).join(',')}]`);
    const started = process.hrtime.bigint();
    expect(findTextProblems(numbers, { maxDepth: 32 }).findings).toEqual([]);
    // ~10 ms here; the old walk took ~4 800 ms. The bound leaves room for a slow, busy machine.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });
});

describe('UTF-8 at the door', () => {
  it('finds the first byte that is not UTF-8 (overlong, surrogate, truncated, out of range)', () => {
    expect(firstInvalidUtf8(Buffer.from('Odbiórca', 'utf8'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from('Odbiórca', 'latin1'))).toBe(4);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xe2, 0x82]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });

  it('refuses another charset and invalid bytes with KSEFOPS_INVALID_ENCODING', () => {
    expect(() => assertUtf8Body(Buffer.from('{}'), 'utf-16le')).toThrow(expect.objectContaining({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' }));
    expect(() => assertUtf8Body(Buffer.from('"Odbiórca"', 'latin1'), 'utf-8')).toThrow(expect.objectContaining({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' }));
    expect(() => assertUtf8Body(Buffer.from('"Odbiórca"', 'utf8'), undefined)).not.toThrow();
  });
});
