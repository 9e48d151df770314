"""Pages of imports and exports."""

from django.urls import path

from . import views_importexport as views

urlpatterns = [
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:job_id>/", views.import_detail, name="import-detail"),
    path("exports/new/", views.export_new, name="export-new"),
    path("exports/<int:job_id>/", views.export_detail, name="export-detail"),
    path("exports/<int:job_id>/download/", views.export_download, name="export-download"),
]
