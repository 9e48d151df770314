from django.core.management.base import BaseCommand, CommandError

from vinculo.service.mail import services
from vinculo.service.mail.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new e-mail from the mailboxes now (all active ones, or one) into cases."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", type=int, help="Only this mailbox (its id).")

    def handle(self, *args, mailbox=None, **options) -> None:
        boxes = Mailbox.objects.filter(active=True).order_by("id")
        if mailbox is not None:
            boxes = Mailbox.objects.filter(pk=mailbox)
            if not boxes.exists():
                raise CommandError(f"No mailbox {mailbox}.")
        failed = False
        for box in boxes:
            result = services.fetch(box)
            if result.busy:
                self.stdout.write(f"{box.name}: already being fetched by another worker")
            elif result.error:
                failed = True
                self.stderr.write(f"{box.name}: {result.error}")
            else:
                self.stdout.write(
                    f"{box.name}: {len(result.created)} new cases, {len(result.added)} replies, "
                    f"{result.ignored} ignored, {result.failed} unreadable, "
                    f"{result.duplicates} already fetched")
        if failed:
            raise CommandError("Some mailboxes could not be fetched.")
