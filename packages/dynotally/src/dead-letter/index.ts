export type { DeadLetter, DeadLetterSink } from './dead-letter.ts';
export { DynamoDbDeadLetterSink } from './dynamodb-sink.ts';
