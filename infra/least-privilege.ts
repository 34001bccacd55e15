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
 * - `index`: Query on the index holding these index partition prefixes (open waits: OpenWaits; the rest: GSI1);
 * - `write`: the listed write actions, each under its prefixes.
 *
 * test/infra/least-privilege.test.ts reads these grants back from the synthesized template.
 */
export type TableAccess = {
  read?: { actions: ReadAction[]; under: KeyPrefix[] };
  index?: KeyPrefix[];
  /** `returnValuesNone`: only with ReturnValues NONE (IAM `dynamodb:ReturnValues`), so a write cannot read the old item back */
  write?: Array<{ actions: WriteAction[]; under: KeyPrefix[]; returnValuesNone?: boolean }>;
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
  // rollups, states, raw events, the link generation (SHOP#), open waits and rejected events (GSI1 WAIT#, REJECTED#);
  // counts requests (RATE#)
  report: {
    read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop'] },
    index: ['openWait', 'rejectedIndex'],
    write: [{ actions: ['UpdateItem'], under: ['rate'] }],
  },
  // the hashed key (APIKEY#) and, hourly, its last use
  authorizer: { read: { actions: ['GetItem'], under: ['apiKey'] }, write: [{ actions: ['UpdateItem'], under: ['apiKey'] }] },
  // shops, directory, page ownership, API keys (and their GSI1 list), rebuilds, product costs, suppressions, link
  // revocation (SHOP#), digest status (DIGEST#), alert status (ALERT#), lifecycle jobs (JOB#); sets order webhook secrets (ORDERHOOK#)
  // without being able to read them back
  admin: {
    read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop', 'shopDirectory', 'page', 'apiKey', 'job', 'openJobs', 'digest', 'alert'] },
    index: ['apiKeyIndex'],
    write: [
      { actions: ['PutItem', 'UpdateItem', 'DeleteItem'], under: ['shop', 'shopDirectory', 'page', 'apiKey', 'job', 'openJobs', 'digest', 'alert'] },
      // shop deletion deletes a shop's items 25 at a time, whatever their partitions, order secrets included: IAM checks
      // every key of one BatchWriteItem against one statement, so they all sit in this one (a batch returns no item)
      { actions: ['BatchWriteItem'], under: ['shop', 'shopDirectory', 'page', 'apiKey', 'job', 'openJobs', 'digest', 'alert', 'orderHook'] },
      // puts a shop's order secret without reading it back: no ReturnValues (ALL_OLD would hand the old secret back)
      { actions: ['PutItem', 'DeleteItem'], under: ['orderHook'], returnValuesNone: true },
    ],
    // shop deletion and erasure find a shop's items across its partitions (lib/lifecycle/)
    scan: true,
  },
  // everything it reads and writes lives under a shop (states, rollups, raw events, links, rejected events);
  // raw event chunks go in with BatchWriteItem before the transaction of their state and rollups
  ingest: {
    read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop'] },
    write: [{ actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem', 'BatchWriteItem'], under: ['shop'] }],
  },
  // lists shops (SHOPS), reads each one, its link generation and suppressions (SHOP#) and the due digests' ledger
  // items (DIGEST#), marks each digest it queues (UpdateItem DIGEST#)
  'digest-dispatch': {
    read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shopDirectory', 'shop', 'digest'] },
    write: [{ actions: ['UpdateItem'], under: ['digest'] }],
  },
  // the report and the recipient's suppression (SHOP#, GSI1 WAIT#) and the ledger (DIGEST#), its only writes
  'digest-send': { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop', 'digest'] }, index: ['openWait'], write: [{ actions: ['PutItem', 'UpdateItem'], under: ['digest'] }] },
  // SLA alerts: the shop and its conversations (is the wait still open?, SHOP#), its alert markers and groups (ALERT#),
  // the only items it writes
  alerts: { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], under: ['shop', 'alert'] }, write: [{ actions: ['PutItem', 'UpdateItem'], under: ['alert'] }] },
  // SES bounces and complaints: a suppression (PutItem SHOP#…#SUPPRESS) and the ledger status (UpdateItem DIGEST#); reads nothing
  'digest-feedback': { write: [{ actions: ['PutItem', 'UpdateItem'], under: ['shop', 'digest'] }] },
} as const satisfies Record<FunctionName, TableAccess>;

/** The index a prefix's index partitions live on: open waits on their own index, the rest on GSI1. */
const INDEX_OF: Partial<Record<KeyPrefix, string>> = { openWait: TABLE.openWaits.name };

const patterns = (under: readonly KeyPrefix[]) => under.map((p) => `${KEY_PREFIXES[p]}*`);
const leadingKeys = (under: readonly KeyPrefix[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns(under) } });

/** Adds `access` to the function's role: one statement per kind of access, each with its LeadingKeys condition. */
export function grantTableAccess(table: Table, fn: IFunction, access: TableAccess): void {
  if (access.read)
    fn.addToRolePolicy(
      new PolicyStatement({ actions: access.read.actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn], conditions: leadingKeys(access.read.under) }),
    );
  // one Query statement per index, its LeadingKeys being that index's partition keys
  const byIndex = new Map<string, KeyPrefix[]>();
  for (const p of access.index ?? []) byIndex.set(INDEX_OF[p] ?? TABLE.gsi1.name, [...(byIndex.get(INDEX_OF[p] ?? TABLE.gsi1.name) ?? []), p]);
  for (const [index, under] of byIndex)
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${index}`], conditions: leadingKeys(under) }));
  if (access.scan) fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }));
  for (const w of access.write ?? [])
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: w.actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions: { ...leadingKeys(w.under), ...(w.returnValuesNone ? { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } } : {}) },
      }),
    );
}
