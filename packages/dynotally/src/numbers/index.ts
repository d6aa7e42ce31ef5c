export {
  DYNAMO_NUMBER_LIMITS,
  dynamoNumberProblem,
  parseInputNumber,
  significantDigits,
} from './dynamo-number.ts';
export { FIXED_MAX_DIGITS, fixedOut, fixedToNum, POW10, parseFixed } from './fixed-decimal.ts';
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
