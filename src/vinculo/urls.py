from django.urls import include, path

from vinculo.platform.api import api, mount_routers

mount_routers()

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("vinculo.web.urls")),
]
