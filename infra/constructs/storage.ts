import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition, TABLE } from '../../lib/store/table.ts';

/** The single table, built from the same definition the code and the local runtime use. */
export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    const def = tableDefinition('unused');
    const type = (name: string) => (String(def.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType) === 'N' ? AttributeType.NUMBER : AttributeType.STRING);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: type(TABLE.partitionKey) },
      sortKey: { name: TABLE.sortKey, type: type(TABLE.sortKey) },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttlAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.stage === 'prod',
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of def.GlobalSecondaryIndexes) {
      const [pk, sk] = gsi.KeySchema;
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.IndexName,
        partitionKey: { name: pk!.AttributeName, type: type(pk!.AttributeName) },
        ...(sk ? { sortKey: { name: sk.AttributeName, type: type(sk.AttributeName) } } : {}),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
