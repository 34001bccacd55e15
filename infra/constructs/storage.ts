import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition, TABLE } from '../../lib/store/table.ts';

const ATTRIBUTE_TYPES: Record<string, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };
const PROJECTIONS: Record<string, ProjectionType> = { ALL: ProjectionType.ALL, KEYS_ONLY: ProjectionType.KEYS_ONLY, INCLUDE: ProjectionType.INCLUDE };

/**
 * The single table, built from `tableDefinition` (lib/store/table.ts), the
 * same object the local runtime and the tests create their tables from: keys,
 * attribute types, billing mode and every GSI (with its projection: the
 * open-waits index projects OPEN_WAIT_INDEX_ATTRIBUTES only) come from there, so AWS and
 * local cannot drift apart. AWS-only settings are added here: point-in-time
 * recovery, TTL on `TABLE.ttlAttribute`, and in prod deletion protection and
 * RETAIN.
 */
export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    const def = tableDefinition('unused');
    const attribute = (name: string): Attribute => {
      const type = def.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
      if (!type || !ATTRIBUTE_TYPES[type]) throw new Error(`tableDefinition has no attribute type for key ${name}`);
      return { name, type: ATTRIBUTE_TYPES[type] };
    };
    const key = (schema: ReadonlyArray<{ AttributeName: string; KeyType: string }>, type: 'HASH' | 'RANGE') => schema.find((k) => k.KeyType === type)?.AttributeName;
    const prod = props.stage === 'prod';

    const sortKey = key(def.KeySchema, 'RANGE');
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(key(def.KeySchema, 'HASH')!),
      ...(sortKey ? { sortKey: attribute(sortKey) } : {}),
      billingMode: def.BillingMode === 'PAY_PER_REQUEST' ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttlAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of def.GlobalSecondaryIndexes) {
      const gsiSort = key(gsi.KeySchema, 'RANGE');
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.IndexName,
        partitionKey: attribute(key(gsi.KeySchema, 'HASH')!),
        ...(gsiSort ? { sortKey: attribute(gsiSort) } : {}),
        projectionType: PROJECTIONS[gsi.Projection.ProjectionType] ?? ProjectionType.ALL,
        ...(gsi.Projection.NonKeyAttributes ? { nonKeyAttributes: gsi.Projection.NonKeyAttributes } : {}),
      });
    }
  }
}
