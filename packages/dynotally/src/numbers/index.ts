export {
  checkInputNumber,
  DYNAMO_NUMBER_LIMITS,
  DYNAMO_NUMBER_SYNTAX,
  dynamoNumberProblem,
  parseInputNumber,
  significantDigits,
} from './dynamo-number.ts';
export { addFixed, compareFixed, FIXED_MAX_SCALE, Fixed, fixedOf, parseFixed } from './fixed.ts';
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
