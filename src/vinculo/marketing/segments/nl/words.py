"""The fixed vocabulary of the grammar (English and Spanish) and the synonyms that the
schema's verbose names do not give. Everything data-dependent lives in the lexicon."""

from __future__ import annotations

VERSION = "1"

# words that do not change the meaning of a sentence
_STOP_TEXT = """
the a an of who whom that which whose with are is were was be been have has had do does did
show me find list give get all any people person those these them their there here please
which whose also
que quien quienes cuyo cuya cuyos cuyas con los las el la lo un una unos unas son es han ha
tienen tiene estan esta fueron fue sean sea todos todas todo toda personas gente muestrame
muestra dame busca buscar encuentra lista listar ver quiero por favor hay
of de del from en in at on to a al located based living live viven vive ubicados ubicadas
situados situadas radicados basados residentes residen we us nosotros tuvieron tuvo
tenido had como as
"""
STOP = set(_STOP_TEXT.split())
# "de"/"en"/"in" are also stop words: "leads de Colombia", "contacts in Lima"

AND = {"and", "y", "e", ",", "plus", "ademas", "tambien", "but", "pero"}
OR = {"or", "o", "u"}
NEG = {"no", "not", "sin", "without", "never", "nunca", "jamas", "ningun", "ninguna",
       "ninguno", "none", "nadie", "excepto", "except", "excluding", "salvo", "menos_neg",
       "don't", "doesn't", "didn't", "haven't", "hasn't", "aren't", "isn't", "fuera"}

# comparison phrases -> operator (longest phrase wins: "no mas de" before "no")
COMPARATORS = {
    "more than": "gt", "greater than": "gt", "higher than": "gt", "over": "gt", "above": "gt",
    "bigger than": "gt", "larger than": "gt", "exceeding": "gt", "exceeds": "gt",
    "mas de": "gt", "mas que": "gt", "mayor a": "gt", "mayor que": "gt", "mayor de": "gt",
    "superior a": "gt", "por encima de": "gt", "mayores a": "gt", "mayores que": "gt",
    "mayores de": "gt", "supera": "gt", "superan": "gt", "sobre": "gt", ">": "gt",
    "greater than or equal to": "gte", "more than or equal to": "gte", "at least": "gte",
    "mayor o igual a": "gte", "mayor o igual que": "gte", "mayores o iguales a": "gte",
    "less than or equal to": "lte", "menor o igual a": "lte", "menor o igual que": "lte",
    "menores o iguales a": "lte", "minimum": "gte", "min": "gte", "or more": "gte_post",
    "al menos": "gte", "como minimo": "gte", "minimo": "gte", "por lo menos": "gte",
    "o mas": "gte_post", ">=": "gte", "no less than": "gte", "no menos de": "gte",
    "less than": "lt", "fewer than": "lt", "under": "lt", "below": "lt", "lower than": "lt",
    "menos de": "lt", "menos que": "lt", "menor a": "lt", "menor que": "lt", "menor de": "lt",
    "menores a": "lt", "menores que": "lt", "inferior a": "lt", "por debajo de": "lt",
    "<": "lt",
    "at most": "lte", "maximum": "lte", "max": "lte", "or less": "lte_post", "or fewer":
    "lte_post", "como maximo": "lte", "maximo": "lte", "a lo sumo": "lte", "o menos": "lte_post",
    "no mas de": "lte", "no more than": "lte", "hasta": "lte", "up to": "lte", "<=": "lte",
    "exactly": "eq", "exactamente": "eq", "equal to": "eq", "igual a": "eq", "=": "eq",
    "between": "between", "entre": "between",
}

NUMBER_WORDS = {"twice": 2, "thrice": 3, "two": 2, "dos": 2, "three": 3, "tres": 3,
                "four": 4, "cuatro": 4, "five": 5, "cinco": 5, "six": 6, "seis": 6,
                "seven": 7, "siete": 7, "eight": 8, "ocho": 8, "nine": 9, "nueve": 9,
                "ten": 10, "diez": 10}
ARTICLE_NUMBERS = {"a": 1, "an": 1, "one": 1, "single": 1, "un": 1, "una": 1, "uno": 1}
TIMES = {"times", "time", "veces", "vez", "ocasiones", "orders", "pedidos"}

CURRENCY_WORDS = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "$": "USD", "dollar": "USD", "dollars": "USD", "dolar": "USD", "dolares": "USD",
    "usd": "USD", "£": "GBP", "pound": "GBP", "pounds": "GBP", "libras": "GBP", "gbp": "GBP",
    "peso": "PESO", "pesos": "PESO", "mxn": "MXN", "cop": "COP", "ars": "ARS", "clp": "CLP",
    "pen": "PEN", "soles": "PEN", "sol": "PEN",
}
PESOS = ("MXN", "COP", "ARS", "CLP")
MULTIPLIERS = {"k": 1000, "mil": 1000, "thousand": 1000, "million": 1_000_000,
               "millones": 1_000_000, "millon": 1_000_000, "m": 1_000_000}

# dates
UNITS = {"day": 1, "days": 1, "dia": 1, "dias": 1, "week": 7, "weeks": 7, "semana": 7,
         "semanas": 7, "month": 30, "months": 30, "mes": 30, "meses": 30, "year": 365,
         "years": 365, "ano": 365, "anos": 365}
LAST = {"last", "past", "previous", "ultimos", "ultimas", "ultimo", "ultima", "pasados",
        "pasadas", "recent"}
PASSED = {"pasado", "pasada", "anterior"}  # "el año pasado"
THIS = {"this", "current", "este", "esta", "actual", "en curso"}
SINCE = {"since", "desde", "from"}
BEFORE = {"before", "antes de", "antes del", "prior to", "until", "hasta el"}
AFTER = {"after", "despues de", "despues del", "tras"}
IN_DATE = {"in", "en", "during", "durante", "del", "de"}
TODAY = {"today", "hoy"}
YESTERDAY = {"yesterday", "ayer"}
AGO = {"ago"}
HACE = {"hace"}
AGO_WORDS = {"ago", "atras", "antes"}
MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1, "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3, "april": 4, "apr": 4, "abril": 4, "abr": 4, "may": 5,
    "mayo": 5, "june": 6, "jun": 6, "junio": 6, "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "september": 9, "sep": 9, "sept": 9,
    "septiembre": 9, "setiembre": 9, "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11, "december": 12, "dec": 12, "diciembre": 12,
    "dic": 12,
}

ME = ("mine", "my", "mis", "mios", "mias", "mi", "own", "propios", "propias", "owned by me",
      "assigned to me", "asignados a mi", "asignadas a mi", "de mi propiedad", "que son mios",
      "belonging to me")
OWNER_LEAD = {"owned by", "assigned to", "asignados a", "asignadas a", "asignado a",
              "de propiedad de", "propiedad de", "belonging to", "del comercial",
              "cuyo propietario es", "whose owner is", "owner", "propietario", "responsable"}

# subject words: the records themselves ("contacts in Lima")
SUBJECTS = {
    "contacts": ("contacts", "contact", "contactos", "contacto", "people", "personas",
                 "persons", "gente", "users", "usuarios"),
    "accounts": ("accounts", "account", "cuentas", "cuenta", "empresas", "empresa",
                 "companies", "company", "compañías", "organizations", "organizaciones",
                 "organisations"),
    "leads": ("leads", "lead", "clientes potenciales", "cliente potencial", "prospectos",
              "prospecto", "prospects", "prospect"),
    "opportunities": ("opportunities", "opportunity", "deals", "deal", "oportunidades",
                      "oportunidad", "negocios"),
}
CUSTOMER_WORDS = ("customers", "customer", "clients", "client", "clientes", "cliente",
                  "compradores", "buyers")
# customer-analytics scores (contract §6): RFM segments and churn risk, in both languages
HIGH_CHURN_RISK = {"field": "churn_risk", "op": "gte", "value": 0.7}
RFM_CONDITIONS = {
    **{w: {"field": "rfm_segment", "op": "eq", "value": "champions"}
       for w in ("champions", "champion customers", "campeones", "clientes campeones")},
    **{w: {"field": "rfm_segment", "op": "eq", "value": "at_risk"}
       for w in ("at risk", "at-risk customers", "customers at risk", "en riesgo",
                 "clientes en riesgo")},
    **{w: {"field": "rfm_segment", "op": "eq", "value": "lost"}
       for w in ("lost customers", "lost", "clientes perdidos", "perdidos")},
    **{w: {"field": "rfm_segment", "op": "eq", "value": "cant_lose"}
       for w in ("can't lose them", "cant lose them", "no podemos perder")},
    **{w: {"field": "rfm_segment", "op": "eq", "value": "loyal"}
       for w in ("loyal customers", "clientes leales", "clientes fieles")},
    **{w: {"field": "rfm_segment", "op": "eq", "value": "hibernating"}
       for w in ("hibernating", "hibernating customers", "clientes hibernando")},
    **{w: HIGH_CHURN_RISK
       for w in ("high churn risk", "with high churn risk", "likely to churn",
                 "riesgo de abandono alto", "alto riesgo de abandono",
                 "con alto riesgo de abandono", "con riesgo de abandono alto")},
}
# subject words that are conditions: "leads" among contacts is a lifecycle stage
SUBJECT_CONDITIONS = {
    "contacts": {
        "leads": {"field": "lifecycle_stage", "op": "eq", "value": "lead"},
        "lead": {"field": "lifecycle_stage", "op": "eq", "value": "lead"},
        "subscribers": {"field": "lifecycle_stage", "op": "eq", "value": "subscriber"},
        "suscriptores": {"field": "lifecycle_stage", "op": "eq", "value": "subscriber"},
        "evangelists": {"field": "lifecycle_stage", "op": "eq", "value": "evangelist"},
        "evangelistas": {"field": "lifecycle_stage", "op": "eq", "value": "evangelist"},
        **{w: {"field": "lifecycle_stage", "op": "eq", "value": "customer", "_customer": True}
           for w in CUSTOMER_WORDS},
        **RFM_CONDITIONS,
    },
    "accounts": {w: None for w in CUSTOMER_WORDS},
}

FIELD_WORDS = {
    "city": ("city", "ciudad", "town", "localidad"),
    "region": ("region", "state", "province", "provincia", "comunidad", "departamento"),
    "country": ("country", "pais", "nation"),
    "postal_code": ("postal code", "zip", "zip code", "codigo postal", "cp"),
    "score": ("score", "puntuacion", "puntaje", "puntos", "points", "lead score", "rating"),
    "industry": ("industry", "industria", "sector", "rubro"),
    "employees": ("employees", "empleados", "trabajadores", "staff", "headcount", "plantilla"),
    "annual_revenue": ("revenue", "annual revenue", "ingresos", "facturacion",
                       "ingresos anuales", "ventas anuales", "turnover"),
    "lifecycle_stage": ("lifecycle stage", "stage", "etapa", "fase", "ciclo de vida",
                        "etapa del ciclo de vida"),
    "preferred_channel": ("preferred channel", "prefer", "prefers", "preferring", "prefieren",
                          "prefiere", "preferido", "preferida", "canal preferido", "canal",
                          "channel"),
    "email_opt_in": ("opt-in", "opt in", "email opt-in", "consentimiento",
                     "consentimiento de email"),
    "do_not_contact": ("do not contact", "no contactar", "no molestar"),
    "owner_id": ("owner", "propietario", "dueño", "responsable", "comercial", "vendedor",
                 "owned by", "assigned to", "asignados a", "asignado a", "asignadas a"),
    "tags": ("tag", "tags", "tagged", "etiqueta", "etiquetas", "etiquetado", "etiquetados",
             "etiquetadas", "labelled", "labeled"),
    "created_at": ("created", "creado", "creados", "creadas", "added", "añadidos",
                   "agregados", "registrados", "registered", "dados de alta", "signed up",
                   "alta", "creation date", "fecha de creacion"),
    "updated_at": ("updated", "modified", "actualizados", "modificados"),
    "birthdate": ("birthday", "birthdate", "born", "nacidos", "nacidas", "nacimiento",
                  "cumpleaños", "fecha de nacimiento"),
    "source": ("source", "origen", "fuente", "came from", "vienen de", "procedencia"),
    "status": ("status", "estado", "situacion"),
    "title": ("job title", "title", "cargo", "puesto"),
    "company": ("company name", "nombre de empresa"),
    "email": ("email", "e-mail", "email address", "correo", "correo electronico", "mail"),
    "phone": ("phone", "telefono", "phone number", "numero de telefono"),
    "mobile": ("mobile", "movil", "celular", "cell"),
    "amount": ("amount", "importe", "monto", "valor", "value"),
    "probability": ("probability", "probabilidad"),
    "expected_close_date": ("close date", "expected close", "fecha de cierre", "cierre"),
    "first_name": ("first name", "nombre"),
    "last_name": ("last name", "surname", "apellido"),
    "converted_at": ("converted at", "fecha de conversion"),
    "website": ("website", "web site", "sitio web", "pagina web"),
}
FIELD_LABELS_ES = {
    "city": "ciudad", "region": "región", "country": "país", "postal_code": "código postal",
    "score": "puntuación", "industry": "industria", "employees": "empleados",
    "annual_revenue": "ingresos anuales", "lifecycle_stage": "etapa del ciclo de vida",
    "preferred_channel": "canal preferido", "email_opt_in": "acepta email",
    "do_not_contact": "no contactar", "owner_id": "propietario", "tags": "etiquetas",
    "created_at": "fecha de alta", "updated_at": "fecha de modificación",
    "birthdate": "fecha de nacimiento", "source": "origen", "status": "estado",
    "title": "cargo", "company": "empresa", "email": "email", "phone": "teléfono",
    "mobile": "móvil", "amount": "importe", "probability": "probabilidad",
    "first_name": "nombre", "last_name": "apellido", "website": "sitio web",
    "expected_close_date": "fecha prevista de cierre",
    "total_base": "total en moneda base", "total": "total", "ordered_at": "fecha del pedido",
    "occurred_at": "fecha", "kind": "tipo", "currency": "moneda", "subject": "asunto",
}
FIELD_LABELS_EN = {"occurred_at": "date", "total_base": "total in base currency"}

CHOICE_WORDS = {
    ("lifecycle_stage", "customer"): ("customer stage",),
    ("lifecycle_stage", "subscriber"): ("subscriber", "suscriptor", "suscriptora"),
    ("lifecycle_stage", "lead"): ("prospecto",),
    ("lifecycle_stage", "evangelist"): ("evangelista", "promotor", "embajador", "promotores"),
    ("lifecycle_stage", "other"): ("otro", "otra"),
    ("preferred_channel", "email"): ("email", "correo", "e-mail", "correo electronico"),
    ("preferred_channel", "phone"): ("phone", "telefono", "llamadas", "calls",
                                     "phone calls"),
    ("preferred_channel", "sms"): ("sms", "texto", "mensajes de texto", "text messages"),
    ("preferred_channel", "chat"): ("chat", "whatsapp", "mensajeria", "messaging"),
    ("preferred_channel", "social"): ("social", "redes sociales", "redes", "social media"),
    ("preferred_channel", "mail"): ("mail", "post", "correo postal", "carta", "cartas",
                                    "postal"),
    ("status", "new"): ("new", "nuevo", "nuevos", "nueva", "nuevas"),
    ("status", "working"): ("working", "in progress", "en curso", "trabajando", "en proceso"),
    ("status", "qualified"): ("qualified", "cualificado", "cualificados", "calificado",
                              "calificados", "calificadas"),
    ("status", "disqualified"): ("disqualified", "descalificado", "descalificados",
                                 "descartado", "descartados"),
    ("status", "converted"): ("converted", "convertido", "convertidos"),
    ("status", "open"): ("open", "abierta", "abiertas", "abierto", "abiertos"),
    ("status", "won"): ("won", "ganada", "ganadas", "ganado", "ganados"),
    ("status", "lost"): ("lost", "perdida", "perdidas", "perdido", "perdidos"),
    ("source", "web"): ("web", "website", "sitio web", "pagina web", "formulario web"),
    ("source", "event"): ("event", "events", "evento", "eventos", "feria", "ferias"),
    ("source", "referral"): ("referral", "referrals", "referido", "referidos",
                             "recomendacion", "recomendaciones", "referencia"),
    ("source", "import"): ("import", "imported", "importado", "importados", "importacion"),
    ("source", "social"): ("social media", "redes sociales", "redes"),
    ("source", "phone"): ("phone", "telefono"),
    ("kind", "call"): ("call", "calls", "llamada", "llamadas"),
    ("kind", "meeting"): ("meeting", "meetings", "reunion", "reuniones"),
    ("kind", "visit"): ("visit", "visits", "visita", "visitas"),
    ("kind", "note"): ("note", "notes", "nota", "notas"),
    ("kind", "task"): ("task", "tasks", "tarea", "tareas"),
    ("priority", "urgent"): ("urgent", "urgente", "urgentes"),
    ("priority", "high"): ("high", "alta", "altas", "alto"),
    ("priority", "low"): ("low", "baja", "bajas"),
}
BOOLEAN_WORDS = {
    "email_opt_in": ("opted in", "opted-in", "opt in", "opt-in", "subscribed",
                     "accept email", "accept emails", "accepts email", "aceptan email",
                     "aceptan correos", "acepta correos", "aceptan emails",
                     "suscritos", "suscritas", "suscrito", "con consentimiento",
                     "consent", "consented", "email consent", "han dado su consentimiento"),
    "do_not_contact": ("do not contact", "no contactar", "no molestar", "do-not-contact"),
    "active": ("active", "activo", "activos", "activa", "activas"),
    "done": ("done", "completed", "hechas", "completadas", "realizadas"),
}

# related records: words -> where node (None: every row); "spend" words sum the amount
RELATIONS = {
    "orders": {
        "dates": ("ordered_at", "created_at"),
        "amounts": ("total_base", "total"),
        "words": {w: None for w in (
            "orders", "order", "pedidos", "pedido", "compras", "compra", "purchases",
            "purchase", "bought", "buy", "buys", "purchased", "ordered", "compraron",
            "compro", "comprado", "compran", "comprar", "han comprado", "ha comprado",
            "hicieron pedidos", "made purchases", "placed orders", "placed an order",
            "hizo pedidos", "hicieron compras", "realizaron compras")},
        "spend": ("spent", "spend", "spends", "spending", "gastaron", "gasto", "gastado",
                  "han gastado", "ha gastado", "gastan", "gasta", "total spent",
                  "total gastado", "facturado", "invirtieron", "revenue from",
                  "gasto total", "total de compras", "total purchases", "compras por",
                  "pedidos por", "orders worth", "purchases worth"),
        "average": ("average order", "average order value", "average spend", "average ticket",
                    "ticket medio", "pedido medio", "gasto medio", "valor medio de pedido",
                    "ticket promedio", "pedido promedio", "compra media", "compra promedio"),
        "last": ("last order", "last purchase", "latest order", "most recent order",
                 "ultimo pedido", "ultima compra", "ultimo pedido fue", "ultima compra fue"),
    },
    "activities": {
        "dates": ("occurred_at", "created_at"),
        "words": {
            **{w: None for w in ("activity", "activities", "actividad", "actividades",
                                 "interactions", "interaction", "interacciones",
                                 "interaccion", "contacted", "contactados", "contactadas",
                                 "touchpoints", "engagement")},
            **{w: {"field": "kind", "op": "eq", "value": "call"} for w in (
                "calls", "call", "called", "llamadas", "llamada", "llamados", "llamamos",
                "llamado", "phone calls")},
            **{w: {"field": "kind", "op": "eq", "value": "email"} for w in (
                "emails", "emailed", "correos", "correos electronicos", "mails",
                "e-mails")},
            **{w: {"field": "kind", "op": "eq", "value": "meeting"} for w in (
                "meetings", "meeting", "met", "reuniones", "reunion", "reunimos",
                "nos reunimos")},
            **{w: {"field": "kind", "op": "eq", "value": "visit"} for w in (
                "visits", "visited", "visitas", "visitados")},
            **{w: {"field": "kind", "op": "eq", "value": "note"} for w in ("notes", "notas")},
            **{w: ("last", None) for w in ("last activity", "latest activity",
                                           "last interaction", "last contacted",
                                           "ultima actividad", "ultima interaccion",
                                           "ultimo contacto")},
            **{w: ("last", {"field": "kind", "op": "eq", "value": "call"}) for w in (
                "last call", "ultima llamada")},
            **{w: ("last", {"field": "kind", "op": "eq", "value": "meeting"}) for w in (
                "last meeting", "ultima reunion")},
            **{w: {"field": "kind", "op": "eq", "value": "task"} for w in ("tasks", "tareas")},
        },
    },
    "opportunities": {
        "dates": ("created_at",),
        "amounts": ("amount",),
        "words": {
            **{w: None for w in ("opportunities", "opportunity", "deals", "deal",
                                 "oportunidades", "oportunidad", "negocios", "negocio")},
            **{w: {"field": "status", "op": "eq", "value": "open"} for w in (
                "open opportunities", "open opportunity", "open deals", "open deal",
                "oportunidades abiertas", "oportunidad abierta", "negocios abiertos")},
            **{w: {"field": "status", "op": "eq", "value": "won"} for w in (
                "won opportunities", "won deals", "oportunidades ganadas",
                "negocios ganados")},
            **{w: {"field": "status", "op": "eq", "value": "lost"} for w in (
                "lost opportunities", "lost deals", "oportunidades perdidas",
                "negocios perdidos")},
        },
    },
    "cases": {
        "dates": ("created_at", "opened_at"),
        "words": {
            **{w: None for w in ("cases", "case", "casos", "caso", "tickets", "ticket",
                                 "incidencias", "incidencia", "support cases",
                                 "casos de soporte", "reclamaciones", "complaints")},
            **{w: {"field": "status", "op": "in", "value": ["new", "open", "pending"]}
               for w in ("open cases", "open tickets", "casos abiertos",
                         "tickets abiertos", "incidencias abiertas")},
        },
    },
    "campaign_memberships": {
        "dates": ("responded_at", "added_at", "created_at"),
        "words": {
            **{w: None for w in ("campaigns", "campaign", "campañas", "campaña",
                                 "campaign memberships")},
            **{w: {"field": "status", "op": "in", "value": ["clicked", "responded",
                                                              "converted"]}
               for w in ("campaign responses", "responses", "responded", "respondieron",
                         "respuestas", "respuestas a campañas", "responded to campaigns",
                         "respondieron a campañas", "respondieron a una campaña",
                         "responded to a campaign")},
            **{w: {"field": "status", "op": "in", "value": ["opened", "clicked", "responded",
                                                              "converted"]}
               for w in ("opened", "abrieron", "opened campaigns", "abrieron campañas")},
        },
    },
    "contacts": {
        "dates": ("created_at",),
        "words": {w: None for w in ("contacts", "contactos", "people", "personas")},
    },
}

# fields whose values in the data become words, with their priority
DATA_FIELDS = {"city": 5, "region": 4, "country": 4, "industry": 4, "account.industry": 3}
COUNTRY_EXTRA = {"espana": "ES", "spain": "ES", "mexico": "MX", "peru": "PE",
                 "colombia": "CO", "argentina": "AR", "chile": "CL", "brasil": "BR",
                 "brazil": "BR", "alemania": "DE", "germany": "DE", "francia": "FR",
                 "france": "FR", "italia": "IT", "italy": "IT", "portugal": "PT",
                 "estados unidos": "US", "united states": "US", "reino unido": "GB",
                 "united kingdom": "GB", "ecuador": "EC", "uruguay": "UY"}

LANGUAGE_HINTS = {
    "es": {"de", "con", "que", "los", "las", "en", "sin", "y", "o", "mas", "menos",
           "ultimo", "dia", "este", "ano", "desde", "entre", "contacto", "cliente",
           "cuenta", "compraron", "gastaron", "prefieren", "nunca", "el", "la", "del"},
    "en": {"with", "in", "who", "the", "and", "or", "more", "than", "less", "last", "day",
           "this", "year", "since", "between", "contact", "customer", "account",
           "bought", "spent", "prefer", "never", "no", "at", "least", "of"},
}
