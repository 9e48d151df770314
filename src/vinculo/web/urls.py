"""Every page of the web interface (contract §7)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from vinculo.identity import views as identity_views
from vinculo.platform import views as platform_views

from . import generic, listing, resources, views


def resource_urls(resource: resources.Resource) -> list:
    name = resource.entity
    kw = {"resource": resource}
    return [
        path(f"{name}/", listing.list_view, kw, name=f"{name}-list"),
        path(f"{name}/count/", listing.count_view, kw, name=f"{name}-count"),
        path(f"{name}/bulk/", listing.bulk_view, kw, name=f"{name}-bulk"),
        path(f"{name}/views/", listing.view_create, kw, name=f"{name}-view-create"),
        path(f"{name}/views/<int:view_id>/", listing.view_change, kw, name=f"{name}-view"),
        path(f"{name}/new/", generic.create_view, kw, name=f"{name}-new"),
        path(f"{name}/<int:pk>/", generic.detail_view, kw, name=f"{name}-detail"),
        path(f"{name}/<int:pk>/edit/", generic.edit_view, kw, name=f"{name}-edit"),
        path(f"{name}/<int:pk>/delete/", generic.delete_view, kw, name=f"{name}-delete"),
        path(f"{name}/<int:pk>/restore/", generic.restore_view, kw, name=f"{name}-restore"),
        path(f"{name}/<int:pk>/history/", generic.history_view, kw, name=f"{name}-history"),
        path(f"{name}/<int:pk>/timeline/", generic.timeline_view, kw, name=f"{name}-timeline"),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search_view, name="search"),
    path("settings/", identity_views.settings_index, name="settings"),
    path("settings/profile/", identity_views.profile, name="profile"),
    path("settings/password/", identity_views.PasswordChange.as_view(), name="password_change"),
    path("settings/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="identity/password_done.html"), name="password_change_done"),
    path("settings/tokens/", identity_views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", identity_views.token_revoke_view,
         name="token-revoke"),
    path("settings/users/", identity_views.users, name="users"),
    path("settings/users/new/", identity_views.user_new, name="user-new"),
    path("settings/users/<int:user_id>/", identity_views.user_edit, name="user-edit"),
    path("settings/teams/", identity_views.teams, name="teams"),
    path("settings/teams/<int:team_id>/", identity_views.team_edit, name="team-edit"),
    path("settings/roles/", identity_views.roles, name="roles"),
    path("settings/roles/new/", identity_views.role_new, name="role-new"),
    path("settings/roles/<int:role_id>/", identity_views.role_detail, name="role-detail"),
    path("settings/custom-fields/", platform_views.custom_fields, name="custom-fields"),
    path("settings/custom-fields/new/", platform_views.custom_field_new, name="custom-field-new"),
    path("settings/custom-fields/<int:field_id>/", platform_views.custom_field_edit,
         name="custom-field-edit"),
    path("", include("vinculo.web.urls_importexport")),
    path("", include("vinculo.sales.urls")),
    path("", include("vinculo.sales.leads.urls")),
    path("", include("vinculo.sales.pipeline.urls")),
    path("", include("vinculo.sales.assignment.urls")),
    path("", include("vinculo.automation.urls")),
    path("", include("vinculo.automation.webhooks.urls")),
    path("", include("vinculo.automation.workflows.urls")),
    path("", include("vinculo.marketing.segments.urls")),
    path("", include("vinculo.marketing.lists.urls")),
    path("", include("vinculo.marketing.campaigns.urls")),
    path("", include("vinculo.marketing.emails.urls")),
    path("", include("vinculo.service.urls")),
    path("", include("vinculo.service.mail.urls")),
    path("", include("vinculo.service.knowledge.urls")),
    path("", include("vinculo.service.portal.urls")),
    path("", include("vinculo.service.surveys.urls")),
    path("", include("vinculo.channels.urls")),
    path("", include("vinculo.channels.dav.urls")),
    path("", include("vinculo.channels.inbox.urls")),
    path("", include("vinculo.channels.loyalty.urls")),
    path("", include("vinculo.channels.chat.urls")),
    path("", include("vinculo.analytics.urls")),
    path("", include("vinculo.analytics.recommendations.urls")),
    path("", include("vinculo.analytics.reports.urls")),
]

for _resource in resources.all_resources():
    urlpatterns += resource_urls(_resource)
