use unkai_edge::compat;

use super::*;

#[test]
fn compatibility_tables_are_current() {
    let root = unkai_testkit::repo_root();
    let table = compat::table(
        ServiceId::DynamoDb.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&root, "docs/compat/dynamodb.md", &table);
    let streams = compat::table(
        ServiceId::DynamoDbStreams.info(),
        StreamsOperation::ALL
            .iter()
            .map(|op| (op.name(), op.support())),
    );
    compat::check_file(&root, "docs/compat/dynamodbstreams.md", &streams);
}
