"""Write one benchmark's section into docs/PERFORMANCE.md, leaving the other sections as they are."""
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
INTRO = "# Performance\n"


def write_section(section: str, text: str, intro: str = INTRO) -> None:
    """Replace the section headed ``section`` (up to the next `## ` heading), or add it at the end."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else intro
    lines = doc.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == section), None)
    if start is None:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        rest = "".join(lines[end:])
        doc = "".join(lines[:start]) + text + ("\n" + rest if rest else "")
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(doc, encoding="utf-8")
