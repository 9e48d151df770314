"""Streaming readers: a file in, rows out, one at a time, each with the number a user can find.

CSV rows are numbered by their line in the file, XLSX rows by their row in the sheet, JSON
items and vCards by their position (1 = the first). A row that cannot be read (broken quoting,
a wrong number of values) comes out with its error, and reading goes on with the next one;
only a file that cannot be read at all raises `FileError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx", "json", "jsonl", "vcf")
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".vcf": "vcf", ".vcard": "vcf",
}
CHUNK = 1 << 20

Opener = Callable[[], IO[bytes]]


class FileError(Exception):
    """The file as a whole cannot be read (wrong format, malformed, empty)."""


@dataclass
class RawRow:
    number: int
    values: dict[str, Any] | None
    error: str | None = None


@dataclass
class Reader:
    """Base of the readers: `rows()` streams, `count()` says how many rows to expect."""

    open: Opener
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[RawRow]:
        raise NotImplementedError

    def count(self) -> int | None:
        return sum(1 for _row in self.rows())


def format_for(name: str) -> str | None:
    """The format a file name's extension says, or None."""
    lowered = name.lower()
    for extension, fmt in EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def check_content(fmt: str, head: bytes) -> None:
    """Refuse a file whose first bytes do not look like `fmt` (a renamed binary, say)."""
    if not head.strip():
        raise FileError(_("The file is empty."))
    if fmt == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise FileError(_("The file is not an Excel workbook (.xlsx)."))
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if b"\x00" in head:
        raise FileError(_("The file is not a text file: a %(format)s file was expected.")
                        % {"format": fmt.upper()})
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if fmt == "json" and not text.startswith((b"[", b"{")):
        raise FileError(_("The file is not JSON: it should start with [ or {."))
    if fmt == "jsonl" and not text.startswith(b"{"):
        raise FileError(_("The file is not JSON Lines: each line should be an object."))
    if fmt == "vcf" and b"BEGIN:VCARD" not in text[:4096].upper():
        raise FileError(_("The file is not a vCard file: no BEGIN:VCARD found."))


def reader_for(fmt: str, opener: Opener) -> Reader:
    readers: dict[str, type[Reader]] = {"csv": CsvReader, "xlsx": XlsxReader,
                                        "json": JsonReader, "jsonl": JsonLinesReader,
                                        "vcf": VcardReader}
    if fmt not in readers:
        raise FileError(_("Unknown format '%(format)s'.") % {"format": fmt})
    return readers[fmt](opener)


# ---------------------------------------------------------------------------- text


def detect_encoding(opener: Opener) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM) when the whole file decodes as such; else Windows-1252,
    or Latin-1 for bytes Windows-1252 leaves undefined, with a note saying so."""
    with opener() as raw:
        head = raw.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", None
        raw.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        legacy = codecs.getincrementaldecoder("cp1252")()
        utf8, cp1252 = True, True
        while chunk := raw.read(CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if cp1252:
                try:
                    legacy.decode(chunk)
                except UnicodeDecodeError:
                    cp1252 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
                return "utf-8", None
            except UnicodeDecodeError:
                pass
    if cp1252:
        return "cp1252", _("The file is not UTF-8; it was read as Windows-1252 (Western "
                           "European). Check that accented letters look right.")
    return "latin-1", _("The file is not UTF-8; it was read as Latin-1. Check that accented "
                        "letters look right.")


@contextmanager
def open_text(opener: Opener, encoding: str) -> Iterator[io.TextIOWrapper]:
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            yield text
        finally:
            text.detach()


class TextReader(Reader):
    def __init__(self, opener: Opener):
        super().__init__(opener)
        self.encoding, note = detect_encoding(opener)
        if note:
            self.notes.append(note)


# ---------------------------------------------------------------------------- CSV


class _Lines:
    """Physical lines fed to `csv.reader`, remembering which ones the current record used
    and able to put lines back to read them again."""

    def __init__(self, lines: Iterator[str]):
        self.source = enumerate(lines, 1)
        self.pending: deque[tuple[int, str]] = deque()
        self.used: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        item = self.pending.popleft() if self.pending else next(self.source)
        self.used.append(item)
        return item[1]

    def put_back_all_but_first(self) -> int:
        first, rest = self.used[0], self.used[1:]
        self.pending.extendleft(reversed(rest))
        return first[0]


class CsvReader(TextReader):
    """Comma- or semicolon-separated (or tab), sniffed from the header line."""

    def __init__(self, opener: Opener):
        super().__init__(opener)
        self.headers: list[str] = []
        self.delimiter = self._sniff()

    def _sniff(self) -> str:
        with open_text(self.open, self.encoding) as text:
            first = ""
            for line in text:
                if line.strip():
                    first = line
                    break
        if not first:
            raise FileError(_("The file is empty."))
        best, width = ",", 0
        for candidate in (",", ";", "\t", "|"):
            try:
                names = next(csv.reader([first], delimiter=candidate))
            except csv.Error:
                continue
            if len(names) > width:
                best, width, self.headers = candidate, len(names), [n.strip() for n in names]
        return best

    def count(self) -> int | None:
        """Lines after the header: exact unless values span lines (the report corrects it)."""
        lines, last = 0, b""
        with self.open() as raw:
            while chunk := raw.read(CHUNK):
                lines += chunk.count(b"\n")
                last = chunk
        if last and not last.endswith(b"\n"):
            lines += 1
        return max(lines - 1, 0)

    def rows(self) -> Iterator[RawRow]:
        with open_text(self.open, self.encoding) as text:
            yield from self._records(_Lines(text))

    def _records(self, lines: _Lines) -> Iterator[RawRow]:
        reader = csv.reader(lines, delimiter=self.delimiter)
        headers: list[str] | None = None
        while True:
            lines.used = []
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if not lines.used:
                    break
                number = lines.put_back_all_but_first()
                reader = csv.reader(lines, delimiter=self.delimiter)
                yield RawRow(number, None, _("This line cannot be read: %(error)s.")
                             % {"error": exc})
                continue
            number = lines.used[0][0]
            if not "".join(values).strip():
                continue
            if headers is None:
                headers = self.headers = [h.strip() for h in values]
                continue
            if len(values) != len(headers):
                if len(lines.used) > 1:
                    # A quotation mark left open swallowed the following lines: report this
                    # line and read the others again on their own.
                    lines.put_back_all_but_first()
                    reader = csv.reader(lines, delimiter=self.delimiter)
                    yield RawRow(number, None, _("A quotation mark is not closed on this line."))
                    continue
                yield RawRow(number, None, _("This line has %(found)d values; the header has "
                                             "%(expected)d.") % {"found": len(values),
                                                                 "expected": len(headers)})
                continue
            yield RawRow(number, dict(zip(headers, values, strict=True)))
        if headers is None:
            raise FileError(_("The file has no header line."))


# ---------------------------------------------------------------------------- XLSX


class XlsxReader(Reader):
    """The first sheet of a workbook; its first non-empty row names the columns."""

    def __init__(self, opener: Opener):
        super().__init__(opener)
        self.headers: list[str] = []

    @contextmanager
    def _sheet(self):
        import openpyxl

        with self.open() as raw:
            try:
                book = openpyxl.load_workbook(raw, read_only=True, data_only=True)
            except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
                raise FileError(_("The file is not a valid Excel workbook (.xlsx).")) from exc
            try:
                if not book.worksheets:
                    raise FileError(_("The workbook has no sheet."))
                yield book.worksheets[0]
            finally:
                book.close()

    def count(self) -> int | None:
        with self._sheet() as sheet:
            rows = sheet.max_row
        return max(rows - 1, 0) if rows else super().count()

    def rows(self) -> Iterator[RawRow]:
        with self._sheet() as sheet:
            headers: list[str] | None = None
            try:
                for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
                    if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                        continue
                    if headers is None:
                        headers = self.headers = [str(c).strip() if c is not None else ""
                                                  for c in cells]
                        while headers and not headers[-1]:
                            headers.pop()
                        continue
                    values = list(cells[: len(headers)])
                    if any(c not in (None, "") for c in cells[len(headers):]):
                        yield RawRow(number, None, _("This row has values beyond the last "
                                                     "named column."))
                        continue
                    values += [None] * (len(headers) - len(values))
                    yield RawRow(number, dict(zip(headers, values, strict=True)))
            except (zipfile.BadZipFile, KeyError, ValueError) as exc:
                raise FileError(_("The workbook is damaged: %(error)s") % {"error": exc}) from exc
            if headers is None:
                raise FileError(_("The sheet is empty."))


# ---------------------------------------------------------------------------- JSON


class JsonReader(TextReader):
    """An array of objects (read item by item), or an object with such an array in
    "items"; a file of one object per line is read as JSON Lines."""

    def rows(self) -> Iterator[RawRow]:
        with open_text(self.open, self.encoding) as text:
            first = _first_char(text)
            if first == "[":
                yield from _array_items(text)
                return
            if first != "{":
                raise FileError(_("The file is not JSON: it should start with [ or {."))
            line = first + text.readline()
            try:
                json.loads(line)
                lines_mode = True
            except json.JSONDecodeError:
                lines_mode = False
        if lines_mode:
            yield from JsonLinesReader(self.open, encoding=self.encoding).rows()
            return
        with open_text(self.open, self.encoding) as text:
            try:
                document = json.load(text)
            except json.JSONDecodeError as exc:
                raise FileError(_("The JSON is malformed at line %(line)d, column %(col)d: "
                                  "%(msg)s.") % {"line": exc.lineno, "col": exc.colno,
                                                 "msg": exc.msg}) from exc
        items = document.get("items") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise FileError(_("Expected an array of objects, or an object with an "
                              "\"items\" array."))
        for number, item in enumerate(items, 1):
            yield _item(number, item)


def _first_char(text: io.TextIOWrapper) -> str:
    while True:
        char = text.read(1)
        if not char:
            raise FileError(_("The file is empty."))
        if not char.isspace():
            return char


def _item(number: int, item: Any) -> RawRow:
    if not isinstance(item, dict):
        return RawRow(number, None, _("Expected an object."))
    return RawRow(number, item)


def _array_items(text: io.TextIOWrapper) -> Iterator[RawRow]:
    """The items of a JSON array after its "[", decoded one at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    buffer, pos, number, eof = "", 0, 0, False
    expect_item = True

    def fail(message: str) -> FileError:
        return FileError(_("The JSON is malformed after item %(n)d: %(msg)s.")
                         % {"n": number, "msg": message})

    while True:
        while pos < len(buffer) and buffer[pos] in " \t\r\n":
            pos += 1
        if pos >= len(buffer):
            if eof:
                raise fail(_("the array is not closed"))
            chunk = text.read(CHUNK)
            buffer, pos, eof = buffer[pos:] + chunk, 0, not chunk
            continue
        char = buffer[pos]
        if char == "]":
            if expect_item and number:
                raise fail(_("a comma before ]"))
            rest = buffer[pos + 1 :] + text.read()
            if rest.strip():
                raise fail(_("text after the closing ]"))
            return
        if not expect_item:
            if char != ",":
                raise fail(_("a comma is missing"))
            pos += 1
            expect_item = True
            continue
        try:
            item, end = decoder.raw_decode(buffer, pos)
        except json.JSONDecodeError as exc:
            if eof:
                raise fail(exc.msg) from exc
            chunk = text.read(CHUNK)
            buffer, pos, eof = buffer[pos:] + chunk, 0, not chunk
            continue
        if end >= len(buffer) and not eof:
            # A number or literal may go on in the next chunk: read more and decode again.
            chunk = text.read(CHUNK)
            buffer, pos, eof = buffer[pos:] + chunk, 0, not chunk
            continue
        number += 1
        pos = end
        expect_item = False
        yield _item(number, item)


class JsonLinesReader(TextReader):
    """One JSON object per line; a line that is not one is reported and skipped."""

    def __init__(self, opener: Opener, encoding: str | None = None):
        if encoding is None:
            super().__init__(opener)
        else:
            Reader.__init__(self, opener)
            self.encoding = encoding

    def rows(self) -> Iterator[RawRow]:
        with open_text(self.open, self.encoding) as text:
            for number, line in enumerate(text, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield RawRow(number, None, _("This line is not valid JSON: %(msg)s.")
                                 % {"msg": exc.msg})
                    continue
                yield _item(number, item)


# ---------------------------------------------------------------------------- vCard


class VcardReader(TextReader):
    """vCard 3.0 and 4.0 contacts, as rows keyed by contact field names."""

    def rows(self) -> Iterator[RawRow]:
        from .vcard import card_values, read_cards

        with open_text(self.open, self.encoding) as text:
            for number, card, error in read_cards(text):
                if error:
                    yield RawRow(number, None, error)
                else:
                    yield RawRow(number, card_values(card))
