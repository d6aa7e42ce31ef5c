export { type AttributeType, attributeType, checkImage, MAX_NESTING } from './attribute-shape.ts';
export type { Change, ChangeKind, Image } from './change.ts';
export { type DecodeOptions, decodeRecord, paddedSequence, padSequence } from './decode-record.ts';
export { LazyItem } from './lazy-item.ts';
export { orderBatch } from './order-batch.ts';
export { readNumber, readScalar, type Scalar, scalarOf } from './read-attr.ts';
export { type PlainItem, toPlain } from './to-plain.ts';
export {
  markUnreadable,
  refuseUnreadable,
  UNREADABLE_FIELD,
  type UnreadableMark,
} from './unreadable-record.ts';
