"""The Spanish interface: a complete catalog whose placeholders match the English, compiled
up to date, and key pages that speak Spanish to a browser that asks for it."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from vinculo.platform import records

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"

# printf-style (%(name)s, %s, %d, %.1f, %%) and str.format-style ({name}, {0}, {}) placeholders.
PRINTF = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
BRACES = re.compile(r"\{\w*\}")
# HTML markup that a translation must carry over; "<field>" or "<key>" in prose are words.
TAG = re.compile(r"</?(?:a|b|br|code|em|i|kbd|p|span|strong)\b[^>]*>|&[a-z]+;")


def markers(text: str) -> Counter:
    return Counter(PRINTF.findall(text) + BRACES.findall(text) + TAG.findall(text))


@pytest.fixture(scope="module")
def catalog() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


def test_the_catalog_header_is_spanish_with_two_plural_forms(catalog):
    assert catalog.metadata["Language"] == "es"
    assert catalog.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not catalog.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    entries = [e for e in catalog if not e.obsolete]
    assert len(entries) > 500
    untranslated = [describe(e) for e in catalog.untranslated_entries()]
    fuzzy = [describe(e) for e in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], describe(entry)
            assert all(text.strip() for text in entry.msgstr_plural.values()), describe(entry)
        else:
            assert entry.msgstr.strip(), describe(entry)


def test_placeholders_and_markup_match_between_english_and_spanish(catalog):
    wrong = []
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            singular, plural = markers(entry.msgid), markers(entry.msgid_plural)
            if markers(entry.msgstr_plural[0]) not in (singular, plural):
                wrong.append(describe(entry) + " [0]")
            if markers(entry.msgstr_plural[1]) != plural:
                wrong.append(describe(entry) + " [1]")
        elif markers(entry.msgstr) != markers(entry.msgid):
            wrong.append(f"{describe(entry)} -> {entry.msgstr!r}")
    assert wrong == []


def test_the_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    assert markers("Hello, %(name)s") == markers("Hola, %(name)s")
    assert markers("Hello, %(name)s") != markers("Hola, %(nombre)s")
    assert markers("%(n)d%% done, <code>x</code>") != markers("%(n)d hecho, <code>x</code>")
    assert markers("use sum:<field>") == markers("usa sum:<campo>")


def test_the_compiled_catalog_is_up_to_date_with_the_po_file(catalog, tmp_path):
    fresh = tmp_path / "django.mo"
    catalog.save_as_mofile(str(fresh))
    with MO_PATH.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    # The header ("" key) differs with the compiler; the messages must not.
    stale = {key for key in compiled_catalog.keys() | committed_catalog.keys()
             if key != "" and compiled_catalog.get(key) != committed_catalog.get(key)}
    assert stale == set(), "run `make messages` to compile the catalog again"


# ---------------------------------------------------------------------------- pages


class VisibleText(HTMLParser):
    """The text a user reads: text nodes and the labels in placeholder/aria-label/title."""

    ATTRIBUTES = {"placeholder", "aria-label", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value and value.strip():
                self.texts.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert b'<html lang="es"' in response.content, path
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser.texts


def spanish_browser(user=None) -> Client:
    client = Client(headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    if user is not None:
        client.force_login(user)
    return client


def assert_speaks_spanish(texts: list[str], spanish: list[str], english: list[str]) -> None:
    missing = [text for text in spanish if text not in texts]
    leftover = [text for text in english if text in texts]
    assert missing == [], texts
    assert leftover == [], texts


@pytest.fixture
def a_contact(admin):
    account = records.create("accounts", {"name": "Acme Ibérica"}, actor=admin, source="test")
    return records.create("contacts", {"first_name": "Lucía", "last_name": "Núñez",
                                       "email": "lucia@example.com", "account_id": account.pk},
                          actor=admin, source="test")


@pytest.mark.django_db
def test_the_login_page_in_spanish():
    texts = visible_texts(spanish_browser(), "/login/")
    assert_speaks_spanish(
        texts,
        spanish=["Iniciar sesión", "Nombre de usuario", "Contraseña", "Un CRM de código abierto"],
        english=["Sign in", "Username", "Password", "An open-source CRM",
                 "Welcome back. Sign in to your CRM."])


def test_the_contacts_list_in_spanish(admin, a_contact):
    texts = visible_texts(spanish_browser(admin), "/contacts/")
    assert_speaks_spanish(
        texts,
        spanish=["Contactos", "Cuentas", "Panel", "Crear contacto", "Buscar contactos…",
                 "Filtro", "Columnas", "Vistas guardadas", "Papelera", "Nombre", "Lucía Núñez"],
        english=["Contacts", "Accounts", "Dashboard", "New contact", "Search contacts…",
                 "Filter", "Columns", "Saved views", "Recycle bin", "Name", "Save view",
                 "Next", "Previous", "Sign out"])


def test_the_contact_form_in_spanish(admin):
    texts = visible_texts(spanish_browser(admin), "/contacts/new/")
    assert_speaks_spanish(
        texts,
        spanish=["Crear contacto", "Nombre", "Apellidos", "Correo electrónico", "Móvil",
                 "Cargo", "Cuenta", "Etapa del ciclo de vida", "Canal preferido", "Etiquetas",
                 "Cancelar"],
        english=["New contact", "Create contact", "First name", "Last name", "Email",
                 "Mobile", "Job title", "Account", "Lifecycle stage", "Preferred channel",
                 "Tags", "Cancel", "Subscriber", "Customer"])


def test_a_contact_page_in_spanish(admin, a_contact):
    texts = visible_texts(spanish_browser(admin), f"/contacts/{a_contact.pk}/")
    assert_speaks_spanish(
        texts,
        spanish=["Cronología", "Historial", "Editar", "Propietario", "Añadir a la cronología"],
        english=["Timeline", "History", "Edit", "Owner", "Add to timeline", "Load more"])


def test_the_settings_in_spanish(admin):
    texts = visible_texts(spanish_browser(admin), "/settings/")
    assert_speaks_spanish(
        texts,
        spanish=["Configuración", "Usuarios", "Equipos", "Roles", "Campos personalizados",
                 "Tokens de API"],
        english=["Settings", "Users", "Teams", "Custom fields", "API tokens",
                 "Administration"])


def test_the_same_pages_stay_english_for_an_english_browser(admin):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    html = client.get("/contacts/new/").content.decode()
    assert "First name" in html and "Apellidos" not in html


def test_translatable_strings_use_names_that_makemessages_finds():
    """`makemessages` extracts `_`, `gettext`, `gettext_lazy`, … but not other aliases: a
    string marked with `_l(...)` would silently stay in English."""
    source = Path(__file__).resolve().parent.parent / "src" / "vinculo"
    alias = re.compile(r"import (?:gettext|gettext_lazy|ngettext|ngettext_lazy) as (?!_\b)(\w+)")
    found = [f"{path.relative_to(source)}: {match.group(1)}"
             for path in source.rglob("*.py") for match in alias.finditer(path.read_text())]
    assert found == []
