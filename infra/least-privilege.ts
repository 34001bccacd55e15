import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { KEY_PREFIXES, type KeyPrefix } from '../lib/store/keys.ts';
import { TABLE } from '../lib/store/table.ts';
import type { FunctionName } from '../lib/startup.ts';

/**
 * What each function may do on the table, by partition key prefix
 * (issue 21, least privilege). Prefixes are names of `KEY_PREFIXES` in
 * lib/store/keys.ts, the module that builds every key, so a key and the
 * grant that covers it cannot drift apart. Every statement carries a
 * `dynamodb:LeadingKeys` condition, reads included: a function that does not
 * list `orderHook` cannot read an order webhook secret, whatever its code does.
 *
 * - `read`: the listed read actions on the table, under these prefixes;
 * - `index`: Query on GSI1, under these index partition prefixes;
 * - `write`: the listed write actions, each under its prefixes.
 *
 * test/infra/least-privilege.test.ts reads these grants back from the synthesized template.
 */
export type TableAccess = {
  read: { actions: ReadAction[]; under: KeyPrefix[] };
  index?: KeyPrefix[];
  write?: Array<{ actions: WriteAction[]; under: KeyPrefix[] }>;
  /** Scan of the whole table (no key condition can narrow a Scan): shop deletion and erasure only */
  scan?: boolean;
};
type ReadAction = 'GetItem' | 'BatchGetItem' | 'Query';
type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';

export const TABLE_ACCESS = {
  // page → shop (PAGE#), the shop and its product costs (SHOP#), the shop's order webhook secrets (ORDERHOOK#: only here)
  webhook: { read: { actions: ['GetItem', 'BatchGetItem'], under: ['page', 'shop', 'orderHook'] } },
  // the shop (SHOP#); counts requests against the shop's limit (RATE#)
  events: { read: { actions: ['GetItem', 'BatchGetItem'], under: ['shop'] }, write: [{ actions: ['UpdateItem'], under: ['rate'] }] },
  // rollups, states, raw events, the link generation (SHOP#), open waits (GSI1 WAIT#); counts requests (RATE#)
  report: { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop'] }, index: ['openWait'], write: [{ actions: ['UpdateItem'], under: ['rate'] }] },
  // the hashed key (APIKEY#) and, hourly, its last use
  authorizer: { read: { actions: ['GetItem'], under: ['apiKey'] }, write: [{ actions: ['UpdateItem'], under: ['apiKey'] }] },
  // shops, directory, page ownership, API keys (and their GSI1 list), rebuilds (SHOP#), link revocation (SHOP#);
  // sets order webhook secrets (ORDERHOOK#) without being able to read them back
  admin: {
    read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop', 'shopDirectory', 'page', 'apiKey', 'job'] },
    index: ['apiKeyIndex'],
    write: [
      { actions: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'], under: ['shop', 'shopDirectory', 'page', 'apiKey', 'job', 'digest'] },
      // puts a shop's order secrets without reading them back; deletes them with the shop
      { actions: ['PutItem', 'DeleteItem', 'BatchWriteItem'], under: ['orderHook'] },
    ],
    // shop deletion and erasure find a shop's items across its partitions (lib/lifecycle/)
    scan: true,
  },
  // everything it reads and writes lives under a shop (states, rollups, raw events, links)
  ingest: { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop'] }, write: [{ actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'], under: ['shop'] }] },
  // lists shops (SHOPS) and reads each one (SHOP#, its link generation)
  'digest-dispatch': { read: { actions: ['GetItem', 'Query'], under: ['shopDirectory', 'shop'] } },
  // the report (SHOP#, GSI1 WAIT#) and the ledger (DIGEST#), its only writes
  'digest-send': { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop', 'digest'] }, index: ['openWait'], write: [{ actions: ['PutItem', 'UpdateItem'], under: ['digest'] }] },
} as const satisfies Record<FunctionName, TableAccess>;

const patterns = (under: readonly KeyPrefix[]) => under.map((p) => `${KEY_PREFIXES[p]}*`);
const leadingKeys = (under: readonly KeyPrefix[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns(under) } });

/** Adds `access` to the function's role: one statement per kind of access, each with its LeadingKeys condition. */
export function grantTableAccess(table: Table, fn: IFunction, access: TableAccess): void {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: access.read.actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn], conditions: leadingKeys(access.read.under) }),
  );
  if (access.index?.length)
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${TABLE.gsi1.name}`], conditions: leadingKeys(access.index) }));
  if (access.scan) fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }));
  for (const w of access.write ?? [])
    fn.addToRolePolicy(new PolicyStatement({ actions: w.actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn], conditions: leadingKeys(w.under) }));
}
