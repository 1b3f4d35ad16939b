# Stand-in: there is no CQL driver to shut down.
def safe_driver_shutdown(cluster):
    pass
