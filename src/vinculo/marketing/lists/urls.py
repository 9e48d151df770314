"""Pages of the lists module."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("lists/", views.list_index, name="lists-list"),
    path("lists/add-selected/", views.add_selected, name="lists-add-selected"),
    path("lists/<int:pk>/", views.list_detail, name="lists-detail"),
    path("lists/<int:pk>/edit/", views.list_edit, name="lists-edit"),
    path("lists/<int:pk>/members/", views.list_members, name="lists-members"),
    path("lists/<int:pk>/export/", views.list_export, name="lists-export"),
    path("lists/<int:pk>/shares/", views.share_create, name="lists-share-create"),
    path("lists/<int:pk>/shares/<int:link_id>/revoke/", views.share_revoke,
         name="lists-share-revoke"),
    path("shared/lists/<str:token>/", views.shared_page, name="lists-shared"),
    path("shared/lists/<str:token>/download/", views.shared_download,
         name="lists-shared-download"),
]
