"""Issue stage: fill document templates, render them to PDF, sign them."""
