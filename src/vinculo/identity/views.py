"""Settings pages: the signed-in user's profile, language, password and API tokens; and, for
administrators, users, teams and roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.platform.models import CustomField
from vinculo.web.base import admin_page, page

from .forms import ProfileForm, RoleForm, TeamForm, TokenForm, UserCreateForm, UserEditForm
from .models import ACTIONS, ApiToken, Role, Team, User
from .services import token_create, token_revoke


@admin_page
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/settings_index.html", {
        "section": "overview",
        "user_count": User.objects.filter(is_active=True).count(),
        "team_count": Team.objects.count(),
        "role_count": Role.objects.count(),
        "field_count": CustomField.objects.count(),
    })


@page
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("/settings/profile/")
    return render(request, "identity/profile.html", {"form": form, "section": "profile"})


@method_decorator(page, name="dispatch")
class PasswordChange(auth_views.PasswordChangeView):
    template_name = "identity/password.html"
    success_url = "/settings/password/done/"
    extra_context = {"section": "password"}


@page
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = token_create(request.user, form.cleaned_data["name"])
        created = {"token": token, "raw": raw}
        form = TokenForm()
    listing = ApiToken.objects.filter(user=request.user)
    return render(request, "identity/tokens.html", {
        "form": form, "tokens": listing, "created": created, "section": "tokens"})


@page
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404
    token_revoke(token)
    messages.success(request, _("The token was revoked; it no longer works."))
    return redirect("/settings/tokens/")


# ------------------------------------------------------------------------------ users


@admin_page
def users(request: HttpRequest) -> HttpResponse:
    listing = User.objects.select_related("role").prefetch_related("teams").order_by(
        "-is_active", "username")
    return render(request, "identity/users.html", {"users": listing, "section": "users"})


@admin_page
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, generated = form.save()
        except ValidationError:
            pass
        else:
            if generated:
                return render(request, "identity/user_created.html", {
                    "new_user": user, "password": generated, "section": "users"})
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("/settings/users/")
    return render(request, "identity/user_form.html", {"form": form, "section": "users"})


@admin_page
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404
    form = UserEditForm(request.POST or None, instance=target, editor=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("User %(name)s saved.") % {"name": target.username})
        return redirect("/settings/users/")
    return render(request, "identity/user_form.html", {
        "form": form, "target": target, "section": "users"})


# ------------------------------------------------------------------------------ teams


@admin_page
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        messages.success(request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("/settings/teams/")
    listing = Team.objects.prefetch_related("members")
    return render(request, "identity/teams.html", {
        "form": form, "teams": listing, "section": "teams"})


@admin_page
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "delete":
        team.delete()
        messages.success(request, _("Team deleted."))
        return redirect("/settings/teams/")
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
        return redirect("/settings/teams/")
    return render(request, "identity/team_form.html", {
        "form": form, "team": team, "section": "teams"})


# ------------------------------------------------------------------------------ roles


@admin_page
def roles(request: HttpRequest) -> HttpResponse:
    listing = Role.objects.all()
    return render(request, "identity/roles.html", {"roles": listing, "section": "roles"})


@admin_page
def role_new(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role = form.save()
        messages.success(request, _("Role %(name)s created.") % {"name": role.label or role.name})
        return redirect(f"/settings/roles/{role.pk}/")
    return render(request, "identity/role_form.html", {
        "form": form, "actions": ACTIONS, "section": "roles", "editable": True})


@admin_page
def role_detail(request: HttpRequest, role_id: int) -> HttpResponse:
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise Http404
    editable = not role.builtin
    if request.method == "POST" and not editable:
        messages.error(request, _("Built-in roles cannot be changed; create a custom role."))
        return redirect(f"/settings/roles/{role.pk}/")
    form = RoleForm(request.POST or None, instance=role)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Role saved."))
        return redirect(f"/settings/roles/{role.pk}/")
    return render(request, "identity/role_form.html", {
        "form": form, "role": role, "actions": ACTIONS, "section": "roles",
        "editable": editable})
