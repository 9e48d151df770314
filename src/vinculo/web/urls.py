from django.urls import include, path

urlpatterns = [
    path("", include("vinculo.web.urls_importexport")),
]
