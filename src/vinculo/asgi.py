"""The ASGI application `vinculo serve` runs (uvicorn).

Long-lived streams (the live chat's server-sent events) are served by Django's ASGI handler, so
that a thousand waiting visitors cost a thousand coroutines, not a thousand threads. Every other
request goes to the WSGI application on a pool of threads: Django runs synchronous views one at
a time per process under its ASGI handler, which would serialise the whole interface.
"""

import os
import re

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver  # noqa: E402

STREAMS = re.compile(r"^/chat/[^/]+/sessions/[^/]+/events/?$")

django_asgi = get_asgi_application()
threaded_wsgi = WSGIMiddleware(get_wsgi_application(),
                               workers=int(os.environ.get("WEB_THREADS", "8")))
# Load every app's URLs and API routes now, not on the first visitor's request.
_patterns = get_resolver().url_patterns


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http" and STREAMS.match(scope["path"]):
        await django_asgi(scope, receive, send)
    else:
        await threaded_wsgi(scope, receive, send)
