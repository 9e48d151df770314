"""Pages of the pipeline module beyond the generic resource pages: the board and the forecast."""

from django.urls import path

from . import views

urlpatterns = [
    path("opportunities/board/", views.board_view, name="opportunities-board"),
    path("opportunities/board/totals/", views.board_totals_view,
         name="opportunities-board-totals"),
    path("opportunities/board/columns/<int:stage_id>/", views.board_column_view,
         name="opportunities-board-column"),
    path("opportunities/board/views/", views.board_view_save, name="opportunities-board-view"),
    path("opportunities/forecast/", views.forecast_view, name="opportunities-forecast"),
    path("opportunities/<int:pk>/products/", views.products_view,
         name="opportunities-products"),
]
