"""List pages: search, the filter language, sorting, cursor pages, the count, htmx fragments,
saved views, bulk actions — and a query count that does not grow with the page size."""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import browser_for, create, htmx
from vinculo.customers.models import Contact
from vinculo.platform.models import SavedView


def names(response) -> list[str]:
    """The record titles of the list, in order (the linked first column)."""
    html = response.content.decode()
    parts = html.split('class="row-link"')[1:]
    return [p.split(">", 1)[1].split("<", 1)[0].strip() for p in parts]


@pytest.fixture
def people(rep):
    account = create("accounts", rep, name="Acme")
    rows = [("Ana", "Alonso", "Madrid", "customer"), ("Bea", "Blanco", "Sevilla", "lead"),
            ("Carla", "Castro", "Madrid", "lead"), ("Dani", "Díaz", "Bilbao", "customer")]
    return [create("contacts", rep, first_name=f, last_name=last, city=c, lifecycle_stage=s,
                   account_id=account.pk, tags=["vip"] if c == "Madrid" else [])
            for f, last, c, s in rows]


def test_search_box_narrows_the_list(rep_web, people):
    assert names(rep_web.get("/contacts/?q=castro")) == ["Carla Castro"]
    assert names(rep_web.get("/contacts/?q=diaz")) == ["Dani Díaz"]  # accents ignored


def test_the_filter_language_selects_rows(rep_web, people):
    node = {"all": [{"field": "city", "op": "eq", "value": "Madrid"},
                    {"field": "lifecycle_stage", "op": "eq", "value": "lead"}]}
    response = rep_web.get("/contacts/?" + urlencode({"filter": json.dumps(node)}))
    assert names(response) == ["Carla Castro"]
    tags = {"field": "tags", "op": "eq", "value": "vip"}
    assert len(names(rep_web.get("/contacts/?" + urlencode({"filter": json.dumps(tags)})))) == 2


@pytest.mark.parametrize("bad", ["{not json", json.dumps({"field": "nope", "op": "eq",
                                                            "value": 1}),
                                 json.dumps({"field": "city", "op": "frobnicate", "value": 1})])
def test_a_bad_filter_is_a_message_not_an_error(rep_web, people, bad):
    response = rep_web.get("/contacts/?" + urlencode({"filter": bad}))
    assert response.status_code == 200
    assert "The filter is not valid" in response.content.decode()
    assert names(response) == []


def test_columns_sort_both_ways_and_bad_orderings_fall_back(rep_web, people):
    assert names(rep_web.get("/contacts/?ordering=-last_name"))[0] == "Dani Díaz"
    assert names(rep_web.get("/contacts/?ordering=last_name"))[0] == "Ana Alonso"
    assert rep_web.get("/contacts/?ordering=password").status_code == 200
    html = rep_web.get("/contacts/?ordering=city").content.decode()
    assert 'aria-sort="ascending"' in html


def test_cursor_pages_go_forward_and_back(rep):
    for i in range(60):
        create("contacts", rep, first_name="P", last_name=f"Person {i:02d}")
    client = browser_for(rep)
    first = client.get("/contacts/?limit=25")
    assert len(names(first)) == 25 and 'rel="prev"' not in first.content.decode()
    next_url = first.content.decode().split('rel="next" href="')[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&"))
    assert names(second)[0] == "P Person 25"
    prev_url = second.content.decode().split('rel="prev" href="')[1].split('"')[0]
    back = client.get(prev_url.replace("&amp;", "&"))
    assert names(back) == names(first)
    assert 'rel="prev"' not in back.content.decode()
    third = client.get(second.content.decode().split('rel="next" href="')[1].split('"')[0]
                       .replace("&amp;", "&"))
    assert len(names(third)) == 10 and 'rel="next"' not in third.content.decode()
    assert client.get("/contacts/?cursor=garbage").status_code == 200


def test_the_count_is_on_demand(rep_web, people):
    node = {"field": "city", "op": "eq", "value": "Madrid"}
    response = rep_web.get("/contacts/count/?" + urlencode({"filter": json.dumps(node)}),
                           headers=htmx("count"))
    assert response.content.decode() == "2 records"


def test_htmx_requests_get_only_the_table(rep_web, people):
    response = rep_web.get("/contacts/?q=ana", headers=htmx("results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html and "Ana Alonso" in html
    full = rep_web.get("/contacts/?q=ana").content.decode()
    assert full.startswith("<!doctype html>") and 'id="filter-config"' in full


def test_the_filter_builder_gets_the_fields_of_the_entity(rep_web, people):
    html = rep_web.get("/contacts/").content.decode()
    config = json.loads(html.split('id="filter-config" type="application/json">')[1]
                        .split("</script>")[0])
    fields = {f["field"]: f for f in config["fields"]}
    assert fields["lifecycle_stage"]["kind"] == "text"
    assert ["customer", "Customer"] in fields["lifecycle_stage"]["choices"]
    assert "within_last_days" in fields["created_at"]["ops"]
    assert config["ops"]["icontains"]


def test_list_queries_do_not_grow_with_the_page_size(rep):
    account = create("accounts", rep, name="Acme")
    for i in range(120):
        create("contacts", rep, first_name="P", last_name=f"{i:03d}", account_id=account.pk,
               tags=["a", "b"])
    client = browser_for(rep)
    columns = "&columns=name&columns=account&columns=owner&columns=tags&columns=email"
    counts = []
    for size in (25, 100):
        client.get(f"/contacts/?limit={size}{columns}")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/contacts/?limit={size}{columns}")
        assert len(names(response)) == size
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20


def test_list_page_query_budget(rep, django_assert_max_num_queries):
    for i in range(50):
        create("contacts", rep, first_name="P", last_name=f"{i:03d}")
    client = browser_for(rep)
    client.get("/contacts/")
    with django_assert_max_num_queries(20):
        client.get("/contacts/?limit=200")
    with django_assert_max_num_queries(12):
        client.get("/contacts/?limit=200", headers=htmx("results"))


# ------------------------------------------------------------------------------ saved views


def test_saving_and_opening_a_view(rep, rep_web, people):
    node = {"all": [{"field": "city", "op": "eq", "value": "Madrid"}]}
    response = rep_web.post("/contacts/views/", {
        "name": "Madrid", "visibility": "private", "filter": json.dumps(node),
        "ordering": "-last_name", "columns": ["name", "city"]})
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contacts/?view={view.pk}"
    assert view.filter == node and view.ordering == ["-last_name"]
    assert view.columns == ["name", "city"] and view.owner_id == rep.pk
    opened = rep_web.get(f"/contacts/?view={view.pk}")
    assert names(opened) == ["Carla Castro", "Ana Alonso"]
    head = opened.content.decode().split("<thead>")[1].split("</thead>")[0]
    assert "City" in head and "Email" not in head


def test_a_view_with_a_bad_filter_is_refused(rep_web):
    response = rep_web.post("/contacts/views/", {"name": "Bad", "visibility": "private",
                                                 "filter": '{"field": "nope"}'})
    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_view_visibility(rep, other_rep, outsider, manager):
    def save(visibility, shared=()):
        return browser_for(rep).post("/contacts/views/", {
            "name": visibility + str(len(shared)), "visibility": visibility,
            "shared_with": [u.pk for u in shared]})

    save("private")
    save("team")
    save("public")
    save("private", shared=[outsider])

    def visible_to(user):
        html = browser_for(user).get("/contacts/").content.decode()
        return {v.name for v in SavedView.objects.all() if f"?view={v.pk}\"" in html}

    assert visible_to(rep) == {"private0", "team0", "public0", "private1"}
    assert visible_to(other_rep) == {"team0", "public0"}  # same team
    assert visible_to(outsider) == {"public0", "private1"}  # shared with them by name
    private = SavedView.objects.get(name="private0")
    assert browser_for(other_rep).get(f"/contacts/?view={private.pk}").status_code == 200
    assert "private0" not in browser_for(other_rep).get(
        f"/contacts/?view={private.pk}").content.decode()


def test_only_the_owner_updates_or_deletes_a_view(rep, other_rep, people):
    rep_client, other_client = browser_for(rep), browser_for(other_rep)
    rep_client.post("/contacts/views/", {"name": "Mine", "visibility": "public"})
    view = SavedView.objects.get()
    assert other_client.post(f"/contacts/views/{view.pk}/", {"action": "delete"}
                             ).status_code == 403
    node = {"field": "city", "op": "eq", "value": "Bilbao"}
    response = rep_client.post(f"/contacts/views/{view.pk}/", {
        "action": "update", "filter": json.dumps(node), "ordering": "", "columns": ["name"]})
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.filter == node and view.columns == ["name"]
    assert rep_client.post(f"/contacts/views/{view.pk}/", {"action": "delete"}
                           ).status_code == 302
    assert not SavedView.objects.exists()


# ------------------------------------------------------------------------------ bulk actions


def test_bulk_assign_owner_and_add_tag(rep, other_rep, rep_web, people):
    ids = [people[0].pk, people[1].pk]
    response = rep_web.post("/contacts/bulk/", {"action": "add_tag", "tag": "event",
                                                "ids": ids, "next": "/contacts/?q=a"})
    assert response.status_code == 302 and response["Location"] == "/contacts/?q=a"
    for contact in Contact.objects.filter(pk__in=ids):
        assert "event" in {t.name for t in contact.tags.all()}
    rep_web.post("/contacts/bulk/", {"action": "assign_owner", "owner_id": other_rep.pk,
                                     "ids": ids})
    assert set(Contact.objects.filter(pk__in=ids).values_list("owner_id", flat=True)) == {
        other_rep.pk}


def test_bulk_actions_skip_records_the_user_may_not_change(rep, rep_web, other_rep):
    mine = create("contacts", rep, first_name="Mine")
    theirs = create("contacts", other_rep, first_name="Theirs")
    response = rep_web.post("/contacts/bulk/", {"action": "delete",
                                                "ids": [mine.pk, theirs.pk]}, follow=True)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.deleted_at is not None and theirs.deleted_at is None
    assert "1 record was skipped" in response.content.decode()


def test_bulk_delete_and_restore(rep, rep_web, people):
    ids = [p.pk for p in people[:3]]
    rep_web.post("/contacts/bulk/", {"action": "delete", "ids": ids})
    assert Contact.objects.count() == 1
    rep_web.post("/contacts/bulk/", {"action": "restore", "ids": ids})
    assert Contact.objects.count() == 4


def test_bulk_refuses_bad_input(rep_web, people):
    for data in ({"action": "explode", "ids": [people[0].pk]}, {"action": "delete"},
                 {"action": "assign_owner", "owner_id": "999999", "ids": [people[0].pk]},
                 {"action": "add_tag", "tag": "", "ids": [people[0].pk]},
                 {"action": "delete", "ids": ["x", "-1"]}):
        response = rep_web.post("/contacts/bulk/", data)
        assert response.status_code == 302, data
    assert Contact.objects.count() == 4
    assert rep_web.post("/contacts/bulk/", {"action": "delete", "ids": [people[0].pk],
                                            "next": "https://evil.example/"}
                        )["Location"] == "/contacts/"


def test_the_export_button_posts_the_fields_of_the_export_page(rep_web, people):
    html = rep_web.get("/contacts/").content.decode()
    bulk = html.split('id="bulk-form"')[1].split("</form>")[0]
    assert 'formaction="/exports/new/"' in bulk
    for field in ('name="entity" value="contacts"', 'name="filter"', 'name="format"'):
        assert field in bulk
    assert 'name="ids" value="' in html and 'form="bulk-form"' in html


def test_the_bulk_bar_export_starts_an_export_of_the_selected_rows(rep_web, people):
    from vinculo.platform.models import ExportJob

    response = rep_web.post("/exports/new/", {
        "entity": "contacts", "format": "csv", "filter": "", "ids": [people[0].pk],
        "next": "/contacts/"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"


def test_probabilities_show_as_percentages(rep):
    contact = create("contacts", rep, first_name="Ana", last_name="Ruiz")
    Contact.objects.filter(pk=contact.pk).update(churn_risk=0.8237, p_alive=0.05)
    client = browser_for(rep)
    page = client.get("/contacts/?columns=name&columns=churn_risk&columns=p_alive").content
    text = page.decode()
    assert "82 %" in text and "5 %" in text and "0.8237" not in text
    spanish = client.get("/contacts/?columns=name&columns=churn_risk",
                         headers={"Accept-Language": "es"}).content.decode()
    assert "82 %" in spanish


def test_a_new_lead_reads_nuevo_in_spanish_not_the_create_button(rep):
    create("leads", rep, last_name="Ruiz", company="Acme")
    page = browser_for(rep).get("/leads/?columns=company&columns=status",
                                headers={"Accept-Language": "es"}).content.decode()
    row = page.split('class="row-link"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("</td>")[0].strip()
             for c in row.split('<td class="cell-')[1:]]
    assert cells == ["Nuevo"]  # the status; "New" as a button is "Crear"
