"""Columns: which record field a file's header names, and how a cell becomes a value.

Headers match case- and accent-insensitively, in English or Spanish, by API field name, by
the field's label, by common variants ("E-mail", "Correo electrónico", "Apellidos", "Móvil",
"Código postal") and by custom-field key or label. References to other records are given by
natural key: `account_name` / `account_domain`, `contact_email`, `parent_name`,
`product_sku`, and `owner` (a username or email address).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.platform import registry
from vinculo.platform.records import writable_fields

from . import countries
from .countries import fold

# Natural keys by which a file refers to records of another entity (contract §6).
REFERENCE_KEYS = {
    "accounts": ("name", "domain"),
    "contacts": ("email",),
    "products": ("sku",),
    "orders": ("number",),
}
USER_REFERENCE = "owner"
READ_ONLY_COLUMNS = ("id", "version", "created_at", "updated_at", "deleted_at", "full_name",
                     "phone_e164", "mobile_e164", "name_normalized")
ORDER_LINE_COLUMNS = ("product_sku", "quantity", "unit_price", "discount")
STRUCTURED = ("custom", "lines")
# Characters an export guards with a leading apostrophe (see exporting.guard_formula).
FORMULA_START = frozenset({"=", "+", "-", "@", "\t", "\r"})

ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "firstname", "given name", "forename", "nombre",
                   "nombre de pila"),
    "last_name": ("last name", "lastname", "surname", "family name", "apellido", "apellidos",
                  "primer apellido"),
    "full_name": ("name", "full name", "contact name", "contact", "display name",
                  "nombre completo", "nombre y apellidos", "contacto"),
    "email": ("email", "e mail", "email address", "e mail address", "mail", "correo",
              "correo electronico", "correo e", "email 1", "primary email",
              "direccion de correo", "direccion de correo electronico"),
    "phone": ("phone", "telephone", "tel", "phone number", "work phone", "business phone",
              "office phone", "telefono", "telefono fijo", "tfno", "tlf", "telefono trabajo"),
    "mobile": ("mobile", "mobile phone", "mobile number", "cell", "cell phone", "cellphone",
               "movil", "telefono movil", "celular", "numero de movil"),
    "title": ("title", "job title", "position", "job", "cargo", "puesto", "titulo",
              "puesto de trabajo"),
    "street": ("street", "address", "street address", "address line 1", "address 1", "calle",
               "direccion", "domicilio", "direccion postal"),
    "city": ("city", "town", "ciudad", "localidad", "municipio", "poblacion"),
    "region": ("region", "state", "province", "county", "state province", "provincia",
               "estado", "comunidad", "comunidad autonoma", "departamento"),
    "postal_code": ("postal code", "postcode", "post code", "zip", "zip code", "zipcode",
                    "codigo postal", "cp", "cod postal"),
    "country": ("country", "country code", "pais", "codigo de pais", "codigo pais"),
    "birthdate": ("birthdate", "birthday", "birth date", "date of birth", "dob",
                  "fecha de nacimiento", "cumpleanos", "nacimiento"),
    "lifecycle_stage": ("lifecycle stage", "lifecycle", "stage", "etapa",
                        "etapa del ciclo de vida", "ciclo de vida", "fase"),
    "preferred_channel": ("preferred channel", "channel", "canal preferido", "canal"),
    "email_opt_in": ("email opt in", "opt in", "optin", "newsletter", "subscribed",
                     "marketing consent", "email consent", "consentimiento", "acepta email",
                     "acepta comunicaciones", "suscrito", "acepta correos"),
    "email_opt_in_at": ("opt in date", "consent date", "fecha de consentimiento"),
    "email_opt_in_source": ("opt in source", "consent source", "origen del consentimiento"),
    "do_not_contact": ("do not contact", "dnc", "no contactar", "no llamar"),
    "description": ("description", "notes", "note", "comments", "descripcion", "notas",
                    "nota", "comentarios", "observaciones"),
    "tags": ("tags", "tag", "labels", "categories", "etiquetas", "etiqueta", "categorias"),
    "owner": ("owner", "owner username", "owner email", "assigned to", "account owner",
              "contact owner", "sales rep", "propietario", "responsable", "asignado a",
              "comercial"),
    "name": ("name", "company", "company name", "account name", "organization",
             "organisation", "product name", "nombre", "empresa", "razon social",
             "nombre de la empresa", "cuenta", "organizacion", "nombre del producto"),
    "domain": ("domain", "website domain", "email domain", "dominio"),
    "industry": ("industry", "sector", "industria", "actividad"),
    "website": ("website", "web", "url", "web site", "homepage", "sitio web", "pagina web"),
    "annual_revenue": ("annual revenue", "revenue", "facturacion", "ingresos",
                       "facturacion anual", "ingresos anuales"),
    "employees": ("employees", "number of employees", "headcount", "empleados",
                  "numero de empleados", "plantilla"),
    "parent_name": ("parent", "parent account", "parent company", "cuenta padre",
                    "empresa matriz", "matriz"),
    "parent_domain": ("parent domain", "dominio de la matriz"),
    "account_name": ("account", "account name", "company", "company name", "organization",
                     "organisation", "empresa", "cuenta", "compania", "organizacion",
                     "nombre de la empresa", "razon social"),
    "account_domain": ("account domain", "company domain", "domain", "dominio",
                       "dominio de la empresa"),
    "contact_email": ("contact email", "contact e mail", "email del contacto",
                      "correo del contacto", "email", "correo electronico"),
    "sku": ("sku", "product code", "code", "reference", "ref", "codigo", "referencia",
            "codigo de producto"),
    "unit_price": ("unit price", "price", "precio", "precio unitario", "pvp"),
    "currency": ("currency", "moneda", "divisa"),
    "active": ("active", "enabled", "activo"),
    "stock": ("stock", "inventory", "quantity in stock", "existencias", "inventario"),
    "kind": ("kind", "type", "activity type", "tipo", "tipo de actividad"),
    "subject": ("subject", "title", "summary", "asunto", "titulo", "resumen"),
    "body": ("body", "details", "description", "notes", "cuerpo", "detalle", "descripcion",
             "notas"),
    "direction": ("direction", "sentido"),
    "occurred_at": ("occurred at", "date", "when", "fecha", "cuando", "fecha y hora"),
    "due_at": ("due", "due at", "due date", "vencimiento", "fecha limite",
               "fecha de vencimiento"),
    "done": ("done", "completed", "hecho", "hecha", "completada", "realizada"),
    "duration_minutes": ("duration", "duration minutes", "minutes", "duracion", "minutos"),
    "outcome": ("outcome", "result", "resultado"),
    "number": ("number", "order number", "order no", "order", "numero", "numero de pedido",
               "pedido", "n pedido"),
    "status": ("status", "estado"),
    "ordered_at": ("ordered at", "order date", "date", "fecha", "fecha del pedido",
                   "fecha de pedido"),
    "total": ("total", "amount", "order total", "importe", "importe total"),
    "notes": ("notes", "comments", "notas", "observaciones", "comentarios"),
    "product_sku": ("product sku", "product", "producto", "sku del producto"),
    "quantity": ("quantity", "qty", "cantidad", "unidades"),
    "discount": ("discount", "descuento"),
}
# Choice values by other names people use, in English and Spanish (besides the labels).
CHOICE_ALIASES = {
    "subscriber": ("suscriptor", "suscriptora", "suscrito"),
    "lead": ("prospect", "prospecto", "cliente potencial", "potencial"),
    "customer": ("client", "cliente"),
    "evangelist": ("promoter", "advocate", "evangelista", "promotor", "embajador"),
    "other": ("otro", "otra", "otros"),
    "email": ("e mail", "correo", "correo electronico"),
    "phone": ("telephone", "call", "telefono", "llamada"),
    "social": ("social media", "redes sociales", "red social"),
    "mail": ("post", "postal mail", "correo postal", "carta"),
    "call": ("phone call", "llamada"),
    "meeting": ("reunion", "cita"),
    "note": ("nota",),
    "task": ("to do", "todo", "tarea"),
    "visit": ("visita",),
    "inbound": ("in", "incoming", "entrante", "recibida"),
    "outbound": ("out", "outgoing", "saliente", "enviada"),
    "draft": ("borrador",),
    "confirmed": ("confirmado", "confirmada"),
    "fulfilled": ("delivered", "shipped", "entregado", "entregada", "servido", "enviado"),
    "cancelled": ("canceled", "cancelado", "cancelada", "anulado", "anulada"),
}
COMMON_BOOLEANS = {"true": True, "false": False, "True": True, "False": False, "TRUE": True,
                   "FALSE": False, "1": True, "0": False, "yes": True, "no": False}
TRUE_WORDS = {"true", "1", "yes", "y", "si", "s", "on", "x", "verdadero", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "off", "falso", "f"}


class CellError(ValueError):
    """A cell that cannot become a value; the message says why, for the user."""


@dataclass(frozen=True)
class Target:
    kind: str  # field, custom, tags, reference, full_name, line, ignore
    name: str


@dataclass
class Column:
    header: str
    target: Target
    convert: Callable[[Any], Any]

    @property
    def plain_text(self) -> bool:
        """A text field whose text cells need nothing but trimming."""
        return self.target.kind == "field" and self.convert is text_value


@dataclass
class MappedRow:
    data: dict[str, Any] = field(default_factory=dict)
    references: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------- values


def text_value(value: Any) -> str:
    if isinstance(value, (list, dict, tuple)):
        raise CellError(_("Expected text, not a list or an object."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def bool_value(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    common = COMMON_BOOLEANS.get(value) if value.__class__ is str else None
    if common is not None:
        return common
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = fold(str(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Expected yes or no (true/false, sí/no), not '%(value)s'.")
                    % {"value": value})


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")


def date_value(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if "T" in text or (len(text) > 10 and text[4:5] == "-"):
        text = text[:10]
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Expected a date like 2024-03-31 or 31/03/2024, not '%(value)s'.")
                    % {"value": value})


def datetime_value(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
            for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M"):
                try:
                    moment = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
            if moment is None:
                moment = dt.datetime.combine(date_value(text), dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def decimal_value(value: Any) -> decimal.Decimal:
    if isinstance(value, bool):
        raise CellError(_("Expected a number."))
    if isinstance(value, (int, float, decimal.Decimal)):
        return decimal.Decimal(str(value))
    text = re.sub(r"[\s€$£]", "", str(value))
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise CellError(_("Expected a number, not '%(value)s'.") % {"value": value}) from None
    if not number.is_finite():
        raise CellError(_("Expected a number, not '%(value)s'.") % {"value": value})
    return number


def integer_value(value: Any) -> int:
    number = decimal_value(value)
    if number != number.to_integral_value():
        raise CellError(_("Expected a whole number, not '%(value)s'.") % {"value": value})
    return int(number)


def country_value(value: Any) -> str:
    code = countries.cached_code(text_value(value))
    if code is None:
        raise CellError(_("Unknown country '%(value)s': use a country name or an ISO code "
                          "like ES or MX.") % {"value": value})
    return code


def normalise_domain(text: str) -> str:
    """`https://www.Acme.example/about` -> `acme.example`."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip().lower())
    return text.split("/", 1)[0].removeprefix("www.")


def domain_value(value: Any) -> str:
    return normalise_domain(text_value(value))


def tags_value(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in re.split(r"[;,]", str(value)) if t.strip()]


def choice_converter(f: models.Field) -> Callable[[Any], str]:
    """Accept a choice by its value or its label, in English or Spanish."""
    table: dict[str, str] = {}
    for value, label in f.flatchoices:
        table[fold(str(value))] = value
        for language in ("en", "es"):
            with translation.override(language):
                table.setdefault(fold(str(label)), value)
        for alias in CHOICE_ALIASES.get(str(value), ()):
            table.setdefault(fold(alias), value)

    exact = {str(value): value for value, _label in f.flatchoices}

    def convert(cell: Any) -> str:
        found = exact.get(cell) if cell.__class__ is str else None
        if found is None:
            found = table.get(fold(text_value(cell)))
        if found is None:
            raise CellError(_("'%(value)s' is not one of: %(choices)s.") % {
                "value": cell, "choices": ", ".join(str(v) for v, _l in f.flatchoices if v)})
        return found

    return convert


def converter_for(f: models.Field) -> Callable[[Any], Any]:
    if f.choices:
        return choice_converter(f)
    if f.name == "country":
        return country_value
    if f.name == "domain":
        return domain_value
    if isinstance(f, models.BooleanField):
        return bool_value
    if isinstance(f, models.DateTimeField):
        return datetime_value
    if isinstance(f, models.DateField):
        return date_value
    if isinstance(f, models.DecimalField):
        return decimal_value
    if isinstance(f, (models.IntegerField, models.ForeignKey)):
        return integer_value
    if isinstance(f, (models.CharField, models.TextField)):
        return text_value
    return lambda value: value


def custom_converter(definition: Any) -> Callable[[Any], Any]:
    kind = definition.type
    if kind == "date":
        return lambda value: date_value(value).isoformat()
    if kind == "boolean":
        return bool_value
    if kind == "multi_choice":
        return lambda value: tags_value(value) if not isinstance(value, list) else value
    if kind in ("number", "decimal"):
        return lambda value: str(decimal_value(value))
    return lambda value: text_value(value) if not isinstance(value, (list, dict)) else value


# ---------------------------------------------------------------------------- headers


def references_of(entity: registry.Entity) -> dict[str, tuple[str, str, str]]:
    """Reference columns an entity accepts: column -> (foreign key attname, target entity,
    natural key). `owner` -> ("owner_id", "users", "username_or_email")."""
    found: dict[str, tuple[str, str, str]] = {}
    for key, f in writable_fields(entity.model).items():
        if not isinstance(f, models.ForeignKey):
            continue
        target = registry._by_model.get(f.related_model)
        if target is None:
            continue
        if target.name == "users":
            found[f.name] = (key, "users", "username_or_email")
            continue
        for natural in REFERENCE_KEYS.get(target.name, ()):
            found[f"{f.name}_{natural}"] = (key, target.name, natural)
    return found


def _targets(entity: registry.Entity, custom_defs: dict) -> dict[str, Target]:
    """Folded header -> target, most specific first: API names, custom fields, labels,
    then the variants of ALIASES."""
    fields = writable_fields(entity.model)
    references = references_of(entity)
    names: dict[str, Target] = {}
    for key in fields:
        if key != "custom":
            names[key] = Target("field", key)
    if any(f.name == "tags" for f in entity.model._meta.many_to_many):
        names["tags"] = Target("tags", "tags")
    for column in references:
        names[column] = Target("reference", column)
    if entity.name == "contacts":
        names["full_name"] = Target("full_name", "full_name")
    if entity.name == "orders":
        for column in ORDER_LINE_COLUMNS:
            names[column] = Target("line", column)
    table: dict[str, Target] = {}
    for name, target in names.items():
        table.setdefault(fold(name), target)
    for key, definition in custom_defs.items():
        target = Target("custom", key)
        for label in (f"custom.{key}", f"custom {key}", key, definition.label,
                      definition.label_es):
            if label:
                table.setdefault(fold(label), target)
    for key, f in fields.items():
        if key == "custom" or f.is_relation:  # "Account", "Cuenta": a name, by ALIASES
            continue
        for language in ("en", "es"):
            with translation.override(language):
                table.setdefault(fold(str(f.verbose_name)), names[key])
    for name, variants in ALIASES.items():
        target = names.get(name)
        if target is None:
            continue
        for variant in variants:
            table.setdefault(fold(variant), target)
    for column in READ_ONLY_COLUMNS:
        table.setdefault(fold(column), Target("ignore", column))
    return table


class Mapping:
    """A file's headers resolved once for an entity; `row()` turns cells into record data."""

    def __init__(self, entity: registry.Entity, custom_defs: dict):
        self.entity = entity
        self.custom_defs = custom_defs
        self.targets = _targets(entity, custom_defs)
        self.fields = writable_fields(entity.model)
        self.columns: dict[str, Column | None] = {}
        self.plain: dict[str, str] = {}  # header -> field, for cells taken as they are
        self.unknown: list[str] = []
        self.ignored: list[str] = []
        self.header_of: dict[str, str] = {}

    def column(self, header: str) -> Column | None:
        if header in self.columns:
            return self.columns[header]
        target = self.targets.get(fold(header)) if isinstance(header, str) else None
        column = None
        if target is None:
            self.unknown.append(str(header))
        elif target.kind == "ignore":
            self.ignored.append(header)
        else:
            convert = self._converter(target)
            if convert is not text_value and target.kind != "tags":
                convert = _remembering(convert)
            column = Column(header, target, convert)
            self.header_of.setdefault(self._error_key(target), header)
            if column.plain_text:
                self.plain[header] = target.name
        self.columns[header] = column
        return column

    def _converter(self, target: Target) -> Callable[[Any], Any]:
        if target.kind == "field":
            return converter_for(self.fields[target.name])
        if target.kind == "custom":
            return custom_converter(self.custom_defs[target.name])
        if target.kind == "tags":
            return tags_value
        if target.kind == "line":
            return text_value if target.name == "product_sku" else decimal_value
        return text_value

    def _error_key(self, target: Target) -> str:
        if target.kind == "custom":
            return f"custom.{target.name}"
        if target.kind == "reference":
            attname = references_of(self.entity)[target.name][0]
            return attname
        return target.name

    def header_for(self, field_name: str) -> str:
        """The file's column behind a pipeline error key, for messages users recognise."""
        return self.header_of.get(field_name, field_name)

    def row(self, values: dict[str, Any]) -> MappedRow:
        mapped = MappedRow()
        data, errors = mapped.data, mapped.errors
        columns, plain = self.columns, self.plain
        for header, value in values.items():
            if value.__class__ is str:
                value = value.strip()
                if not value:
                    continue
                if value[0] == "'" and value[1:2] in FORMULA_START:
                    value = value[1:]  # the apostrophe an export put before a formula character
                name = plain.get(header)
                if name is not None:
                    data[name] = value
                    continue
            elif value is None or value == [] or (
                    header in STRUCTURED and isinstance(value, (dict, list))):
                continue
            column = columns[header] if header in columns else self.column(header)
            if column is None:
                continue
            try:
                converted = column.convert(value)
            except CellError as exc:
                errors[header] = [str(exc)]
                continue
            except (TypeError, ValueError, decimal.InvalidOperation):
                errors[header] = [_("Invalid value '%(value)s'.") % {"value": value}]
                continue
            kind = column.target.kind
            if kind == "field":
                data[column.target.name] = converted
            elif kind == "custom":
                data.setdefault("custom", {})[column.target.name] = converted
            elif kind == "tags":
                data.setdefault("tags", []).extend(t for t in converted
                                                   if t not in data.get("tags", []))
            elif kind == "reference":
                mapped.references[column.target.name] = converted
            elif kind == "line":
                data.setdefault("_line", {})[column.target.name] = converted
            elif kind == "full_name":
                data.setdefault("_full_name", converted)
        self._structured(values, mapped)
        full = data.pop("_full_name", None)
        if full and not data.get("first_name") and not data.get("last_name"):
            first, _sep, last = full.partition(" ")
            data["first_name"], data["last_name"] = first, last.strip()
        return mapped

    def _structured(self, values: dict[str, Any], mapped: MappedRow) -> None:
        """JSON rows may carry `custom` as an object and an order's `lines` as a list."""
        custom = values.get("custom")
        if isinstance(custom, dict):
            mapped.data.setdefault("custom", {}).update(custom)
        lines = values.get("lines")
        if self.entity.name == "orders" and isinstance(lines, list):
            mapped.data["_lines"] = lines


_MISSING = object()
_IMMUTABLE = frozenset({str, int, bool, float, decimal.Decimal, dt.date, dt.datetime,
                        type(None)})
MAX_REMEMBERED = 20_000


def _remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` for a column, remembering the value each distinct text cell gave: a file
    repeats its countries, stages, yes/no answers and company names on many rows. Cells that
    fail are converted (and refused) every time."""
    memo: dict[str, Any] = {}

    def remembered(cell: Any) -> Any:
        if cell.__class__ is not str:
            return convert(cell)
        found = memo.get(cell, _MISSING)
        if found is _MISSING:
            found = convert(cell)
            if found.__class__ in _IMMUTABLE and len(memo) < MAX_REMEMBERED:
                memo[cell] = found
        return found

    return remembered


def prepare_headers(mapping: Mapping, headers: list[str]) -> None:
    for header in headers:
        if header not in STRUCTURED:
            mapping.column(header)
