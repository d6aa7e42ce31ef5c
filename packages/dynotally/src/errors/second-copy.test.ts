// Two copies of dynotally in one process (a CLI and a config resolving different installs, a bundled Lambda
// beside a layer, CommonJS and ES module builds) each have their own DynotallyError class: an error of one is
// not an instance of the other's by prototype. The brand (Symbol.for('dynotally.error')) makes each copy
// recognise the other's errors, so a coded error keeps its code (the CLI once reported a config's
// DynotallyError as 'folding the record failed', fold-batch's wrapper for errors it does not recognise).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { secondErrorsCopy } from '../../../../test/support/second-errors-copy.ts';
import { count, defineRollup } from '../definition/index.ts';
import { foldBatch } from '../fold/fold-batch.ts';
import { DynotallyError, isDynotallyError } from './index.ts';

/** `instanceof` as it would be without DynotallyError's Symbol.hasInstance: the prototype chain only. */
const byPrototype = (value: unknown) => Function.prototype[Symbol.hasInstance].call(DynotallyError, value);

describe('an error of another copy of dynotally', () => {
  it('is another class (the test really has two copies)', async () => {
    const copy = await secondErrorsCopy();
    expect(copy.DynotallyError).not.toBe(DynotallyError);
    expect(byPrototype(new copy.DynotallyError('LEASE_LOST', 'lost'))).toBe(false);
  });

  it('is recognised by isDynotallyError, with and without a code', async () => {
    const copy = await secondErrorsCopy();
    const err = new copy.DynotallyError('UNKNOWN_ROLLUP', "no rollup 'jobs'", { details: { name: 'jobs' } });
    expect(isDynotallyError(err)).toBe(true);
    expect(isDynotallyError(err, 'UNKNOWN_ROLLUP')).toBe(true);
    expect(isDynotallyError(err, 'LEASE_LOST')).toBe(false);
    // and the other way round
    expect(copy.isDynotallyError(new DynotallyError('LEASE_LOST', 'lost'), 'LEASE_LOST')).toBe(true);
  });

  it('is instanceof DynotallyError', async () => {
    const copy = await secondErrorsCopy();
    expect(new copy.DynotallyError('LEASE_LOST', 'lost')).toBeInstanceOf(DynotallyError);
    expect(new DynotallyError('LEASE_LOST', 'lost') instanceof copy.DynotallyError).toBe(true);
  });

  it('is not instanceof a subclass, which keeps the prototype check', async () => {
    const copy = await secondErrorsCopy();
    class Refusal extends DynotallyError {}
    expect(new copy.DynotallyError('LEASE_LOST', 'lost') instanceof Refusal).toBe(false);
    expect(new DynotallyError('LEASE_LOST', 'lost') instanceof Refusal).toBe(false);
    expect(new Refusal('LEASE_LOST', 'lost') instanceof Refusal).toBe(true);
    expect(new Refusal('LEASE_LOST', 'lost') instanceof DynotallyError).toBe(true);
  });

  it('keeps its code through the fold: a match function that throws dead-letters the record with its code', async () => {
    const copy = await secondErrorsCopy();
    const rollup = defineRollup({
      name: 'jobs',
      groupBy: 'customerId',
      // a config's check, made with the config's own dynotally
      match: (item) => {
        if (typeof item.customerId !== 'string') {
          throw new copy.DynotallyError('VALUE_INVALID', 'customerId must be a string', {
            details: { attribute: 'customerId' },
          });
        }
        return true;
      },
      granularities: ['day'],
      measures: { n: count() },
    });
    const record: DynamoDBRecord = {
      eventID: 'e1',
      eventName: 'INSERT',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
      dynamodb: {
        SequenceNumber: '1',
        ApproximateCreationDateTime: 1_790_000_000,
        NewImage: { customerId: { N: '42' } },
      },
    };
    const { poison } = foldBatch([rollup.compiled], [record]);
    expect(poison.map((p) => [p.error.code, p.error.message])).toEqual([
      ['VALUE_INVALID', 'customerId must be a string'],
    ]);
  });
});

describe('what the brand does not take for a DynotallyError', () => {
  const brand = Symbol.for('dynotally.error');
  const branded = (fields: object) =>
    Object.assign(Object.create(Object.assign(Object.create(Error.prototype), { [brand]: true })), fields);

  it('a branded error with a code this copy does not know (a newer copy’s), or without the fields it reads', () => {
    expect(isDynotallyError(branded({ code: 'SOMETHING_NEW', message: 'm', details: {} }))).toBe(false);
    expect(isDynotallyError(branded({ code: 'LEASE_LOST', message: 'm' }))).toBe(false);
    expect(isDynotallyError(branded({ code: 'LEASE_LOST', message: 'm', details: {} }))).toBe(true);
  });

  it('an unbranded error that looks like one', () => {
    const lookalike = Object.assign(new Error('m'), {
      name: 'DynotallyError',
      code: 'LEASE_LOST',
      details: {},
    });
    expect(isDynotallyError(lookalike)).toBe(false);
    expect(lookalike instanceof DynotallyError).toBe(false);
    expect(isDynotallyError(undefined)).toBe(false);
    expect(isDynotallyError('LEASE_LOST')).toBe(false);
  });
});
