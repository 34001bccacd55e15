import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIXES } from '#lib/store/keys.ts';
import type { FunctionName } from '#lib/startup.ts';
import { TABLE_ACCESS, type TableAccess } from '../../infra/least-privilege.ts';
import { TABLE } from '#lib/store/table.ts';

/**
 * What IAM sees of each DynamoDB call, and whether a function's grant
 * (infra/least-privilege.ts) lets it through, evaluated the way IAM does:
 * the call's action (a transaction or batch is authorised item by item as
 * its Put/Update/Delete/ConditionCheck actions, BatchGetItem and
 * BatchWriteItem as themselves), the table or its index, and every partition
 * key value it names against the statement's `ForAllValues:StringLike`
 * `dynamodb:LeadingKeys` patterns.
 *
 * Calls are attributed to a function with `asFunction(name, f)`
 * (AsyncLocalStorage), so a test runs the real handlers as each function
 * and collects every call.
 */
export type TableCall = { fn: FunctionName | undefined; action: string; index: boolean; leadingKeys: string[]; command: string; returnValues?: string };

const current = new AsyncLocalStorage<FunctionName>();

/** Runs `f` as function `fn`: every table call made inside, however deep, is that function's. */
export function asFunction<T>(fn: FunctionName, f: () => Promise<T>): Promise<T> {
  return current.run(fn, f);
}

type AnyInput = Record<string, any>;
const pkOf = (v: unknown): string => {
  const o = v as AnyInput | undefined;
  const pk = o?.PK ?? o?.GSI1PK;
  return typeof pk === 'string' ? pk : typeof pk?.S === 'string' ? pk.S : String(pk);
};

/** The partition keys of the table and its indexes (lib/store/table.ts). */
const PARTITION_KEYS = new Set<string>([TABLE.partitionKey, TABLE.gsi1.partitionKey, TABLE.openWaits.partitionKey]);

/** The partition key value a Query's key condition names (`PK = :v`, `GSI1PK = :v` or `WAITPK = :v`, through attribute names too). */
function queryKey(input: AnyInput): string {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const m of String(input.KeyConditionExpression ?? '').matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    const attr = names[m[1]!] ?? m[1]!;
    if (PARTITION_KEYS.has(attr)) {
      const v = values[m[2]!] as unknown;
      return typeof v === 'string' ? v : String((v as AnyInput)?.S);
    }
  }
  throw new Error(`no partition key condition in ${input.KeyConditionExpression}`);
}

/** The IAM requests one command makes (command name without the `Command` suffix: Get, GetItem, Query, …). */
export function tableCallsOf(command: string, input: AnyInput): Array<Omit<TableCall, 'fn' | 'command'>> {
  const name = command.replace(/Command$/, '').replace(/Item$/, '');
  const table = (action: string, leadingKeys: string[]) => ({ action, index: false, leadingKeys });
  switch (name) {
    case 'Get':
      return [table('GetItem', [pkOf(input.Key)])];
    case 'Put':
      return [table('PutItem', [pkOf(input.Item)])];
    case 'Update':
      return [table('UpdateItem', [pkOf(input.Key)])];
    case 'Delete':
      return [table('DeleteItem', [pkOf(input.Key)])];
    case 'Query':
      return [{ action: 'Query', index: Boolean(input.IndexName), leadingKeys: [queryKey(input)] }];
    case 'Scan':
      return [table('Scan', [])];
    case 'BatchGet':
      return [table('BatchGetItem', Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).flatMap((r) => r.Keys.map(pkOf)))];
    case 'BatchWrite':
      return [
        table(
          'BatchWriteItem',
          Object.values(input.RequestItems as Record<string, AnyInput[]>).flatMap((rs) => rs.map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key))),
        ),
      ];
    case 'TransactWrite':
      return (input.TransactItems as AnyInput[]).map((t) =>
        t.Put ? table('PutItem', [pkOf(t.Put.Item)]) : t.Update ? table('UpdateItem', [pkOf(t.Update.Key)]) : t.Delete ? table('DeleteItem', [pkOf(t.Delete.Key)]) : table('ConditionCheckItem', [pkOf(t.ConditionCheck.Key)]),
      );
    case 'TransactGet':
      return (input.TransactItems as AnyInput[]).map((t) => table('GetItem', [pkOf(t.Get.Key)]));
    default:
      throw new Error(`unknown DynamoDB command ${command}`);
  }
}

const matches = (pk: string, under: readonly string[]) => under.some((p) => pk.startsWith(KEY_PREFIXES[p as keyof typeof KEY_PREFIXES]));

/** Whether `access` allows the call, as IAM would evaluate the statements infra/least-privilege.ts makes of it. */
export function allows(access: TableAccess, call: Omit<TableCall, 'fn' | 'command'>): boolean {
  if (call.index) return call.action === 'Query' && !!access.index && call.leadingKeys.every((k) => matches(k, access.index!));
  if (call.action === 'Scan') return access.scan === true;
  const statements = [...(access.read ? [access.read] : []), ...(access.write ?? [])] as Array<{ actions: readonly string[]; under: readonly string[]; returnValuesNone?: boolean }>;
  const returnValues = (call as { returnValues?: string }).returnValues;
  return statements.some(
    (s) => s.actions.includes(call.action) && call.leadingKeys.every((k) => matches(k, s.under)) && (!s.returnValuesNone || returnValues === undefined || returnValues === 'NONE'),
  );
}

/**
 * Records every call the client sends (attributed to the function running it)
 * and returns the list; `denied` are those the function's grant would refuse in AWS.
 */
export function recordTableCalls(client: DynamoDBDocumentClient): { calls: TableCall[]; denied: () => TableCall[]; stop: () => void } {
  const calls: TableCall[] = [];
  const send = client.send.bind(client) as (c: unknown, ...rest: unknown[]) => Promise<unknown>;
  (client as { send: unknown }).send = (command: { constructor: { name: string }; input: AnyInput }, ...rest: unknown[]) => {
    const fn = current.getStore();
    const returnValues = command.input.ReturnValues as string | undefined;
    for (const c of tableCallsOf(command.constructor.name, command.input)) calls.push({ ...c, fn, command: command.constructor.name, ...(returnValues ? { returnValues } : {}) });
    return send(command, ...rest);
  };
  return {
    calls,
    denied: () => calls.filter((c) => c.fn !== undefined && !allows(TABLE_ACCESS[c.fn], c)),
    stop: () => {
      (client as { send: unknown }).send = send;
    },
  };
}
