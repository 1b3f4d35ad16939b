use unkai_edge::compat;

use super::*;

#[test]
fn compatibility_table_is_current() {
    let root = unkai_testkit::repo_root();
    let table = compat::table(
        ServiceId::Lambda.info(),
        Operation::ALL.iter().map(|op| (op.name(), op.support())),
    );
    compat::check_file(&root, "docs/compat/lambda.md", &table);
}
