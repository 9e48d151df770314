"""Pages: customer-base models (BG/NBD, Gamma-Gamma, CLV), RFM and churn risk."""

from django.urls import path

from . import views

urlpatterns = [
    path("analytics/", views.overview, name="analytics"),
    path("analytics/fit/", views.fit_now, name="analytics-fit"),
]
