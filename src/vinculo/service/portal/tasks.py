"""Background work of the portal: sending a sign-in link (off the request, so that answering
takes the same time whether the address is known or not)."""

import logging

from django.tasks import task

from vinculo.customers.models import Contact

logger = logging.getLogger(__name__)


@task()
def send_sign_in_link(contact_id: int, language: str, ip: str | None) -> None:
    from . import services

    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or not contact.email:
        return
    try:
        services.send_link(contact, language, ip)
    except OSError:
        logger.warning("Portal sign-in link for contact %s not sent", contact_id, exc_info=True)
