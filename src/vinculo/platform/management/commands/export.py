import io
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vinculo.platform.filters import FilterError
from vinculo.platform.importexport import exporting
from vinculo.platform.importexport.commands import actor_for
from vinculo.platform.importexport.readers import format_for

TEXT_FORMATS = ("csv", "json", "jsonl", "vcf")


class Command(BaseCommand):
    help = ("Export the records a user may see, optionally filtered, as CSV, XLSX, JSON (or "
            "JSON Lines) or vCard, to a file or to standard output.")

    def add_arguments(self, parser):
        parser.add_argument("entity")
        parser.add_argument("--filter", default="", help="a filter in the JSON filter language")
        parser.add_argument("--format", choices=exporting.FORMATS,
                            help="default: from the -o file's extension, else csv")
        parser.add_argument("-o", "--output", default="", help="file to write (default: stdout)")
        parser.add_argument("--as", dest="username", default="",
                            help="export what this user may see (default: the first "
                                 "administrator)")

    def handle(self, *args, **opts):
        actor = actor_for(opts["username"])
        fmt = opts["format"] or (format_for(opts["output"]) if opts["output"] else None) or "csv"
        try:
            node = json.loads(opts["filter"]) if opts["filter"] else None
        except json.JSONDecodeError as exc:
            raise CommandError(_("The filter is not valid JSON: %(error)s") % {"error": exc}
                               ) from None
        if not opts["output"] and fmt not in TEXT_FORMATS:
            raise CommandError(_("%(format)s is not text: write it to a file with -o.")
                               % {"format": fmt})
        try:
            exporting.check_request(opts["entity"], fmt)
            if opts["output"]:
                with open(opts["output"], "wb") as out:
                    count = exporting.export(actor, opts["entity"], fmt, out, node=node)
                self.stderr.write(_("%(n)d records written to %(path)s.")
                                  % {"n": count, "path": opts["output"]})
            else:
                self._to_stdout(actor, opts["entity"], fmt, node)
        except exporting.ExportRefused as exc:
            raise CommandError(str(exc)) from None
        except FilterError as exc:
            where = ".".join(str(p) for p in exc.loc)
            raise CommandError(_("Bad filter at %(where)s: %(message)s")
                               % {"where": where, "message": exc.message}) from None

    def _to_stdout(self, actor, entity: str, fmt: str, node) -> None:
        target = getattr(self.stdout, "_out", sys.stdout)
        if hasattr(target, "buffer"):
            exporting.export(actor, entity, fmt, target.buffer, node=node, bom=False)
            target.buffer.flush()
            return
        buffer = io.BytesIO()
        exporting.export(actor, entity, fmt, buffer, node=node, bom=False)
        self.stdout.write(buffer.getvalue().decode("utf-8"), ending="")
