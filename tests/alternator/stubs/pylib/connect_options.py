# Stand-in for ScyllaDB's connection options: no CQL host.
def add_host_option(parser):
    parser.addoption("--host", default=None, help="unused")
