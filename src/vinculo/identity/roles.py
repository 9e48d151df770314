"""The built-in roles (contract §1). Scopes per entity and action; "*" is the default."""

OWN = {"view": "own", "create": "all", "change": "own", "delete": "own"}
TEAM = {"view": "team", "create": "all", "change": "team", "delete": "team"}
READ_ALL = {"view": "all", "create": "none", "change": "none", "delete": "none"}
CATALOGUE = {"view": "all", "create": "none", "change": "none", "delete": "none"}
# What every user reads and only administrators change (managers also set their quotas).
SHARED_SETUP = {name: CATALOGUE for name in ("products", "price-lists", "exchange-rates",
                                             "pipelines", "stages", "users", "teams")}

BUILTIN_ROLES = {
    "admin": {"label": "Administrator", "is_admin": True,
              "permissions": {"*": {"view": "all", "create": "all", "change": "all",
                                    "delete": "all"}}},
    "manager": {"label": "Manager", "is_admin": False,
                "permissions": {"*": TEAM, **SHARED_SETUP}},
    "sales": {"label": "Sales", "is_admin": False,
              "permissions": {"*": OWN, **SHARED_SETUP, "quotas": CATALOGUE}},
    "service": {"label": "Service", "is_admin": False,
                "permissions": {"*": OWN, **SHARED_SETUP, "quotas": CATALOGUE}},
    "marketing": {"label": "Marketing", "is_admin": False,
                  "permissions": {"*": OWN, **SHARED_SETUP, "quotas": CATALOGUE}},
    "readonly": {"label": "Read only", "is_admin": False, "permissions": {"*": READ_ALL}},
}
