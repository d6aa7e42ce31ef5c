import { Duration, Token } from 'aws-cdk-lib';
import { DynotallyError } from '../errors/index.ts';
import type { EventSourceSettings } from './event-source-settings.ts';

/** How long a DynamoDB stream keeps a record: a mapping that retries that long gives up on nothing the stream still has. */
const STREAM_RETENTION = Duration.hours(24);

/**
 * Where the mapping of {@link checkBatchDiscards} sends what it gives up on, and whether the user accepts not knowing.
 *
 * @example
 * ```ts
 * const destination: DiscardDestination = { onFailure: true };
 * ```
 */
export interface DiscardDestination {
  /** An `onFailure` destination is set: a skipped batch's stream positions are recorded there. */
  readonly onFailure: boolean;
  /** `DynotallyAggregates`' `acceptSilentBatchLoss`: skip the check. */
  readonly acceptSilentBatchLoss?: boolean | undefined;
}

/** The settings that let Lambda give up on a batch before the stream's retention: option, and as the user set it. */
function earlyLimits(settings: EventSourceSettings): Array<{ option: string; text: string }> {
  const limits: Array<{ option: string; text: string }> = [];
  const retries = settings.retryAttempts;
  if (Token.isUnresolved(retries))
    limits.push({ option: 'retryAttempts', text: 'retryAttempts (known only at deploy time)' });
  else if (retries !== -1) limits.push({ option: 'retryAttempts', text: `retryAttempts ${retries}` });
  // a token maxRecordAge never gets here: eventSourceSettings refuses it (aws-cdk-lib cannot check it at synth)
  const age = settings.maxRecordAge;
  if (!age.isUnresolved() && age.toSeconds({ integral: false }) < STREAM_RETENTION.toSeconds())
    limits.push({ option: 'maxRecordAge', text: `maxRecordAge ${age.toHumanString()}` });
  return limits;
}

/**
 * Refuses, with `EVENT_SOURCE_INVALID` at synth, a mapping that can give up on a batch before the stream's 24 h
 * retention (`retryAttempts` other than -1 or only known at deploy time, `maxRecordAge` under 24 h) and has
 * no `onFailure` destination: Lambda would then skip a batch that keeps failing (throttling, an outage, a missing
 * permission: poison records never fail a batch, they are dead-lettered) and nothing would record which records were
 * never counted. In either mode: a skipped batch is lost to at-least-once counting too. `acceptSilentBatchLoss` skips
 * the check.
 *
 * @example
 * ```ts
 * checkBatchDiscards(eventSourceSettings({ retryAttempts: 10 }, 'exactly-once'), { onFailure: false }); // throws
 * checkBatchDiscards(eventSourceSettings({ retryAttempts: 10 }, 'exactly-once'), { onFailure: true }); // fine
 * ```
 */
export function checkBatchDiscards(settings: EventSourceSettings, destination: DiscardDestination): void {
  if (destination.onFailure || destination.acceptSilentBatchLoss === true) return;
  const limits = earlyLimits(settings);
  if (limits.length === 0) return;
  throw new DynotallyError(
    'EVENT_SOURCE_INVALID',
    `DynotallyAggregates: ${limits.map((l) => l.text).join(' and ')} let Lambda skip a batch that keeps failing (throttling, an outage, a missing permission) before the stream's 24 h retention, and with no onFailure destination nothing records which records were never counted: give onFailure (an SQS queue that receives each skipped batch's shard and sequence numbers), or remove ${limits.map((l) => l.option).join(' and ')} (the default retries for the stream's 24 h retention), or set acceptSilentBatchLoss: true`,
    { details: { option: 'onFailure', limits: limits.map((l) => l.option) } },
  );
}
