"""Reference data (wilayah administrative codes) and its loaders."""

# the look-ups a text field may name ("lookup": ...): the endpoint that suggests answers while typing
LOOKUPS = {"kbli": "reference.kbli_search"}
