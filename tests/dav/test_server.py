"""The CardDAV/CalDAV server through WebDAV XML: discovery, address book, calendar, sync,
permissions, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from vinculo.platform import records

from .conftest import Dav, app_password, multistatus, sync_token_of

pytestmark = pytest.mark.django_db

PRINCIPAL = """<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop>
<d:current-user-principal/></d:prop></d:propfind>"""
HOMES = """<?xml version="1.0"?><d:propfind xmlns:d="DAV:"
 xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:prop>
<card:addressbook-home-set/><cal:calendar-home-set/><d:displayname/></d:prop></d:propfind>"""
COLLECTION = """<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"
 xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:prop><d:resourcetype/><d:displayname/><cs:getctag/>
<d:sync-token/><cal:supported-calendar-component-set/><d:supported-report-set/><d:getetag/>
</d:prop></d:propfind>"""
CARD = """BEGIN:VCARD\r
VERSION:{version}\r
UID:{uid}\r
FN:Ana García\r
N:García;Ana;;;\r
EMAIL;TYPE=work:ana@example.com\r
TEL;TYPE=cell:+34 600 123 456\r
TEL;TYPE=work:+34 910 000 000\r
ORG:{org}\r
TITLE:Buyer\r
ADR;TYPE=work:;;Calle Mayor 1;Madrid;Madrid;28001;Spain\r
BDAY:1985-04-12\r
NOTE:Met at the fair\r
CATEGORIES:vip,fair\r
END:VCARD\r
"""


def sync_body(token: str = "", data: bool = False) -> str:
    extra = "<card:address-data/>" if data else ""
    return (f'<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" '
            f'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>{token}</d:sync-token>'
            f"<d:sync-level>1</d:sync-level><d:prop><d:getetag/>{extra}</d:prop>"
            "</d:sync-collection>")


def contact(user, **data):
    return records.create("contacts", {"first_name": "Carla", "last_name": "Ruiz",
                                       "email": "carla@example.com", **data}, actor=user)


# ---------------------------------------------------------------------------- sign-in


def test_well_known_redirects_to_the_dav_root(client):
    for service in ("carddav", "caldav"):
        response = client.get(f"/.well-known/{service}")
        assert response.status_code == 301 and response["Location"] == "/dav/"


def test_only_a_live_app_password_opens_dav(client, rep):
    from vinculo.channels.dav import passwords

    raw = app_password(rep)
    assert Dav(client, "rita", raw).propfind("/dav/", PRINCIPAL, "0").status_code == 207
    login = Dav(client, "rita", "pw-rita").propfind("/dav/", PRINCIPAL, "0")
    assert login.status_code == 401 and "Basic" in login["WWW-Authenticate"]
    assert client.generic("PROPFIND", "/dav/").status_code == 401
    row = rep.app_passwords.get()
    passwords.revoke(row)
    assert Dav(client, "rita", raw).propfind("/dav/", PRINCIPAL, "0").status_code == 401


def test_failed_sign_ins_are_rate_limited(client, rep, settings):
    settings.VINCULO_DAV_MAX_FAILURES = 3
    raw = app_password(rep)
    for _ in range(3):
        assert Dav(client, "rita", "wrong-pass").propfind("/dav/").status_code == 401
    refused = Dav(client, "rita", raw).propfind("/dav/")
    assert refused.status_code == 429 and refused["Retry-After"]


def test_app_password_api_create_list_revoke(rep_api, client, rep):
    created = rep_api.post("/api/v1/app-passwords", {"label": "Rita's phone"})
    assert created.status_code == 201
    body = created.json()
    assert body["password"] and body["username"] == "rita" and body["id"]
    listing = rep_api.get("/api/v1/app-passwords").json()["items"]
    assert [p["label"] for p in listing] == ["Rita's phone"] and "password" not in listing[0]
    dav = Dav(client, "rita", body["password"])
    assert dav.propfind("/dav/", PRINCIPAL, "0").status_code == 207
    assert rep_api.delete(f"/api/v1/app-passwords/{body['id']}").status_code == 204
    assert dav.propfind("/dav/", PRINCIPAL, "0").status_code == 401
    assert rep_api.get("/api/v1/app-passwords").json()["items"][0]["revoked_at"]


def test_someone_elses_app_password_cannot_be_revoked(rep_api, other_rep):
    from vinculo.channels.dav import passwords

    row, _raw = passwords.create(other_rep, "theirs")
    assert rep_api.delete(f"/api/v1/app-passwords/{row.pk}").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_options_advertises_carddav_and_caldav(client):
    response = client.options("/dav/")
    assert {"1", "3", "addressbook", "calendar-access"} <= {
        p.strip() for p in response["DAV"].split(",")}


# ---------------------------------------------------------------------------- discovery


def test_discovery_from_root_to_collections(rep_dav):
    root = multistatus(rep_dav.propfind("/dav/", PRINCIPAL, "0"))
    principal = root["/dav/"]["props"]["{DAV:}current-user-principal"][0].text
    assert principal == "/dav/principals/rita/"
    homes = multistatus(rep_dav.propfind(principal, HOMES, "0"))[principal]["props"]
    book_home = homes["{urn:ietf:params:xml:ns:carddav}addressbook-home-set"][0].text
    cal_home = homes["{urn:ietf:params:xml:ns:caldav}calendar-home-set"][0].text
    listing = multistatus(rep_dav.propfind(book_home, COLLECTION, "1"))
    book = listing[rep_dav.book]["props"]
    assert book["{DAV:}resourcetype"].find(
        "{urn:ietf:params:xml:ns:carddav}addressbook") is not None
    assert book["{http://calendarserver.org/ns/}getctag"].text.startswith("urn:vinculo:sync:")
    calendar = multistatus(rep_dav.propfind(cal_home, COLLECTION, "1"))[rep_dav.calendar]
    comps = calendar["props"]["{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set"]
    assert {c.get("name") for c in comps} == {"VEVENT", "VTODO"}


def test_another_users_tree_does_not_exist(rep_dav, other_rep):
    assert rep_dav.propfind("/dav/addressbooks/oscar/contacts/").status_code == 404
    assert rep_dav.propfind("/dav/principals/oscar/").status_code == 404


# ---------------------------------------------------------------------------- address book


def test_put_a_vcard_creates_a_contact_through_the_pipeline(rep_dav, rep):
    from vinculo.customers.models import Account, Contact
    from vinculo.platform.models import AuditEntry

    account = records.create("accounts", {"name": "Acme S.L."}, actor=rep)
    response = rep_dav.put(rep_dav.book + "abc-123.vcf",
                           CARD.format(version="3.0", uid="abc-123", org="ACME"),
                           "text/vcard", If_None_Match="*")
    assert response.status_code == 201 and response["ETag"] == '"1"'
    created = Contact.objects.get(email="ana@example.com")
    assert (created.first_name, created.last_name, created.mobile, created.phone) == (
        "Ana", "García", "+34 600 123 456", "+34 910 000 000")
    assert created.account_id == account.pk and created.owner_id == rep.pk
    assert (created.city, created.country, created.birthdate) == ("Madrid", "ES",
                                                                  dt.date(1985, 4, 12))
    assert sorted(t.name for t in created.tags.all()) == ["fair", "vip"]
    assert AuditEntry.objects.filter(entity="contacts", record_id=created.pk,
                                     source="dav").exists()
    card = rep_dav.get(rep_dav.book + "abc-123.vcf")
    text = card.content.decode()
    assert card["ETag"] == '"1"' and "UID:abc-123" in text and "ORG:Acme S.L." in text
    assert Account.objects.count() == 1


def test_an_unknown_org_is_kept_without_making_an_account(rep_dav):
    from vinculo.customers.models import Account, Contact

    rep_dav.put(rep_dav.book + "x.vcf", CARD.format(version="4.0", uid="urn:uuid:1",
                                                    org="Nowhere Ltd"), "text/vcard")
    assert Account.objects.count() == 0 and Contact.objects.get().account_id is None
    assert "ORG:Nowhere Ltd" in rep_dav.get(rep_dav.book + "x.vcf").content.decode()


def test_if_match_guards_changes_and_stale_etags_get_412(rep_dav, rep):
    from vinculo.customers.models import Contact

    item = contact(rep)
    href = rep_dav.book + f"c-{item.pk}.vcf"
    got = rep_dav.get(href)
    assert got.status_code == 200 and "FN:Carla Ruiz" in got.content.decode()
    changed = got.content.decode().replace("FN:Carla Ruiz", "FN:Carla Ruiz Gil").replace(
        "N:Ruiz;Carla", "N:Ruiz Gil;Carla")
    assert rep_dav.put(href, changed, "text/vcard", If_Match='"1"').status_code == 204
    assert Contact.objects.get(pk=item.pk).last_name == "Ruiz Gil"
    stale = rep_dav.put(href, changed.replace("Gil", "Sanz"), "text/vcard", If_Match='"1"')
    assert stale.status_code == 412
    assert rep_dav.put(href, changed, "text/vcard", If_None_Match="*").status_code == 412
    assert rep_dav.delete(href, If_Match='"1"').status_code == 412
    assert rep_dav.delete(href, If_Match='"2"').status_code == 204
    assert Contact.objects.filter(pk=item.pk).count() == 0
    assert rep_dav.get(href).status_code == 404


def test_a_refusal_of_the_pipeline_is_a_dav_error_with_a_message(rep_dav):
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:n\r\nFN:\r\nN:;;;;\r\nEND:VCARD\r\n"
    response = rep_dav.put(rep_dav.book + "n.vcf", card, "text/vcard")
    assert response.status_code == 403
    assert b"Give at least a name or an email address" in response.content


@pytest.mark.parametrize("body", [b"not a card at all", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN",
                                  b"\xff\xfe\x00garbage"])
def test_unparseable_vcards_get_400_never_500(rep_dav, body):
    response = rep_dav.request("PUT", rep_dav.book + "bad.vcf", body, content_type="text/vcard")
    assert response.status_code == 400 and b"message" in response.content


def test_wrong_content_type_gets_415(rep_dav):
    response = rep_dav.put(rep_dav.book + "j.vcf", '{"fn": "x"}', "application/json")
    assert response.status_code == 415


@pytest.mark.parametrize("body", [
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><d:propfind xmlns:d="DAV:">'
    "<d:prop><d:displayname>&e;</d:displayname></d:prop></d:propfind>",
    "<d:propfind xmlns:d='DAV:'><d:prop>", "<<<"])
def test_forged_xml_gets_400(rep_dav, body):
    assert rep_dav.propfind("/dav/", body).status_code == 400
    assert rep_dav.report(rep_dav.book, body).status_code == 400


def test_contacts_of_another_rep_are_invisible(rep_dav, rep, other_rep):
    mine, theirs = contact(rep), contact(other_rep, email="o@example.com")
    listing = multistatus(rep_dav.propfind(rep_dav.book, COLLECTION, "1"))
    assert rep_dav.book + f"c-{mine.pk}.vcf" in listing
    assert rep_dav.book + f"c-{theirs.pk}.vcf" not in listing
    assert rep_dav.get(rep_dav.book + f"c-{theirs.pk}.vcf").status_code == 404
    assert rep_dav.delete(rep_dav.book + f"c-{theirs.pk}.vcf").status_code == 404
    multiget = multistatus(rep_dav.report(rep_dav.book, multiget_body(
        [rep_dav.book + f"c-{theirs.pk}.vcf"])))
    assert "404" in multiget[rep_dav.book + f"c-{theirs.pk}.vcf"]["status"]


def test_a_contact_the_user_may_see_but_not_delete_gets_403(client, rep):
    from tests.conftest import make_user
    from vinculo.customers.models import Contact

    reader = make_user("rosa", "readonly")
    item = contact(rep)
    dav = Dav(client, "rosa", app_password(reader))
    assert dav.get(dav.book + f"c-{item.pk}.vcf").status_code == 200
    assert dav.delete(dav.book + f"c-{item.pk}.vcf").status_code == 403
    assert Contact.objects.filter(pk=item.pk).exists()


def multiget_body(hrefs: list[str]) -> str:
    inner = "".join(f"<d:href>{h}</d:href>" for h in hrefs)
    return ('<?xml version="1.0"?><card:addressbook-multiget xmlns:d="DAV:" '
            'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>'
            f"<card:address-data/></d:prop>{inner}</card:addressbook-multiget>")


def test_multiget_returns_cards_and_etags(rep_dav, rep):
    first, second = contact(rep), contact(rep, email="b@example.com", first_name="Bea")
    hrefs = [rep_dav.book + f"c-{first.pk}.vcf", rep_dav.book + f"c-{second.pk}.vcf",
             rep_dav.book + "missing.vcf"]
    found = multistatus(rep_dav.report(rep_dav.book, multiget_body(hrefs)))
    data = found[hrefs[1]]["props"]["{urn:ietf:params:xml:ns:carddav}address-data"].text
    assert "FN:Bea Ruiz" in data and found[hrefs[0]]["props"]["{DAV:}getetag"].text == '"1"'
    assert "404" in found[hrefs[2]]["status"]


def test_addressbook_query_text_match(rep_dav, rep):
    contact(rep)
    other = contact(rep, email="zoe@example.org", first_name="Zoe")
    body = ('<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" '
            'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop>'
            '<card:filter><card:prop-filter name="EMAIL"><card:text-match '
            'match-type="contains">zoe@</card:text-match></card:prop-filter></card:filter>'
            "</card:addressbook-query>")
    assert list(multistatus(rep_dav.report(rep_dav.book, body))) == [
        rep_dav.book + f"c-{other.pk}.vcf"]


def test_sync_collection_reports_changes_and_deletions(rep_dav, rep):
    kept, gone = contact(rep), contact(rep, email="g@example.com")
    first = rep_dav.report(rep_dav.book, sync_body())
    assert len(multistatus(first)) == 2
    token = sync_token_of(first)
    assert multistatus(rep_dav.report(rep_dav.book, sync_body(token))) == {}
    records.update(kept, {"title": "CEO"}, actor=rep)
    records.delete(gone, actor=rep)
    added = contact(rep, email="n@example.com")
    changes = multistatus(rep_dav.report(rep_dav.book, sync_body(token, data=True)))
    assert "TITLE:CEO" in changes[rep_dav.book + f"c-{kept.pk}.vcf"]["props"][
        "{urn:ietf:params:xml:ns:carddav}address-data"].text
    assert "404" in changes[rep_dav.book + f"c-{gone.pk}.vcf"]["status"]
    assert rep_dav.book + f"c-{added.pk}.vcf" in changes
    bad = rep_dav.report(rep_dav.book, sync_body("urn:other:1"))
    assert bad.status_code == 403 and b"valid-sync-token" in bad.content


def test_the_address_book_can_be_one_saved_view(rep_dav, rep):
    from vinculo.channels.dav.models import Preference
    from vinculo.platform.models import SavedView

    madrid = contact(rep, city="Madrid")
    contact(rep, email="l@example.com", city="Lisboa")
    view = SavedView.objects.create(entity="contacts", name="Madrid", owner=rep,
                                    filter={"field": "city", "op": "eq", "value": "Madrid"})
    Preference.objects.create(user=rep, contacts_view=view)
    listing = multistatus(rep_dav.propfind(rep_dav.book, COLLECTION, "1"))
    assert sorted(listing) == sorted([rep_dav.book, rep_dav.book + f"c-{madrid.pk}.vcf"])


# ---------------------------------------------------------------------------- calendar


EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Europe/Madrid:{start}\r
DTEND;TZID=Europe/Madrid:{end}\r
SUMMARY:Demo at Acme\r
DESCRIPTION:Bring the slides\r
LOCATION:Calle Mayor 1\\, Madrid\r
ORGANIZER:mailto:rita@example.com\r
ATTENDEE;CN=Carla Ruiz:mailto:carla@example.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize("start,end,utc_start", [
    ("20270328T100000", "20270328T113000", dt.datetime(2027, 3, 28, 8, 0, tzinfo=dt.UTC)),
    ("20270327T100000", "20270327T113000", dt.datetime(2027, 3, 27, 9, 0, tzinfo=dt.UTC)),
    ("20271031T100000", "20271031T113000", dt.datetime(2027, 10, 31, 9, 0, tzinfo=dt.UTC)),
])
def test_an_event_with_a_tzid_becomes_a_meeting_at_the_right_instant(rep_dav, rep, start, end,
                                                                       utc_start):
    from vinculo.activities.models import Activity

    item = contact(rep)
    response = rep_dav.put(rep_dav.calendar + "ev1.ics", EVENT.format(uid="ev-1", start=start,
                                                                      end=end), "text/calendar")
    assert response.status_code == 201, response.content
    meeting = Activity.objects.get()
    assert (meeting.kind, meeting.subject, meeting.body) == ("meeting", "Demo at Acme",
                                                             "Bring the slides")
    assert meeting.occurred_at == utc_start and meeting.duration_minutes == 90
    assert meeting.contact_id == item.pk and meeting.owner_id == rep.pk
    assert meeting.dav_details.location == "Calle Mayor 1, Madrid"
    assert meeting.dav_details.attendees == [{"email": "carla@example.com",
                                              "name": "Carla Ruiz"}]
    text = rep_dav.get(rep_dav.calendar + "ev1.ics").content.decode()
    assert f"DTSTART:{utc_start:%Y%m%dT%H%M%S}Z" in text and "UID:ev-1" in text
    assert "LOCATION:Calle Mayor 1\\, Madrid" in text and "mailto:carla@example.com" in text


TODO = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VTODO\r
UID:todo-1\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Call Carla back\r
DUE;TZID=Europe/Madrid:20270105T170000\r
STATUS:{status}\r
END:VTODO\r
END:VCALENDAR\r
"""


def test_a_todo_is_a_task_and_completing_it_marks_it_done(rep_dav):
    from vinculo.activities.models import Activity

    assert rep_dav.put(rep_dav.calendar + "t.ics", TODO.format(status="NEEDS-ACTION"),
                       "text/calendar").status_code == 201
    task = Activity.objects.get()
    assert (task.kind, task.done) == ("task", False)
    assert task.due_at == dt.datetime(2027, 1, 5, 16, 0, tzinfo=dt.UTC)
    assert rep_dav.put(rep_dav.calendar + "t.ics", TODO.format(status="COMPLETED"),
                       "text/calendar", If_Match='"1"').status_code == 204
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    assert "STATUS:COMPLETED" in rep_dav.get(rep_dav.calendar + "t.ics").content.decode()


def test_calendar_query_by_time_range_and_component(rep_dav, rep):
    base = {"owner_id": rep.pk, "subject": "x"}
    inside = records.create("activities", {**base, "kind": "meeting", "duration_minutes": 60,
                                           "occurred_at": "2027-02-10T10:00:00Z"}, actor=rep)
    records.create("activities", {**base, "kind": "meeting", "duration_minutes": 60,
                                  "occurred_at": "2027-03-10T10:00:00Z"}, actor=rep)
    task = records.create("activities", {**base, "kind": "task",
                                         "due_at": "2027-02-11T10:00:00Z"}, actor=rep)
    records.create("activities", {**base, "kind": "note", "body": "n"}, actor=rep)
    query = ('<?xml version="1.0"?><cal:calendar-query xmlns:d="DAV:" '
             'xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>'
             '<cal:filter><cal:comp-filter name="VCALENDAR"><cal:comp-filter name="{comp}">'
             '<cal:time-range start="20270201T000000Z" end="20270301T000000Z"/>'
             "</cal:comp-filter></cal:comp-filter></cal:filter></cal:calendar-query>")
    events = multistatus(rep_dav.report(rep_dav.calendar, query.format(comp="VEVENT")))
    assert list(events) == [rep_dav.calendar + f"a-{inside.pk}.ics"]
    todos = multistatus(rep_dav.report(rep_dav.calendar, query.format(comp="VTODO")))
    assert list(todos) == [rep_dav.calendar + f"a-{task.pk}.ics"]


@pytest.mark.parametrize("body", [
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:garbage\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    b"hello",
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20270101T100000Z\r\n"
    b"RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
])
def test_unparseable_icalendar_gets_400(rep_dav, body):
    response = rep_dav.request("PUT", rep_dav.calendar + "bad.ics", body,
                               content_type="text/calendar")
    assert response.status_code == 400, response.content


def test_reserved_names_and_duplicate_uids_conflict(rep_dav, rep):
    assert rep_dav.put(rep_dav.book + "c-999.vcf", CARD.format(version="3.0", uid="u1", org=""),
                       "text/vcard").status_code == 409
    assert rep_dav.put(rep_dav.book + "one.vcf", CARD.format(version="3.0", uid="u1", org=""),
                       "text/vcard").status_code == 201
    assert rep_dav.put(rep_dav.book + "two.vcf", CARD.format(version="3.0", uid="u1", org=""),
                       "text/vcard").status_code == 409


def test_group_cards_are_refused_with_a_message(rep_dav):
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:g\r\nFN:Friends\r\nN:Friends;;;;\r\n"
            "X-ADDRESSBOOKSERVER-KIND:group\r\nEND:VCARD\r\n")
    response = rep_dav.put(rep_dav.book + "g.vcf", card, "text/vcard")
    assert response.status_code == 400 and b"groups" in response.content
