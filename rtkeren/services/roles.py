"""Role assignments: giving a role, ending it, and handing a chair over to a successor.

An assignment is never deleted when a role changes hands: it gets an end date, so the history of
who held which role when stays readable (and every change is also kept by simple-history).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rtkeren import scopes
from rtkeren.models import ROLE_SCOPE, RT, RW, Community, Kelurahan, Kota, Role, RoleAssignment

SCOPE_MODELS: dict[str, type[Model]] = {
    "kota": Kota,
    "kelurahan": Kelurahan,
    "rw": RW,
    "rt": RT,
    "community": Community,
}
#: Roles of which a scope has at most one holder at a time.
SINGLE_HOLDER_ROLES = (Role.RT_CHAIR, Role.RW_CHAIR)

ONE_DAY = datetime.timedelta(days=1)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _scope_name(field: str) -> str:
    return str(SCOPE_MODELS[field]._meta.verbose_name)


def _scope_fields(role: str, scope) -> dict:
    """The assignment's scope field for ``role``, or a ValidationError when ``scope`` does not
    fit it (an RT given for an officer, a kelurahan for an RT chair...)."""
    if role not in Role.values:
        raise ValidationError({"role": _("This role does not exist.")})
    needed = ROLE_SCOPE[role]
    label = Role(role).label
    if needed is None:
        if scope is not None:
            raise ValidationError(
                _("The role “%(role)s” covers everything and takes no scope.") % {"role": label}
            )
        return {}
    if not isinstance(scope, SCOPE_MODELS[needed]):
        given = next(
            (field for field, model in SCOPE_MODELS.items() if isinstance(scope, model)), None
        )
        if given is None:
            message = _("The role “%(role)s” needs a scope: one %(needed)s.")
        else:
            message = _("The role “%(role)s” is given per %(needed)s, not per %(given)s.")
        raise ValidationError(
            {
                needed: message
                % {
                    "role": label,
                    "needed": _scope_name(needed),
                    "given": _scope_name(given) if given else "",
                }
            }
        )
    return {needed: scope}


def _lock_scope(scope) -> None:
    """Serialise the writes to one scope's assignments, so that two officers appointing a chair
    at the same moment cannot both pass the overlap check (SQLite serialises by itself)."""
    list(type(scope).objects.select_for_update().filter(pk=scope.pk).values_list("pk"))


def _overlapping(assignment: RoleAssignment):
    """Assignments of the same role and scope whose dates meet ``assignment``'s."""
    field = ROLE_SCOPE[assignment.role]
    others = RoleAssignment.objects.filter(
        role=assignment.role,
        **({f"{field}_id": getattr(assignment, f"{field}_id")} if field else {}),
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=assignment.starts_on))
    if assignment.ends_on is not None:
        others = others.filter(starts_on__lte=assignment.ends_on)
    if assignment.pk is not None:
        others = others.exclude(pk=assignment.pk)
    return others.select_related("user")


def role_assignment_check(assignment: RoleAssignment) -> None:
    """Reject an assignment that overlaps the same person's same role, or, for a chair, anyone
    else's chair of the same RT or RW. Used by ``role_assign`` and by the admin form."""
    field = ROLE_SCOPE.get(assignment.role, "")
    if field == "" or not assignment.starts_on or not assignment.user_id:
        return  # the form reports the missing value itself
    if field is not None and getattr(assignment, f"{field}_id") is None:
        return
    for other in _overlapping(assignment):
        if other.user_id == assignment.user_id:
            raise ValidationError(
                _("%(name)s already holds this role here from %(date)s.")
                % {"name": other.user, "date": _day(other.starts_on)}
            )
        if assignment.role in SINGLE_HOLDER_ROLES:
            raise ValidationError(
                _(
                    "%(scope)s already has a chair for these dates: %(name)s, from %(date)s. "
                    "Use the handover, which ends the current chair's term."
                )
                % {
                    "scope": assignment.scope,
                    "name": other.user,
                    "date": _day(other.starts_on),
                }
            )


def _save(assignment: RoleAssignment, by) -> None:
    """Save with ``by`` in the history, and drop the roles cached on the user objects at hand
    (other objects of the same person see the change from their next request)."""
    if by is not None:
        assignment._history_user = by
        scopes.forget_assignments(by)
    assignment.save()
    scopes.forget_assignments(assignment.user)


@transaction.atomic
def role_assign(
    *, user, role: str, scope=None, starts_on: datetime.date | None = None, by, note: str = ""
) -> RoleAssignment:
    """Give ``user`` the ``role`` over ``scope`` (a Kota, Kelurahan, RW, RT or Community, as
    ``ROLE_SCOPE`` says; None for the administrator) from ``starts_on`` (today by default)."""
    fields = _scope_fields(role, scope)
    if scope is not None:
        _lock_scope(scope)
    assignment = RoleAssignment(
        user=user,
        role=role,
        starts_on=starts_on or timezone.localdate(),
        note=note,
        **fields,
    )
    role_assignment_check(assignment)
    assignment.full_clean()
    _save(assignment, by)
    return assignment


@transaction.atomic
def role_end(
    *, assignment: RoleAssignment, ends_on: datetime.date | None = None, by
) -> RoleAssignment:
    """End an assignment. ``ends_on`` is the last day the role holds; by default yesterday, so
    that the role stops counting at once."""
    if RoleAssignment.user.is_cached(assignment):
        scopes.forget_assignments(assignment.user)
    assignment = (
        RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    )
    ends_on = ends_on or timezone.localdate() - ONE_DAY
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ValidationError(
            _("This assignment already ends on %(date)s.") % {"date": _day(assignment.ends_on)}
        )
    if ends_on < assignment.starts_on:
        raise ValidationError(
            _(
                "This assignment only starts on %(date)s, so it cannot end before then. "
                "If it was made by mistake, delete it in the admin."
            )
            % {"date": _day(assignment.starts_on)}
        )
    assignment.ends_on = ends_on
    assignment.full_clean()
    _save(assignment, by)
    return assignment


def _chair_handover(*, role: str, scope, new_chair, on: datetime.date | None, by):
    field = ROLE_SCOPE[role]
    on = on or timezone.localdate()
    _lock_scope(scope)
    holders = list(
        RoleAssignment.objects.filter(role=role, **{field: scope})
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("user")
    )
    for holder in holders:
        if holder.user_id == new_chair.pk:
            raise ValidationError(
                _("%(name)s is already the chair of %(scope)s.")
                % {"name": holder.user, "scope": scope}
            )
        if holder.starts_on >= on:
            raise ValidationError(
                _(
                    "%(name)s is already due to chair %(scope)s from %(date)s. End that "
                    "assignment first."
                )
                % {"name": holder.user, "scope": scope, "date": _day(holder.starts_on)}
            )
    for holder in holders:
        holder.ends_on = on - ONE_DAY
        holder.full_clean()
        _save(holder, by)
    return role_assign(user=new_chair, role=role, scope=scope, starts_on=on, by=by)


@transaction.atomic
def rt_chair_handover(*, rt: RT, new_chair, on: datetime.date | None = None, by) -> RoleAssignment:
    """Hand the chair of ``rt`` to ``new_chair`` on ``on`` (today by default): the current
    chair's assignment ends the day before and the new one starts that day."""
    return _chair_handover(role=Role.RT_CHAIR, scope=rt, new_chair=new_chair, on=on, by=by)


@transaction.atomic
def rw_chair_handover(*, rw: RW, new_chair, on: datetime.date | None = None, by) -> RoleAssignment:
    """The same as ``rt_chair_handover`` for the chair of an RW."""
    return _chair_handover(role=Role.RW_CHAIR, scope=rw, new_chair=new_chair, on=on, by=by)
