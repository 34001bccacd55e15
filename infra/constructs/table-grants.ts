import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

/**
 * Write actions on the table limited to items whose partition key starts
 * with one of `prefixes` (IAM condition `dynamodb:LeadingKeys`, checked per
 * item, inside TransactWriteItems and BatchWriteItem too). The prefixes are
 * those of lib/store/keys.ts: `SHOP#` (a shop's conversations, orders,
 * rollups, raw events, page states), `DIGEST#` (the digest ledger),
 * `APIKEY#` (API keys).
 */
export function grantWritesUnder(table: Table, fn: IFunction, actions: string[], prefixes: string[]): PolicyStatement {
  const statement = new PolicyStatement({
    actions: actions.map((a) => `dynamodb:${a}`),
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) } },
  });
  fn.addToRolePolicy(statement);
  return statement;
}

