"""An e-mail campaign in a real browser (system Chromium through Playwright): write a template
with the form, preview it for one recipient, send a test, send the campaign to the list over a
real SMTP server, and unsubscribe from the link of a received message."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import desktop, fast_password_hashing, sign_in  # noqa: E402, F401

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_template_preview_test_send_campaign_and_unsubscribe(live_server, settings, smtp,
                                                             rep, campaign, people, desktop):  # noqa: F811
    from vinculo.customers.models import Contact
    from vinculo.marketing.emails.models import EmailCampaign, EmailTemplate

    settings.VINCULO_SITE_URL = live_server.url
    page = desktop
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    sign_in(page, base, rep.username)

    # a template written with the form
    page.goto(f"{base}/email-campaign-templates/new/")
    page.fill("[name=name]", "Autumn offer")
    page.fill("[name=subject_en]", 'Autumn news for {{ first_name | "you" }}')
    page.fill("[name=html_en]", '<p>Dear {{ first_name | "customer" }}, see our offer.</p>')
    page.click("form[data-record-form] button[type=submit]")
    expect(page.get_by_role("heading", name="Autumn offer")).to_be_visible()
    assert EmailTemplate.objects.filter(name="Autumn offer").exists()

    # the campaign: preview for one recipient, escaped
    page.goto(f"{base}/email-campaigns/{campaign['id']}/")
    page.click("[data-action=preview]")
    expect(page.locator("body")).to_contain_text("Hi there")
    page.goto(f"{base}/email-campaigns/{campaign['id']}/preview/"
              f"?contact_id={people['evil'].pk}")
    expect(page.locator("body")).to_contain_text("<script>x</script>")  # shown as text

    # a test message, then the real sending
    page.goto(f"{base}/email-campaigns/{campaign['id']}/")
    page.fill("[data-email-actions] input[name=to]", "me@example.com")
    page.click("[data-action=test]")
    expect(page.locator("body")).to_contain_text("me@example.com")
    assert [to for _s, to, _m in smtp.messages] == [["me@example.com"]]
    page.click("[data-action=schedule]")
    expect(page.locator("[data-action=schedule]")).to_have_count(0)
    ec = EmailCampaign.objects.get(pk=campaign["id"])
    assert ec.status == "sent" and ec.excluded_count == 2
    got = {to[0]: message for _s, to, message in smtp.messages[1:]}
    assert set(got) == {"lucia@example.com", "noname@example.com", "evil@example.com"}
    assert got["lucia@example.com"]["Subject"] == "Hello Lucía"

    # the recipient unsubscribes from the link in the message's headers
    link = re.search(r"<(http[^>]+/u/[^>]+)>", got["lucia@example.com"]["List-Unsubscribe"])
    page.goto(link.group(1))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    assert Contact.objects.get(pk=people["lucia"].pk).email_opt_in is False
    page.goto(link.group(1))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Already unsubscribed")).to_be_visible()
    assert errors == []
