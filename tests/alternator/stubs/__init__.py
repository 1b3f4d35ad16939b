# Stand-in for the root package of ScyllaDB's test tree, enough for test/alternator to import.
TEST_RUNNER = "runpy"
