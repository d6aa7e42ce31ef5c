/**
 * DynamoDB's own limits that dynotally checks before it sends a request, in one place: key and item sizes, the
 * items or statements one request carries, and the text of one write (which no item-size check covers). Every
 * bound in the library derives from these, so none can drift from the service's figure.
 *
 * @example
 * ```ts
 * DYNAMO_LIMITS.partitionKeyBytes; // 2048
 * DYNAMO_LIMITS.transactionItems; // 100
 * ```
 */
export const DYNAMO_LIMITS = {
  /** A partition key (or a GSI partition key), UTF-8. */
  partitionKeyBytes: 2048,
  /** A sort key, UTF-8. */
  sortKeyBytes: 1024,
  /** An item: attribute names and values, UTF-8. */
  itemBytes: 400 * 1024,
  /** Items in one `TransactWriteItems`. */
  transactionItems: 100,
  /** Bytes in one `TransactWriteItems`. */
  transactionBytes: 4 * 1024 * 1024,
  /** Statements in one `BatchExecuteStatement`. */
  batchStatements: 25,
  /** Keys in one `BatchGetItem`. */
  batchGetKeys: 100,
  /**
   * Levels of one attribute: a scalar is 1 level, a map or list one more than its deepest value (DynamoDB Local
   * stores a top-level attribute of 31 nested maps around a string, and refuses 32 with "Nesting Levels have
   * exceeded supported limits").
   */
  nestingLevels: 32,
} as const;

/**
 * DynamoDB's limits on the text of one write: a PartiQL statement of at most 8,192 characters (longer ones fail
 * the whole `BatchExecuteStatement`), an expression (`UpdateExpression`, `ConditionExpression`) of at most 4 KB,
 * and at most 300 operators or functions in one expression.
 *
 * @example
 * ```ts
 * WRITE_LIMITS.statementChars; // 8192
 * ```
 */
export const WRITE_LIMITS = {
  statementChars: 8192,
  expressionBytes: 4096,
  expressionOperators: 300,
} as const;
