export {
  checkInputNumber,
  DYNAMO_NUMBER_LIMITS,
  dynamoNumberProblem,
  parseInputNumber,
  significantDigits,
} from './dynamo-number.ts';
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
