import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vinculo.platform.importexport.commands import actor_for
from vinculo.platform.importexport.importing import ImportRefused, Report, importable_names
from vinculo.platform.importexport.readers import FORMATS, FileError
from vinculo.platform.importexport.services import import_file

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = ("Import records from a CSV, XLSX, JSON (or JSON Lines) or vCard file through the "
            "write pipeline, with progress and a summary of what was created, updated, skipped "
            "and refused (with line numbers).")

    def add_arguments(self, parser):
        parser.add_argument("entity", help="what the file holds: " + ", ".join(
            ("accounts", "activities", "contacts", "orders", "products")))
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the extension")
        parser.add_argument("--dedupe", default="",
                            help="update existing records with the same key (contacts: email)")
        parser.add_argument("--as", dest="username", default="",
                            help="the user the records are imported as (default: the first "
                                 "administrator)")

    def handle(self, *args, **opts):
        actor = actor_for(opts["username"])
        if opts["entity"] not in importable_names():
            raise CommandError(_("'%(entity)s' cannot be imported. Choose one of: %(names)s.")
                               % {"entity": opts["entity"],
                                  "names": ", ".join(importable_names())})
        progress = Progress(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        try:
            report = import_file(user=actor, entity=opts["entity"], path=opts["file"],
                                 fmt=opts["format"], dedupe=opts["dedupe"],
                                 on_progress=progress.show)
        except FileNotFoundError:
            raise CommandError(_("No such file: %(path)s") % {"path": opts["file"]}) from None
        except (FileError, ImportRefused) as exc:
            raise CommandError(str(exc)) from None
        progress.end()
        self.summary(report)

    def summary(self, report: Report) -> None:
        write = self.stdout.write
        write(_("Created: %(created)d  Updated: %(updated)d  Skipped: %(skipped)d  "
                "Errors: %(errors)d") % {"created": report.created, "updated": report.updated,
                                         "skipped": report.skipped,
                                         "errors": report.error_count})
        for note in report.notes:
            write(_("Note: %(note)s") % {"note": note})
        if report.unknown_columns:
            write(_("Columns not imported (unknown): %(columns)s")
                  % {"columns": ", ".join(report.unknown_columns)})
        if report.ignored_columns:
            write(_("Columns ignored (set by Vínculo): %(columns)s")
                  % {"columns": ", ".join(report.ignored_columns)})
        for error in report.errors[:SHOWN_ERRORS]:
            where = _("row %(row)d") % {"row": error["row"]}
            if error["column"]:
                where += f" ({error['column']})"
            write(f"  {where}: {error['message']}")
        hidden = len(report.errors) - SHOWN_ERRORS
        if hidden > 0 or report.error_count > len(report.errors):
            write(_("  … and more errors not shown."))


class Progress:
    """A progress line on the terminal (redrawn in place), or one line per tenth elsewhere."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last = -1

    def show(self, report: Report) -> None:
        total = report.total or 0
        percent = int(report.done * 100 / total) if total else 0
        step = percent if self.tty else percent // 10 * 10
        if step == self.last:
            return
        self.last = step
        line = _("%(done)d / %(total)d rows (%(percent)d%%)") % {
            "done": report.done, "total": total, "percent": percent}
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")
