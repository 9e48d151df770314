"""Pages of the channels module: public tracking and unsubscribe links."""

from django.urls import path

from . import views

urlpatterns = [
    path("t/o/<str:token>.gif", views.open_pixel, name="channels-open"),
    path("t/c/<str:token>", views.click, name="channels-click"),
    path("u/<str:token>", views.unsubscribe, name="channels-unsubscribe"),
]
