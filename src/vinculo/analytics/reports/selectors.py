"""Reading reports: which saved reports a user may open (theirs, their team's, public, shared)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vinculo.platform.models import Visibility

from .models import DashboardPin, Report


def reports_visible_to(user) -> QuerySet[Report]:
    from vinculo.identity.models import User

    team_ids = User.teams.through.objects.filter(user_id=user.pk).values("team_id")
    shared = Report.shared_with.through.objects.filter(user_id=user.pk).values("report_id")
    return Report.objects.filter(
        Q(owner=user) | Q(visibility=Visibility.PUBLIC)
        | Q(visibility=Visibility.TEAM, team__in=team_ids) | Q(pk__in=shared)
    )


def report_for(user, report_id: int) -> Report | None:
    return reports_visible_to(user).select_related("owner").filter(pk=report_id).first()


def grouped_for(user) -> dict[str, list[Report]]:
    """The reports a user may open, split into mine / team / public (shared counts as team)."""
    groups: dict[str, list[Report]] = {"mine": [], "team": [], "public": []}
    for report in reports_visible_to(user).select_related("owner").order_by("name", "id"):
        if report.owner_id == user.pk:
            groups["mine"].append(report)
        elif report.visibility == Visibility.PUBLIC:
            groups["public"].append(report)
        else:
            groups["team"].append(report)
    return groups


def pinned_reports(user) -> list[Report]:
    visible = reports_visible_to(user).values("pk")
    pins = DashboardPin.objects.filter(user=user, report__in=visible).select_related("report")
    return [pin.report for pin in pins]
