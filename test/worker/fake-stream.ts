// A DynamoDB stream with a shard topology DynamoDB Local cannot produce (Local keeps one shard per table and
// never rolls it over): several roots, splits, a chain of children, shards closing and appearing while
// workers run. It answers the three Streams calls the worker makes, with the API's paging, iterator and
// shard-end semantics. Only the stream is simulated: leases, checkpoints and aggregates stay on DynamoDB Local.
import type {
  _Record,
  DynamoDBStreamsClient,
  AttributeValue as SdkAttributeValue,
  Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Img } from '../oracle/oracle.ts';
import type { Op } from './support.ts';

interface FakeShard {
  id: string;
  parent?: string | undefined;
  records: _Record[];
  closed: boolean;
  start: string;
  reads: number;
  /** Records before this index are past the stream's retention. */
  trimmed: number;
}

/** One GetRecords call, in the order the fake answered them. */
export interface ReadLogEntry {
  shardId: string;
  records: number;
  /** The call returned no next iterator: the shard was read to its end. */
  ended: boolean;
}

const pad = (n: bigint) => n.toString().padStart(21, '0');
const trimmedError = () =>
  Object.assign(new Error('The operation attempted to read past the oldest stream record in a shard'), {
    name: 'TrimmedDataAccessException',
  });

export class FakeStream {
  readonly arn =
    `arn:aws:dynamodb:fake:000000000000:table/fake-${process.pid}-${Date.now()}/stream/2026-01-01T00:00:00.000`;
  readonly reads: ReadLogEntry[] = [];
  describeCalls = 0;
  /** Every shard's second poll finds its iterator expired (they live 15 minutes on AWS). */
  expireSecondPoll = true;
  /**
   * The most records one GetRecords returns, whatever its `Limit` (AWS stops a page at 1 MB): a test that needs a shard
   * read in several pages sets it (the worker asks for 1,000 records a call).
   */
  pageLimit = 1_000;
  pagedDescribeCalls = 0;
  expiredIterators = 0;
  private readonly shards = new Map<string, FakeShard>();
  private readonly items = new Map<string, Img>();
  private seq = 1_000n;

  /** Adds a shard (open); `parent` must exist already. */
  addShard(id: string, parent?: string): void {
    this.shards.set(id, {
      id,
      parent,
      records: [],
      closed: false,
      start: pad(this.seq + 1n),
      reads: 0,
      trimmed: 0,
    });
  }

  /** Drops a shard's first `count` records, as the 24-hour retention does. */
  trim(id: string, count: number): void {
    this.shard(id).trimmed = count;
  }

  /** Closes a shard: once its records are read, GetRecords returns no next iterator. */
  close(id: string): void {
    this.shard(id).closed = true;
  }

  /** Appends the stream record of an operation (none for a delete of a missing item), created `at` (default now). */
  append(shardId: string, op: Op, at = new Date()): void {
    const shard = this.shard(shardId);
    if (shard.closed) throw new Error(`fake stream: shard ${shardId} is closed`);
    const id = op.kind === 'put' ? (op.item.id?.S as string) : op.id;
    const old = this.items.get(id);
    if (op.kind === 'delete' && old === undefined) return;
    this.seq += 3n;
    const dynamodb: NonNullable<_Record['dynamodb']> = {
      ApproximateCreationDateTime: at,
      Keys: { id: { S: id } },
      SequenceNumber: pad(this.seq),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    };
    if (op.kind === 'put') {
      dynamodb.NewImage = op.item as Record<string, SdkAttributeValue>;
      this.items.set(id, op.item);
    } else this.items.delete(id);
    if (old !== undefined) dynamodb.OldImage = old as Record<string, SdkAttributeValue>;
    const eventName = op.kind === 'delete' ? 'REMOVE' : old === undefined ? 'INSERT' : 'MODIFY';
    shard.records.push({
      eventID: `ev-${this.seq}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'fake',
      dynamodb,
    });
  }

  /** Sequence number of a shard's last record. */
  lastSequence(shardId: string): string | undefined {
    const rs = this.shard(shardId).records;
    return rs[rs.length - 1]?.dynamodb?.SequenceNumber;
  }

  get shardIds(): string[] {
    return [...this.shards.keys()];
  }

  isClosed(shardId: string): boolean {
    return this.shard(shardId).closed;
  }

  get recordCount(): number {
    let n = 0;
    for (const s of this.shards.values()) n += s.records.length;
    return n;
  }

  /** A client answering DescribeStream (two shards a page), GetShardIterator and GetRecords. */
  client(): DynamoDBStreamsClient {
    const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      await new Promise((r) => setImmediate(r));
      switch (command.constructor.name) {
        case 'DescribeStreamCommand':
          return this.describe(command.input as { StreamArn: string; ExclusiveStartShardId?: string });
        case 'GetShardIteratorCommand':
          return this.iterator(
            command.input as { ShardId: string; ShardIteratorType: string; SequenceNumber?: string },
          );
        case 'GetRecordsCommand':
          return this.getRecords(command.input as { ShardIterator: string; Limit?: number });
        default:
          throw new Error(`fake stream: ${command.constructor.name} is not simulated`);
      }
    };
    return { send } as unknown as DynamoDBStreamsClient;
  }

  private shard(id: string): FakeShard {
    const s = this.shards.get(id);
    if (s === undefined)
      throw Object.assign(new Error(`Shard ${id} does not exist`), { name: 'ResourceNotFoundException' });
    return s;
  }

  private describe(input: { StreamArn: string; ExclusiveStartShardId?: string }) {
    if (input.StreamArn !== this.arn)
      throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    this.describeCalls += 1;
    const all = [...this.shards.values()];
    let from = 0;
    if (input.ExclusiveStartShardId !== undefined) {
      this.pagedDescribeCalls += 1;
      from = all.findIndex((s) => s.id === input.ExclusiveStartShardId) + 1;
    }
    const page = all.slice(from, from + 2);
    const Shards: Shard[] = page.map((s) => ({
      ShardId: s.id,
      ...(s.parent === undefined ? {} : { ParentShardId: s.parent }),
      SequenceNumberRange: {
        StartingSequenceNumber: s.start,
        ...(s.closed
          ? { EndingSequenceNumber: s.records[s.records.length - 1]?.dynamodb?.SequenceNumber ?? s.start }
          : {}),
      },
    }));
    const more = from + 2 < all.length;
    return {
      StreamDescription: {
        StreamArn: this.arn,
        StreamStatus: 'ENABLED',
        Shards,
        ...(more ? { LastEvaluatedShardId: page[page.length - 1]?.id } : {}),
      },
    };
  }

  private iterator(input: { ShardId: string; ShardIteratorType: string; SequenceNumber?: string }) {
    const s = this.shard(input.ShardId);
    let pos: number;
    switch (input.ShardIteratorType) {
      case 'TRIM_HORIZON':
        pos = s.trimmed;
        break;
      case 'LATEST':
        pos = s.records.length;
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const at = input.SequenceNumber ?? '';
        const i = s.records.findIndex((r) => (r.dynamodb?.SequenceNumber ?? '') >= at);
        pos = i === -1 ? s.records.length : i;
        if (
          input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' &&
          s.records[pos]?.dynamodb?.SequenceNumber === at
        )
          pos += 1;
        if (pos < s.trimmed) throw trimmedError();
        break;
      }
      default:
        throw new Error(`fake stream: iterator type ${input.ShardIteratorType}`);
    }
    return { ShardIterator: JSON.stringify({ shard: s.id, pos }) };
  }

  private getRecords(input: { ShardIterator: string; Limit?: number }) {
    const { shard, pos } = JSON.parse(input.ShardIterator) as { shard: string; pos: number };
    const s = this.shard(shard);
    if (pos < s.trimmed) throw trimmedError();
    s.reads += 1;
    if (s.reads === 2 && this.expireSecondPoll) {
      this.expiredIterators += 1;
      throw Object.assign(new Error('Iterator expired'), { name: 'ExpiredIteratorException' });
    }
    const Records = s.records.slice(pos, pos + Math.min(input.Limit ?? 1000, this.pageLimit));
    const next = pos + Records.length;
    const ended = s.closed && next >= s.records.length;
    this.reads.push({ shardId: s.id, records: Records.length, ended });
    return { Records, ...(ended ? {} : { NextShardIterator: JSON.stringify({ shard: s.id, pos: next }) }) };
  }
}
