import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { canonicalZoneName } from './canonical-zone.ts';

const ZONES = Intl.supportedValuesOf('timeZone');
const fingerprint = (timeZone: string) =>
  defineRollup({
    name: 'orders',
    groupBy: 'storeId',
    timeZone,
    granularities: ['day'],
    measures: { n: count() },
  }).compiled;

describe('canonicalZoneName', () => {
  it('keeps every listed zone name as given (no fingerprint of a correctly spelt definition changes)', () => {
    expect(ZONES.filter((z) => canonicalZoneName(z) !== z)).toEqual([]);
    expect(
      ['UTC', 'Etc/UTC', 'GMT', 'US/Eastern', 'Asia/Kolkata', 'Europe/Kiev'].map(canonicalZoneName),
    ).toEqual(['UTC', 'Etc/UTC', 'GMT', 'US/Eastern', 'Asia/Kolkata', 'Europe/Kiev']);
  });

  it('gives every listed zone its own spelling whatever the letter case', () => {
    expect(ZONES.filter((z) => canonicalZoneName(z.toLowerCase()) !== z)).toEqual([]);
    expect(canonicalZoneName('utc')).toBe('UTC');
  });

  it('never maps an alias to another zone, nor a name that is no zone', () => {
    expect(canonicalZoneName('us/eastern')).toBe('us/eastern'); // V8 resolves it to America/New_York: kept
    expect(canonicalZoneName('Mars/Olympus')).toBe('Mars/Olympus');
  });
});

describe('a rollup’s zone', () => {
  it('is one version however its letters are cased', () => {
    const a = fingerprint('Europe/London');
    const b = fingerprint('europe/london');
    expect([b.timeZone, b.fingerprint]).toEqual(['Europe/London', a.fingerprint]);
  });

  it('stays the alias it was given', () => {
    expect(fingerprint('US/Eastern').timeZone).toBe('US/Eastern');
    expect(fingerprint('US/Eastern').fingerprint).not.toBe(fingerprint('America/New_York').fingerprint);
  });
});
