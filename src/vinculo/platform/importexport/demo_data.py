"""Word lists for the demo data set: names, places, companies, products and activity subjects.

Everything is invented; email domains end in the reserved `.example` top-level domain and
phone numbers use ranges kept for fiction where a country has them.
"""

SPANISH_FIRST = (
    "Ana", "Lucía", "María", "Carmen", "Laura", "Marta", "Elena", "Paula", "Sara", "Isabel",
    "Sofía", "Valentina", "Camila", "Daniela", "Gabriela", "Fernanda", "Ximena", "Florencia",
    "Julia", "Alba", "Javier", "José", "Juan", "Carlos", "Miguel", "Pablo", "Diego", "Jorge",
    "Alejandro", "Andrés", "Sergio", "Luis", "Mateo", "Santiago", "Sebastián", "Nicolás",
    "Tomás", "Gonzalo", "Rodrigo", "Álvaro",
)
SPANISH_LAST = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Castro",
    "Ortega", "Rubio", "Molina", "Delgado", "Morales", "Suárez", "Ortiz", "Núñez", "Rojas",
    "Vargas", "Quispe", "Mendoza", "Silva", "Herrera", "Aguilar",
)
ENGLISH_FIRST = (
    "Oliver", "George", "Harry", "Jack", "Noah", "James", "William", "Thomas", "Henry",
    "Samuel", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Chloe",
    "Ella", "Michael", "David", "Daniel", "Matthew", "Emma", "Hannah", "Abigail", "Megan",
)
ENGLISH_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Miller", "Moore", "Anderson", "Harris", "Martin", "Young",
)

# country: (language, currency, [(city, region, postal code pattern)], phone pattern)
# In the phone and postal patterns, each "#" becomes a digit.
COUNTRIES = {
    "ES": ("es", "EUR", [("Madrid", "Madrid", "280##"), ("Barcelona", "Barcelona", "080##"),
                         ("Valencia", "Valencia", "460##"), ("Sevilla", "Sevilla", "410##"),
                         ("Bilbao", "Bizkaia", "480##"), ("Málaga", "Málaga", "290##"),
                         ("Zaragoza", "Zaragoza", "500##"), ("A Coruña", "A Coruña", "150##")],
           "+34 6## ### ###"),
    "MX": ("es", "EUR", [("Ciudad de México", "CDMX", "06###"),
                         ("Guadalajara", "Jalisco", "44###"),
                         ("Monterrey", "Nuevo León", "64###"), ("Puebla", "Puebla", "72###")],
           "+52 55 #### ####"),
    "CO": ("es", "EUR", [("Bogotá", "Cundinamarca", "110###"), ("Medellín", "Antioquia",
                                                                 "050###"),
                         ("Cali", "Valle del Cauca", "760###")], "+57 3## ### ####"),
    "AR": ("es", "EUR", [("Buenos Aires", "CABA", "C10##"), ("Córdoba", "Córdoba", "X50##"),
                         ("Rosario", "Santa Fe", "S20##")], "+54 11 #### ####"),
    "PE": ("es", "EUR", [("Lima", "Lima", "150##"), ("Arequipa", "Arequipa", "040##")],
           "+51 9## ### ###"),
    "CL": ("es", "EUR", [("Santiago", "Región Metropolitana", "83#####"),
                         ("Valparaíso", "Valparaíso", "23#####")], "+56 9 #### ####"),
    "US": ("en", "EUR", [("New York", "NY", "100##"), ("Austin", "TX", "787##"),
                         ("Miami", "FL", "331##"), ("San Francisco", "CA", "941##")],
           "+1 212 555 01##"),
    "GB": ("en", "EUR", [("London", "England", "EC1A #AA"), ("Manchester", "England",
                                                            "M# #AB"),
                         ("Edinburgh", "Scotland", "EH# #CD")], "+44 20 7946 0###"),
}
COUNTRY_WEIGHTS = {"ES": 34, "MX": 16, "CO": 9, "AR": 8, "PE": 6, "CL": 6, "US": 12, "GB": 9}
STREETS = {
    "es": ("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo de la Reforma",
           "Avenida Libertador", "Calle Real", "Gran Vía", "Avenida Providencia"),
    "en": ("High Street", "Station Road", "Main Street", "Park Avenue", "Church Lane",
           "Market Street", "Victoria Road", "Oak Avenue"),
}

INDUSTRIES = ("Retail", "Manufacturing", "Software", "Healthcare", "Logistics", "Education",
              "Hospitality", "Financial services", "Construction", "Energy", "Media",
              "Agriculture", "Telecommunications", "Consulting")
COMPANY_WORDS = {
    "es": ("Andina", "Ibérica", "del Sur", "Atlántica", "Mediterránea", "Pacífico", "Sierra",
           "Norte", "Horizonte", "Aurora", "Cóndor", "Alameda", "Solar", "Vértice", "Nexo",
           "Brisa", "Raíces", "Puerto", "Altamira", "Quetzal"),
    "en": ("Northwind", "Bluebell", "Harbour", "Summit", "Riverside", "Oakfield", "Granite",
           "Beacon", "Meridian", "Evergreen", "Kingsway", "Silverline", "Lighthouse", "Fernhill"),
}
COMPANY_KINDS = {
    "es": ("Soluciones", "Distribuciones", "Grupo", "Industrias", "Logística", "Consultores",
           "Alimentos", "Tecnologías", "Servicios", "Comercial"),
    "en": ("Systems", "Supplies", "Group", "Partners", "Logistics", "Foods", "Labs", "Trading",
           "Services", "Works"),
}
LEGAL_FORMS = {"ES": "S.L.", "MX": "S.A. de C.V.", "CO": "S.A.S.", "AR": "S.R.L.",
               "PE": "S.A.C.", "CL": "SpA", "US": "Inc.", "GB": "Ltd"}
TITLES = {
    "es": ("Director general", "Directora comercial", "Responsable de compras",
           "Jefe de marketing", "Gerente de operaciones", "Administrativo", "Analista",
           "Responsable de TI", "Directora financiera", "Técnico de soporte"),
    "en": ("CEO", "Head of Sales", "Purchasing Manager", "Marketing Manager",
           "Operations Manager", "Office Manager", "Analyst", "IT Manager", "CFO",
           "Support Engineer"),
}
TAGS = ("vip", "newsletter", "partner", "webinar", "trade-fair", "b2b", "b2c", "referral",
        "upsell", "churn-risk", "early-adopter", "event-2024")

PRODUCTS = (
    ("CRM-PRO-Y", "CRM Pro licence (yearly)", "960.00"),
    ("CRM-TEAM-Y", "CRM Team licence (yearly)", "480.00"),
    ("CRM-START-M", "CRM Starter (monthly)", "29.00"),
    ("SUP-PREM", "Premium support (yearly)", "1200.00"),
    ("SUP-STD", "Standard support (yearly)", "450.00"),
    ("CONS-H", "Consulting (hour)", "95.00"),
    ("TRAIN-DAY", "On-site training (day)", "850.00"),
    ("TRAIN-ONL", "Online training course", "190.00"),
    ("MIG-DATA", "Data migration", "1500.00"),
    ("INT-API", "Integration package", "2400.00"),
    ("HW-SCAN", "Barcode scanner", "149.00"),
    ("HW-TAB", "Sales tablet", "399.00"),
    ("HW-PRN", "Label printer", "229.00"),
    ("MKT-EMAIL", "Email campaign pack (10k sends)", "120.00"),
    ("MKT-SMS", "SMS pack (1k messages)", "60.00"),
    ("ADD-ANALYT", "Analytics add-on (yearly)", "600.00"),
    ("ADD-PORTAL", "Customer portal add-on (yearly)", "540.00"),
    ("ADD-STORAGE", "Extra storage 100 GB (yearly)", "90.00"),
    ("SVC-AUDIT", "Process audit", "1800.00"),
    ("SVC-SETUP", "Set-up service", "700.00"),
)

SUBJECTS = {
    "es": {
        "call": ("Llamada de seguimiento", "Llamada de presentación", "Consulta sobre factura",
                 "Revisión de la propuesta"),
        "email": ("Envío de propuesta", "Re: presupuesto", "Información de producto",
                  "Confirmación de pedido"),
        "meeting": ("Reunión de arranque", "Demo del producto", "Revisión trimestral",
                    "Negociación de condiciones"),
        "note": ("Nota: prefiere contacto por la mañana", "Nota: interesado en el plan Pro",
                 "Nota: cambio de responsable de compras"),
        "task": ("Enviar contrato", "Preparar demo", "Llamar para renovar",
                 "Revisar incidencia", "Enviar factura rectificativa"),
        "chat": ("Chat: duda sobre precios", "Chat: acceso al portal"),
        "sms": ("SMS: recordatorio de cita", "SMS: confirmación de entrega"),
        "social": ("Mención en LinkedIn", "Mensaje por Instagram"),
        "visit": ("Visita a oficinas", "Visita a almacén", "Visita comercial"),
    },
    "en": {
        "call": ("Follow-up call", "Intro call", "Invoice question", "Proposal review"),
        "email": ("Proposal sent", "Re: quote", "Product information", "Order confirmation"),
        "meeting": ("Kick-off meeting", "Product demo", "Quarterly review",
                    "Terms negotiation"),
        "note": ("Note: prefers morning calls", "Note: interested in the Pro plan",
                 "Note: new purchasing manager"),
        "task": ("Send contract", "Prepare demo", "Call about renewal", "Look into issue",
                 "Send corrected invoice"),
        "chat": ("Chat: pricing question", "Chat: portal access"),
        "sms": ("SMS: appointment reminder", "SMS: delivery confirmation"),
        "social": ("LinkedIn mention", "Twitter message"),
        "visit": ("Office visit", "Warehouse visit", "Sales visit"),
    },
}

DEMO_PASSWORD = "vinculo-demo"
# username, first name, last name, role, team
DEMO_USERS = (
    ("ana.admin", "Ana", "Serrano", "admin", None),
    ("maria.manager", "María", "Castillo", "manager", "Iberia"),
    ("jorge.manager", "Jorge", "Paredes", "manager", "LatAm"),
    ("olivia.manager", "Olivia", "Bennett", "manager", "UK & US"),
    ("carlos.sales", "Carlos", "Vidal", "sales", "Iberia"),
    ("lucia.sales", "Lucía", "Prieto", "sales", "Iberia"),
    ("diego.sales", "Diego", "Fuentes", "sales", "LatAm"),
    ("valentina.sales", "Valentina", "Rivas", "sales", "LatAm"),
    ("james.sales", "James", "Carter", "sales", "UK & US"),
    ("sofia.service", "Sofía", "Lozano", "service", "Iberia"),
    ("emma.marketing", "Emma", "Hughes", "marketing", "UK & US"),
    ("pablo.readonly", "Pablo", "Iglesias", "readonly", None),
)
TEAM_OF_COUNTRY = {"ES": "Iberia", "MX": "LatAm", "CO": "LatAm", "AR": "LatAm", "PE": "LatAm",
                   "CL": "LatAm", "US": "UK & US", "GB": "UK & US"}
