"""Pages and DAV endpoints of CardDAV/CalDAV (contract §9)."""

from django.urls import path, re_path

from . import views

urlpatterns: list = [
    re_path(r"^\.well-known/(?P<service>carddav|caldav)/?$", views.well_known,
            name="dav-well-known"),
    re_path(r"^dav(?:/(?P<path>.*))?$", views.dav, name="dav"),
    path("settings/app-passwords/", views.app_passwords, name="app-passwords"),
    path("settings/app-passwords/<int:password_id>/revoke/", views.app_password_revoke,
         name="app-password-revoke"),
]
