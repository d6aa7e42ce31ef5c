import type { DevStack } from './dev-stack.ts';

/**
 * The dev stack's first screen: what runs, where, and how to stop it.
 *
 * @example
 * ```ts
 * process.stdout.write(firstScreen(stack));
 * ```
 */
export function firstScreen(stack: DevStack): string {
  const rate = stack.runner.stats()[0]?.rate ?? 0;
  const ddb =
    stack.dynamoDbLocal === undefined
      ? `${stack.endpoint} (given with --endpoint)`
      : `DynamoDB Local at ${stack.endpoint} (java pid ${stack.dynamoDbLocal.pid}), in memory — no AWS account involved`;
  const stats = stack.workerStats();
  const s4Apart = stack.scenarios.includes('s4') && stack.s4.workerOptions !== undefined;
  const scenarios = stack.runner
    .stats()
    .map((s) => s.id)
    .join(', ');
  const lines = [
    '',
    '  dynotally dev stack is running',
    '',
    `  dashboard   ${stack.url}`,
    `  DynamoDB    ${ddb}`,
    `  tables      ${stack.tables.source} (source, with stream) → ${stack.tables.aggregate} (aggregates);`,
    `              dead letters ${stack.tables.deadLetter}, leases ${stack.tables.leases}`,
    `  worker      ${stats.workerId}: ${stack.rollups.length} rollups (${stack.rollups.map((r) => r.compiled.name).join(', ')}), exactly-once, ${new Set(stats.shards.map((s) => s.shardId)).size} shard(s)${s4Apart ? '; S4 in a worker of its own' : ''}`,
    `  generators  ${scenarios} at ${rate} events/s each — inserts, modifies, deletes (change the rate on the dashboard)`,
    `  history     ${stack.historyEvents.toLocaleString('en-US')} backdated events written and folded before the live run`,
    ...(stack.scenarios.includes('s4') ? [`  S4          ${stack.s4.describe}`] : []),
    '',
    `  query it    npx dynotally query top favourites --endpoint ${stack.endpoint}`,
    `  stop        Ctrl-C — stops the generators, the worker, the dashboard${stack.scenarios.includes('s4') && stack.s4.mode === 'buffered' ? ', the S4 flusher, redis-server' : ''} and DynamoDB Local`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
