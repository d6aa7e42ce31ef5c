import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lateLetterAgeSeconds, lateLetterRefusal } from './late-letter.ts';

const AT = 1_800_000_000_000;
const letter = (ageSeconds: number | undefined, pending = true) => ({
  at: AT,
  pendingRows: pending ? [{ pk: 'jobs#c1', sk: 'D2027-01-15' }] : undefined,
  record: {
    dynamodb: ageSeconds === undefined ? {} : { ApproximateCreationDateTime: AT / 1000 - ageSeconds },
  } as DynamoDBRecord,
});

describe('lateLetterRefusal', () => {
  it('refuses a letter whose record was older than 24 h 30 min when it was dead-lettered', () => {
    expect(lateLetterRefusal(letter(88_200), undefined)).toBeUndefined();
    expect(lateLetterRefusal(letter(88_201), undefined)).toMatch(
      /^replay refused: the record was 88,201 s old .* past the 88,200 s .*--late/,
    );
  });

  it("follows the stream side's redelivery", () => {
    expect(lateLetterRefusal(letter(5_401), { maxRecordAgeSeconds: 3600 })).toMatch(/past the 5,400 s/);
    expect(lateLetterRefusal(letter(5_400), { maxRecordAgeSeconds: 3600 })).toBeUndefined();
  });

  it('never refuses a letter without pending rows, or whose record has no time', () => {
    expect(lateLetterRefusal(letter(1e6, false), undefined)).toBeUndefined();
    expect(lateLetterRefusal(letter(undefined), undefined)).toBeUndefined();
  });
});

describe('lateLetterAgeSeconds', () => {
  it("is the stream side's redelivery horizon less half an hour", () => {
    expect(lateLetterAgeSeconds(undefined)).toBe(88_200);
    expect(lateLetterAgeSeconds({ maxRecordAgeSeconds: -1 })).toBe(88_200);
    expect(lateLetterAgeSeconds({ maxRecordAgeSeconds: 3_600 })).toBe(5_400);
    expect(lateLetterAgeSeconds({ maxRecordAgeSeconds: 60 })).toBe(1_860);
    // a maximum record age past the stream's retention is the retention
    expect(lateLetterAgeSeconds({ maxRecordAgeSeconds: 604_800 })).toBe(88_200);
  });

  it('is exported from the package root', async () => {
    expect((await import('../index.ts')).lateLetterAgeSeconds).toBe(lateLetterAgeSeconds);
  });
});
