"""Pages: the recommendation and lead-scoring models' overview, rebuild and retrain."""

from django.urls import path

from . import views

urlpatterns = [
    path("recommendations/", views.overview, name="recommendations-overview"),
    path("recommendations/rebuild/", views.rebuild, name="recommendations-rebuild"),
    path("recommendations/measure/", views.measure, name="recommendations-measure"),
    path("recommendations/retrain/", views.retrain, name="recommendations-retrain"),
]
