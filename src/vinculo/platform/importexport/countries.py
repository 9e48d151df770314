"""Country names in English and Spanish (and ISO codes) to ISO 3166 alpha-2.

The names come from the locale data that ships with `phonenumbers`, plus the short and
colloquial forms people type in spreadsheets ("USA", "EE. UU.", "UK", "Inglaterra").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from phonenumbers.geodata.locale import LOCALE_DATA

from vinculo.platform.validators import COUNTRY_CODES

ALIASES = {
    "US": ["usa", "u s a", "us", "u s", "united states of america", "america", "eeuu", "ee uu",
           "estados unidos de america"],
    "GB": ["uk", "u k", "great britain", "britain", "england", "scotland", "wales",
           "gran bretana", "inglaterra", "escocia", "gales"],
    "NL": ["holland", "the netherlands", "paises bajos"],
    "MX": ["estados unidos mexicanos"],
    "KR": ["south korea", "korea", "corea del sur"],
    "RU": ["russian federation"],
    "CZ": ["czech republic", "czechia", "republica checa", "chequia"],
    "DO": ["republica dominicana"],
    "CI": ["ivory coast", "costa de marfil"],
    "BO": ["bolivia"],
    "VE": ["venezuela"],
}
ALPHA3 = {
    "ESP": "ES", "MEX": "MX", "COL": "CO", "ARG": "AR", "PER": "PE", "CHL": "CL", "USA": "US",
    "GBR": "GB", "DEU": "DE", "FRA": "FR", "ITA": "IT", "PRT": "PT", "BRA": "BR", "CAN": "CA",
    "ECU": "EC", "URY": "UY", "PRY": "PY", "BOL": "BO", "VEN": "VE", "CRI": "CR", "PAN": "PA",
    "GTM": "GT", "HND": "HN", "SLV": "SV", "NIC": "NI", "DOM": "DO", "CUB": "CU", "IRL": "IE",
    "NLD": "NL", "BEL": "BE", "CHE": "CH", "AUT": "AT", "CHN": "CN", "JPN": "JP", "IND": "IN",
}


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: "EE. UU." -> "ee uu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _name(region: str, language: str) -> str | None:
    names = LOCALE_DATA.get(region, {})
    value = names.get(language)
    for _hop in range(3):
        if not value or not value.startswith("*"):
            break
        value = names.get(value[1:])
    return value


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for region in LOCALE_DATA:
        if region not in COUNTRY_CODES:
            continue
        for language in ("aa", "en", "es"):
            name = _name(region, language)
            if name:
                table.setdefault(fold(name), region)
    for region, names in ALIASES.items():
        for name in names:
            table[fold(name)] = region
    return table


def to_code(text: str) -> str | None:
    """The alpha-2 code for a code or a name; None when it is not a country we know."""
    raw = (text or "").strip()
    if not raw:
        return ""
    upper = raw.upper()
    if len(upper) == 2 and upper in COUNTRY_CODES:
        return upper
    if len(upper) == 3 and upper in ALPHA3:
        return ALPHA3[upper]
    return _table().get(fold(raw))


@lru_cache(maxsize=4096)
def cached_code(text: str) -> str | None:
    return to_code(text)


def name(code: str, language: str = "en") -> str:
    return _name(code, "es" if language.startswith("es") else "aa") or code
