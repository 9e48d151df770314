"""Pages of the campaigns module (the list, detail and form pages are generic resources)."""

from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<int:pk>/members/add/", views.add_members, name="campaign_add_members"),
    path("campaigns/<int:pk>/items/add/", views.add_item, name="campaign_add_item"),
]
