"""`vinculo import`, `vinculo export` and `vinculo demo` (contract §1)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from vinculo.activities.models import Activity
from vinculo.customers.models import Account, Contact
from vinculo.identity.models import Role, User
from vinculo.platform import records, search
from vinculo.platform.models import AuditEntry
from vinculo.sales.models import Order, OrderLine, Product

DATA = Path(__file__).resolve().parent.parent / "data"


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_import_prints_progress_and_a_summary_with_row_numbers(admin):
    out, err = run("import", "contacts", str(DATA / "contacts_broken.csv"))
    assert "Created: 2  Updated: 0  Skipped: 0  Errors: 8" in out
    assert "row 3 (email): Enter a valid email address." in out
    assert "row 9: A quotation mark is not closed on this line." in out
    assert "10 / 10 rows (100%)" in err
    assert Contact.objects.count() == 2


def test_import_as_another_user_with_dedupe(admin, rep):
    records.create("contacts", {"first_name": "Ana", "email": "lucia@example.com"}, actor=rep)
    out, _err = run("import", "contacts", str(DATA / "contacts_es.csv"), "--as", "rita",
                    "--dedupe", "email")
    assert "Created: 2  Updated: 1" in out
    assert set(Contact.objects.values_list("owner_id", flat=True)) == {rep.pk}


@pytest.mark.parametrize("args, message", [
    (("nonsense", "contacts_en.csv"), "cannot be imported"),
    (("contacts", "missing.csv"), "No such file"),
    (("contacts", "contacts_en.csv", "--format", "xlsx"), "not an Excel workbook"),
    (("contacts", "contacts_en.csv", "--dedupe", "phone"), "cannot be deduplicated"),
    (("contacts", "contacts_en.csv", "--as", "ghost"), "No active user"),
])
def test_import_refuses_bad_arguments(admin, args, message):
    entity, name, *rest = args
    with pytest.raises(CommandError, match=message):
        run("import", entity, str(DATA / name), *rest)


def test_import_needs_an_administrator_or_a_user(db):
    with pytest.raises(CommandError, match="administrator"):
        run("import", "contacts", str(DATA / "contacts_en.csv"))


def test_export_to_stdout_with_a_filter(admin):
    records.create("contacts", {"first_name": "Ana", "city": "Madrid"}, actor=admin)
    records.create("contacts", {"first_name": "Bea", "city": "Lima"}, actor=admin)
    out, _err = run("export", "contacts", "--filter",
                    '{"field": "city", "op": "eq", "value": "Madrid"}')
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["first_name"] for r in rows] == ["Ana"]
    out, _err = run("export", "contacts", "--format", "vcf")
    assert out.count("BEGIN:VCARD") == 2


def test_export_to_a_file(admin, tmp_path):
    records.create("products", {"sku": "A-1", "name": "Anvil", "unit_price": "9.50"},
                   actor=admin)
    target = tmp_path / "products.xlsx"
    _out, err = run("export", "products", "-o", str(target))
    assert "1 records written" in err
    sheet = load_workbook(target, read_only=True).worksheets[0]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert dict(zip(header, first, strict=True))["sku"] == "A-1"


@pytest.mark.parametrize("args, message", [
    (("nonsense",), "cannot be exported"),
    (("contacts", "--format", "xlsx"), "not text"),
    (("accounts", "--format", "vcf"), "vCard is for contacts only"),
    (("contacts", "--filter", "{oops"), "not valid JSON"),
    (("contacts", "--filter", '{"field": "nope", "op": "eq", "value": 1}'), "Bad filter"),
])
def test_export_refuses_bad_arguments(admin, args, message):
    with pytest.raises(CommandError, match=message):
        run("export", *args)


def test_demo_data_set(db):
    run("demo", contacts=40, seed=7, verbosity=0)
    roles = set(User.objects.values_list("role__name", flat=True))
    assert roles == set(Role.objects.values_list("name", flat=True))
    assert User.objects.get(username="carlos.sales").teams.get().name == "Iberia"
    assert User.objects.get(username="carlos.sales").check_password("vinculo-demo")
    assert Account.objects.count() >= 8
    assert Account.objects.filter(parent__isnull=False).exists()
    # the demo also converts a few leads, which may bring new contacts of their own
    contacts = Contact.objects.filter(converted_leads__isnull=True)
    assert 35 <= contacts.count() <= 40
    assert Contact.objects.count() >= 40
    assert len(set(contacts.values_list("country", flat=True))) >= 4
    assert contacts.filter(email_opt_in=True).exists()
    assert contacts.exclude(tags=None).exists()
    assert len(set(contacts.values_list("lifecycle_stage", flat=True))) >= 3
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert "task" in kinds and len(kinds) >= 6
    assert Activity.objects.filter(kind="task", done=False).exists()
    assert Product.objects.count() == 20
    assert Order.objects.exists() and OrderLine.objects.exists()
    assert AuditEntry.objects.filter(entity="contacts", source="demo").count() == 40
    someone = contacts.first()
    assert someone.pk in [h.record_id for h in search.query(
        User.objects.get(username="ana.admin"), someone.email, entities=["contacts"])]


def test_demo_is_deterministic_for_a_seed(db):
    def people() -> list:
        # the contacts step's people (converted leads may add contacts of their own)
        return list(Contact.objects.filter(converted_leads__isnull=True).order_by("id")
                    .values_list("first_name", "last_name", "email", "city"))

    run("demo", contacts=15, seed=3, verbosity=0)
    first = people()
    run("demo", contacts=15, seed=3, verbosity=0)
    both = people()
    assert both[:len(first)] == both[len(first):] == first
    run("demo", contacts=15, seed=4, verbosity=0)
    assert people()[len(both):] != first
