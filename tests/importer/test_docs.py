"""docs/import.md documents the built-in kamus with its keys, and the real example it
shows is the committed one."""

from pathlib import Path

from solver.importer.education import _BY_FIELD

DOC = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
REPORT = (Path(__file__).resolve().parents[2] / "scenarios" / "impor_siasn" / "expected"
          / "import-report.md").read_text(encoding="utf-8")


def test_every_built_in_kamus_key_and_programme_is_documented():
    for field, programmes in _BY_FIELD.items():
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{field}` |")),
                   None)
        assert row is not None, field
        for programme in programmes:
            assert programme in row, (field, programme)


def test_report_excerpt_in_the_docs_is_the_committed_report():
    start = DOC.index("From\n`scenarios/impor_siasn/expected/import-report.md`")
    excerpt = DOC[start:].split("```")[1]
    for line in excerpt.splitlines():
        if line.startswith("|") and line.strip() != "|---|---|---|---|":
            assert line in REPORT, line
