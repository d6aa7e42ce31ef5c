import { describe, expect, it } from 'vitest';
import { parseSampleFlag } from './sample-flag.ts';

/** The message `parseSampleFlag` refuses `text` with (all refusals are CONFIG_INVALID). */
function refusal(text: string): string {
  try {
    parseSampleFlag(text);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error(`--sample '${text}' was accepted`);
}

describe('verify --sample', () => {
  it('takes a percentage with its % sign', () => {
    expect(parseSampleFlag('1%')).toBe(0.01);
    expect(parseSampleFlag('100%')).toBe(1);
  });

  it('asks for the % sign, suggesting it only where it would be taken', () => {
    expect(refusal('5')).toContain('such as 5%');
    // `--sample 150` was told "write a percentage such as 150%", which is refused in turn
    expect(refusal('150')).not.toContain('150%');
    expect(refusal('150')).toContain('from 0 (exclusive) to 100%');
    expect(refusal('0')).not.toContain('such as 0%');
  });

  it("out of range, says what the flag takes: a percentage, not the library's bare fraction", () => {
    // the library's parseSample reads 0.5 as a fraction and says so; the CLI refuses '0.5' (needs %), so its
    // message must not offer "or a fraction from 0 (exclusive) to 1"
    for (const text of ['150%', '0%', 'half']) {
      const message = refusal(text);
      expect(message, text).toContain('--sample');
      expect(message, text).toContain('from 0 (exclusive) to 100%');
      expect(message, text).not.toContain('fraction');
    }
  });
});
