export {
  addNum,
  canonicalNumber,
  compareNum,
  Dec,
  isZeroNum,
  type Num,
  negNum,
  parseNum,
  signed,
  toDynamoN,
} from './num.ts';
