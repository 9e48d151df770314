"""What the web app sets up at start: every domain app's page declarations."""

from vinculo.activities import views as _activities  # noqa: F401
from vinculo.customers import views as _customers  # noqa: F401
from vinculo.marketing.campaigns import views as _campaigns  # noqa: F401
from vinculo.marketing.emails import views as _emails  # noqa: F401
from vinculo.sales import views as _sales  # noqa: F401
from vinculo.sales.leads import views as _leads  # noqa: F401
from vinculo.sales.pipeline import views as _pipeline  # noqa: F401
from vinculo.service import views as _service  # noqa: F401
