"""Reference data (wilayah administrative codes) and its loaders."""
