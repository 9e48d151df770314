"""Bad rows are reported with their line number and reason; the good rows are imported."""

from __future__ import annotations

from pathlib import Path

from vinculo.customers.models import Contact
from vinculo.platform.models import AuditEntry

from .helpers import errors_by_row, import_bytes

DATA = Path(__file__).resolve().parent.parent / "data"


def test_broken_rows_are_reported_and_good_rows_imported(admin):
    report = import_bytes(admin, "contacts", "csv", (DATA / "contacts_broken.csv").read_bytes())
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "good1@example.com", "good2@example.com"]
    assert report.created == 2 and report.error_count == 8
    rows = errors_by_row(report)
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert rows[3] == ["email: Enter a valid email address."]
    assert rows[4][0].startswith("country: Unknown country 'Narnia'")
    assert rows[5] == ["This line has 4 values; the header has 6."]
    assert rows[6] == ["last_name: Give at least a name or an email address."]
    assert rows[7][0].startswith("last_name: Ensure this value has at most 100 characters")
    assert rows[8] == ["phone: Enter a valid phone number, with its country code."]
    assert rows[9] == ["A quotation mark is not closed on this line."]
    assert rows[10][0].startswith("birthdate: Expected a date")
    assert report.total == report.done == 10
    # Nothing half-written: exactly one audit entry per contact created.
    assert AuditEntry.objects.filter(entity="contacts").count() == 2


def test_every_error_row_is_counted_even_beyond_the_kept_list(admin, monkeypatch):
    from vinculo.platform.importexport import importing

    monkeypatch.setattr(importing, "MAX_REPORTED_ERRORS", 3)
    content = "email\n" + "".join(f"bad{i}\n" for i in range(10))
    report = import_bytes(admin, "contacts", "csv", content.encode())
    assert report.error_count == 10 and len(report.errors) == 3


def test_batches_keep_line_numbers(admin):
    lines = ["first_name,email"] + [
        f"P{i},{'broken' if i % 7 == 0 else f'p{i}@example.com'}" for i in range(1, 31)]
    report = import_bytes(admin, "contacts", "csv", "\n".join(lines).encode(), batch_size=4)
    assert report.created == 26
    assert sorted(errors_by_row(report)) == [8, 15, 22, 29]


def test_blank_lines_are_passed_over_and_empty_rows_skipped(admin):
    content = b"first_name,email\n\nAna,ana@example.com\n , \n"
    report = import_bytes(admin, "contacts", "csv", content)
    assert (report.created, report.skipped, report.error_count, report.done) == (1, 0, 0, 1)
    report = import_bytes(admin, "contacts", "json", b'[{}, {"email": ""}, {"first_name": "B"}]')
    assert (report.created, report.skipped, report.error_count) == (1, 2, 0)


def test_json_lines_with_a_bad_line(admin):
    content = b'{"first_name": "Ana"}\n{not json}\n{"first_name": "Bea", "email": "x"}\n'
    report = import_bytes(admin, "contacts", "jsonl", content)
    assert report.created == 1
    rows = errors_by_row(report)
    assert rows[2][0].startswith("This line is not valid JSON")
    assert rows[3] == ["email: Enter a valid email address."]


def test_wrong_types_in_json_are_row_errors(admin):
    content = b'[{"first_name": "Ana", "email_opt_in": "maybe"}, {"first_name": ["x"]}]'
    report = import_bytes(admin, "contacts", "json", content)
    assert report.created == 0 and report.error_count == 2
    assert errors_by_row(report)[1][0].startswith("email_opt_in: Expected yes or no")
