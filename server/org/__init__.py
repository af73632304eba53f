"""The unit tree: center → departments and stations → communities."""
