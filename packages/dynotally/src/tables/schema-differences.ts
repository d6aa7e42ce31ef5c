import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
  Projection,
  TableDescription,
} from '@aws-sdk/client-dynamodb';

function attributeType(defs: readonly AttributeDefinition[] | undefined, name: string | undefined): string {
  return defs?.find((d) => d.AttributeName === name)?.AttributeType ?? '?';
}

/**
 * `pk (S, HASH), sk (S, RANGE)`: a key schema with its attribute types, for messages.
 *
 * @example
 * ```ts
 * const spec = aggregateTableSpec('agg');
 * formatKeySchema(spec.KeySchema, spec.AttributeDefinitions); // 'pk (S, HASH), sk (S, RANGE)'
 * ```
 */
export function formatKeySchema(
  keys: readonly KeySchemaElement[] | undefined,
  defs: readonly AttributeDefinition[] | undefined,
): string {
  if (!keys || keys.length === 0) return '(none)';
  return keys
    .map((k) => `${k.AttributeName} (${attributeType(defs, k.AttributeName)}, ${k.KeyType})`)
    .join(', ');
}

function formatProjection(p: Projection | undefined): string {
  if (!p?.ProjectionType) return '(none)';
  const extra = p.NonKeyAttributes?.length ? ` [${[...p.NonKeyAttributes].sort().join(', ')}]` : '';
  return `${p.ProjectionType}${extra}`;
}

/**
 * What an existing table lacks compared with the table `spec` would create: the key schema
 * (names, key types and attribute types), and each global secondary index of the spec (present,
 * same keys, same projection). Extra indexes and attributes on the table are fine. Empty when
 * the table fits.
 *
 * @example
 * ```ts
 * const diffs = schemaDifferences(aggregateTableSpec('agg'), (await client.send(new DescribeTableCommand({ TableName: 'agg' }))).Table!);
 * // ["key schema: expected pk (S, HASH), sk (S, RANGE); found id (S, HASH)"]
 * ```
 */
export function schemaDifferences(spec: CreateTableCommandInput, table: TableDescription): string[] {
  const diffs: string[] = [];
  const expectedKeys = formatKeySchema(spec.KeySchema, spec.AttributeDefinitions);
  const foundKeys = formatKeySchema(table.KeySchema, table.AttributeDefinitions);
  if (expectedKeys !== foundKeys) diffs.push(`key schema: expected ${expectedKeys}; found ${foundKeys}`);

  for (const index of spec.GlobalSecondaryIndexes ?? []) {
    const found = table.GlobalSecondaryIndexes?.find((g) => g.IndexName === index.IndexName);
    if (!found) {
      diffs.push(`index ${index.IndexName}: expected a global secondary index; found none`);
      continue;
    }
    const expectedIndexKeys = formatKeySchema(index.KeySchema, spec.AttributeDefinitions);
    const foundIndexKeys = formatKeySchema(found.KeySchema, table.AttributeDefinitions);
    if (expectedIndexKeys !== foundIndexKeys) {
      diffs.push(`index ${index.IndexName} keys: expected ${expectedIndexKeys}; found ${foundIndexKeys}`);
    }
    const expectedProjection = formatProjection(index.Projection);
    const foundProjection = formatProjection(found.Projection);
    if (expectedProjection !== foundProjection) {
      diffs.push(
        `index ${index.IndexName} projection: expected ${expectedProjection}; found ${foundProjection}`,
      );
    }
  }
  return diffs;
}
