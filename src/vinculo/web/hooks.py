"""What the web app sets up at start: every domain app's page declarations."""

from vinculo.activities import views as _activities  # noqa: F401
from vinculo.analytics import views as _analytics  # noqa: F401
from vinculo.analytics.recommendations import views as _recommendations  # noqa: F401
from vinculo.analytics.reports import views as _reports  # noqa: F401
from vinculo.channels.dav import views as _dav  # noqa: F401
from vinculo.channels.inbox import views as _inbox  # noqa: F401
from vinculo.channels.loyalty import views as _loyalty  # noqa: F401
from vinculo.customers import views as _customers  # noqa: F401
from vinculo.marketing.campaigns import views as _campaigns  # noqa: F401
from vinculo.marketing.emails import views as _emails  # noqa: F401
from vinculo.sales import views as _sales  # noqa: F401
from vinculo.sales.leads import views as _leads  # noqa: F401
from vinculo.sales.pipeline import views as _pipeline  # noqa: F401
from vinculo.service import views as _service  # noqa: F401
from vinculo.service.knowledge import views as _knowledge  # noqa: F401
from vinculo.service.mail import views as _service_mail  # noqa: F401
from vinculo.service.portal import views as _portal  # noqa: F401
from vinculo.service.surveys import views as _surveys  # noqa: F401
