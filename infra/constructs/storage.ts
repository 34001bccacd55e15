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
 * recovery, TTL on `TABLE.ttlAttribute`, in prod deletion protection and
 * RETAIN, and, when `capacity` is given, provisioned capacity with auto
 * scaling in place of on demand.
 */
/**
 * Provisioned capacity with auto scaling (instead of on demand): write and read
 * units of the table, each scaled between `min` and `max` to keep utilisation
 * near `targetUtilizationPercent` (70 by default); each GSI gets a fifth of the
 * table's minimum (at least 1) and the same maximum.
 */
export type ProvisionedCapacity = { write: { min: number; max: number }; read: { min: number; max: number }; targetUtilizationPercent?: number };

export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: { stage: string; capacity?: ProvisionedCapacity }) {
    super(scope, id);
    const def = tableDefinition('unused');
    const attribute = (name: string): Attribute => {
      const type = def.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
      if (!type || !ATTRIBUTE_TYPES[type]) throw new Error(`tableDefinition has no attribute type for key ${name}`);
      return { name, type: ATTRIBUTE_TYPES[type] };
    };
    const key = (schema: ReadonlyArray<{ AttributeName: string; KeyType: string }>, type: 'HASH' | 'RANGE') => schema.find((k) => k.KeyType === type)?.AttributeName;
    const prod = props.stage === 'prod';
    const cap = props.capacity;
    const indexMin = (n: number) => Math.max(1, Math.ceil(n / 5));

    const sortKey = key(def.KeySchema, 'RANGE');
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(key(def.KeySchema, 'HASH')!),
      ...(sortKey ? { sortKey: attribute(sortKey) } : {}),
      ...(cap
        ? { billingMode: BillingMode.PROVISIONED, readCapacity: cap.read.min, writeCapacity: cap.write.min }
        : { billingMode: def.BillingMode === 'PAY_PER_REQUEST' ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED }),
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
        ...(cap ? { readCapacity: indexMin(cap.read.min), writeCapacity: indexMin(cap.write.min) } : {}),
      });
    }
    if (cap) {
      const target = cap.targetUtilizationPercent ?? 70;
      this.table.autoScaleWriteCapacity({ minCapacity: cap.write.min, maxCapacity: cap.write.max }).scaleOnUtilization({ targetUtilizationPercent: target });
      this.table.autoScaleReadCapacity({ minCapacity: cap.read.min, maxCapacity: cap.read.max }).scaleOnUtilization({ targetUtilizationPercent: target });
      for (const gsi of def.GlobalSecondaryIndexes) {
        this.table.autoScaleGlobalSecondaryIndexWriteCapacity(gsi.IndexName, { minCapacity: indexMin(cap.write.min), maxCapacity: cap.write.max }).scaleOnUtilization({ targetUtilizationPercent: target });
        this.table.autoScaleGlobalSecondaryIndexReadCapacity(gsi.IndexName, { minCapacity: indexMin(cap.read.min), maxCapacity: cap.read.max }).scaleOnUtilization({ targetUtilizationPercent: target });
      }
    }
  }
}
