import { OPEN_WAIT_INDEX_ATTRIBUTES } from '#lib/store/keys.ts';

/**
 * The one definition of the single table: key names, the GSIs and the TTL
 * attribute. CDK (infra/), the local runtime and the tests all build the table
 * from this object, so they cannot drift apart.
 *
 * GSI1 (projection ALL) lists a shop's API keys and rejected events, and held
 * open waits before the open-waits index. The open-waits index (`openWaits`)
 * projects only OPEN_WAIT_INDEX_ATTRIBUTES (lib/store/keys.ts): DynamoDB
 * writes an index entry only when its keys or a projected attribute change,
 * so a conversation whose timeline grows while its wait stays open costs no
 * index write (with ALL every state write did).
 */
export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  gsi1: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  openWaits: { name: 'OpenWaits', partitionKey: 'WAITPK', sortKey: 'WAITSK', attributes: OPEN_WAIT_INDEX_ATTRIBUTES },
} as const;

type Projection = { ProjectionType: 'ALL' | 'INCLUDE'; NonKeyAttributes?: string[] };

/** The CreateTable input shape (also the shape of the local tables). */
export function tableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi1.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi1.sortKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.openWaits.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.openWaits.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.gsi1.name,
        KeySchema: [
          { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' } as Projection,
      },
      {
        IndexName: TABLE.openWaits.name,
        KeySchema: [
          { AttributeName: TABLE.openWaits.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.openWaits.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TABLE.openWaits.attributes] } as Projection,
      },
    ],
  };
}
