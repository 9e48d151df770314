"""Create and edit forms: API field names, validation messages, hook refusals, version
conflicts, custom fields and the quick-add of the timeline — all through the write pipeline."""

import pytest
from django.core.exceptions import ValidationError

from tests.web.conftest import create, htmx
from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.platform import hooks_registry
from vinculo.platform.models import AuditEntry, CustomField


def test_creating_a_contact_goes_through_the_pipeline(rep, rep_web):
    account = create("accounts", rep, name="Acme")
    response = rep_web.post("/contacts/new/", {
        "first_name": "José", "last_name": "García", "email": "Jose@Example.com",
        "country": "es", "account_id": account.pk, "lifecycle_stage": "customer",
        "tags": "vip, madrid", "email_opt_in": "on",
    })
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="García")
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.email == "jose@example.com" and contact.country == "ES"
    assert contact.account_id == account.pk and contact.owner_id == rep.pk
    assert sorted(t.name for t in contact.tags.all()) == ["madrid", "vip"]
    assert contact.email_opt_in and contact.email_opt_in_at is not None
    entry = AuditEntry.objects.get(entity="contacts", record_id=contact.pk)
    assert entry.operation == "create" and entry.source == "web" and entry.actor_id == rep.pk


def test_the_form_uses_api_field_names(rep_web):
    html = rep_web.get("/contacts/new/").content.decode()
    for name in ("first_name", "last_name", "email", "account_id", "owner_id", "tags",
                 "lifecycle_stage", "email_opt_in", "do_not_contact", "country"):
        assert f'name="{name}"' in html, name
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("data, field, message", [
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"first_name": "A", "country": "XX"}, "country", ""),
    ({"first_name": "A", "phone": "12"}, "phone", ""),
    ({"first_name": "A", "birthdate": "31/31/2020"}, "birthdate", "valid date"),
    ({}, "last_name", "name or an email"),
])
def test_bad_input_is_shown_on_the_field_and_nothing_is_written(rep_web, data, field, message):
    response = rep_web.post("/contacts/new/", {"lifecycle_stage": "lead", **data})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field has-error' in html
    assert f'data-field="{field}"' in html
    assert message in html
    assert not Contact.all_objects.exists()


def test_a_refusal_from_a_hook_reaches_the_form(rep_web):
    @hooks_registry.register("contacts", "before_save", name="test.no_acme")
    def no_acme(change):
        if "acme" in (change.instance.email or ""):
            raise ValidationError({"email": ["Acme people are handled by the partner team."],
                                   "__all__": ["Refused by a business rule."]})

    try:
        response = rep_web.post("/contacts/new/", {"email": "ann@acme.com",
                                                   "lifecycle_stage": "lead"})
    finally:
        hooks_registry.unregister("contacts", "before_save", "test.no_acme")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme people are handled by the partner team." in html
    assert "Refused by a business rule." in html
    assert not Contact.all_objects.exists()


def test_editing_changes_only_the_fields_that_changed(rep, rep_web):
    contact = create("contacts", rep, first_name="Ana", last_name="Ruiz", city="Madrid")
    form = rep_web.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="Madrid"' in form and 'name="version"' in form
    response = rep_web.post(f"/contacts/{contact.pk}/edit/", {
        "first_name": "Ana", "last_name": "Ruiz", "city": "Sevilla", "lifecycle_stage": "lead",
        "version": contact.version, "owner_id": rep.pk,
    })
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.city == "Sevilla" and contact.version == 2
    entry = AuditEntry.objects.filter(entity="contacts", operation="update").get()
    assert entry.changes == {"city": ["Madrid", "Sevilla"]}


def test_a_version_conflict_is_a_clear_message_and_changes_nothing(rep, rep_web):
    contact = create("contacts", rep, first_name="Ana", city="Madrid")
    from vinculo.platform import records

    records.update(contact, {"city": "Bilbao"}, actor=rep)  # someone else, meanwhile
    response = rep_web.post(f"/contacts/{contact.pk}/edit/", {
        "first_name": "Ana", "city": "Sevilla", "lifecycle_stage": "lead", "version": 1})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    contact.refresh_from_db()
    assert contact.city == "Bilbao"


def test_custom_fields_are_on_the_form_as_custom_dot_key(admin, admin_web):
    CustomField.objects.create(entity="contacts", key="shoe_size", label="Shoe size",
                               type="number")
    CustomField.objects.create(entity="contacts", key="sector", label="Sector", type="choice",
                               choices=["retail", "health"], required=True)
    CustomField.objects.create(entity="contacts", key="langs", label="Languages",
                               type="multi_choice", choices=["en", "es", "fr"])
    html = admin_web.get("/contacts/new/").content.decode()
    assert 'name="custom.shoe_size"' in html and 'name="custom.sector"' in html
    missing = admin_web.post("/contacts/new/", {"first_name": "Ana", "lifecycle_stage": "lead",
                                                "custom.shoe_size": "41"})
    assert missing.status_code == 200 and 'data-field="custom.sector"' in missing.content.decode()
    response = admin_web.post("/contacts/new/", {
        "first_name": "Ana", "lifecycle_stage": "lead", "custom.shoe_size": "41",
        "custom.sector": "health", "custom.langs": ["en", "es"]})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.custom == {"shoe_size": 41, "sector": "health", "langs": ["en", "es"]}
    detail = admin_web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Shoe size" in detail and "health" in detail


def test_a_new_record_can_be_prefilled_from_the_address(rep, rep_web):
    account = create("accounts", rep, name="Acme")
    html = rep_web.get(f"/contacts/new/?account_id={account.pk}&email=x@y.z").content.decode()
    assert f'name="account_id" value="{account.pk}"' in html and 'value="Acme"' in html
    assert "x@y.z" not in html  # only the declared fields can be suggested


def test_deleting_moves_to_the_recycle_bin_and_restore_brings_it_back(rep, rep_web):
    contact = create("contacts", rep, first_name="Anabel")
    assert rep_web.post(f"/contacts/{contact.pk}/delete/").status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at is not None
    assert "Anabel" in rep_web.get("/contacts/?deleted=1").content.decode()
    assert "Anabel" not in rep_web.get("/contacts/").content.decode()
    detail = rep_web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "recycle bin" in detail and f"/contacts/{contact.pk}/restore/" in detail
    assert rep_web.get(f"/contacts/{contact.pk}/edit/").status_code == 404
    assert rep_web.post(f"/contacts/{contact.pk}/restore/").status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at is None


def test_quick_add_of_a_note_shows_on_the_timeline(rep, rep_web):
    contact = create("contacts", rep, first_name="Ana")
    response = rep_web.post("/activities/new/", {
        "_quick": f"contacts:{contact.pk}", "contact_id": contact.pk, "kind": "note",
        "subject": "", "body": "Prefers calls in the morning."}, headers=htmx("quick-add"))
    assert response.status_code == 200
    assert response["HX-Trigger"] == "timeline-changed"
    assert "<html" not in response.content.decode()
    note = Activity.objects.get()
    assert note.contact_id == contact.pk and note.owner_id == rep.pk and note.kind == "note"
    timeline = rep_web.get(f"/contacts/{contact.pk}/timeline/", headers=htmx("timeline"))
    assert "Prefers calls in the morning." in timeline.content.decode()
    assert "<html" not in timeline.content.decode()


def test_quick_add_shows_what_is_missing(rep, rep_web):
    account = create("accounts", rep, name="Acme")
    response = rep_web.post("/activities/new/", {
        "_quick": f"accounts:{account.pk}", "account_id": account.pk, "kind": "task",
        "subject": "Call back"}, headers=htmx("quick-add"))
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert "A task needs a due date." in response.content.decode()
    assert not Activity.objects.exists()


def test_quick_add_on_a_record_the_user_may_not_see_is_404(rep_web, other_rep):
    contact = create("contacts", other_rep, first_name="Olga")
    response = rep_web.post("/activities/new/", {
        "_quick": f"contacts:{contact.pk}", "contact_id": contact.pk, "kind": "note",
        "body": "x"}, headers=htmx("quick-add"))
    assert response.status_code == 404
    assert not Activity.objects.exists()
