"""Pages: Role dashboards and the report builder."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/preview/", views.report_preview, name="report_preview"),
    path("reports/dashboards/", views.dashboard_home, name="report_dashboards"),
    path("reports/dashboards/<str:role>/", views.dashboard, name="report_dashboard"),
    path("reports/ready/<str:key>/", views.ready_report, name="report_ready"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:report_id>/export.<str:fmt>", views.report_export,
         name="report_export"),
]
