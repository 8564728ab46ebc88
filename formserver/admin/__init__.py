"""Form administration: the editor's pure parts (condition builder, diff) and its pages."""
