"""Admin for co-designing: reading and fixing records. Votes have no admin page: the ballot is
secret, so the rounds show counts only; moderation and voting go through the portal's pages."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from rtkeren.admin.ledger_records import LedgerRecordAdmin, LedgerSubjectAdmin
from rtkeren.admin.read_only import ReadOnlyAdmin

from . import services
from .models import Comment, ProposalFit, ProposalOrigin, VotingRound


@admin.register(Comment)
class CommentAdmin(LedgerRecordAdmin, admin.ModelAdmin):
    """A comment counts as its author's participation while it is shown: only its text is fixed
    here; hiding and restoring go through the moderation services (the actions below), and a
    comment is hidden, never deleted, so that its thread and the ledger stay whole."""

    list_display = ("short_body", "activity", "author", "created_at", "is_hidden")
    list_filter = (("hidden_at", admin.EmptyFieldListFilter), "activity__kelurahan")
    search_fields = ("body", "activity__title")
    readonly_fields = (
        "activity",
        "parent",
        "author",
        "created_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    )
    date_hierarchy = "created_at"
    actions = ["hide_comments", "restore_comments"]

    def _moderate(self, request, queryset, moderate, done_message) -> None:
        done = 0
        for comment in queryset:
            try:
                moderate(comment)
            except (ValidationError, PermissionDenied) as error:
                reason = "; ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{comment}: {reason}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Hide the selected comments"))
    def hide_comments(self, request, queryset):
        reason = gettext("Hidden by a moderator.")
        self._moderate(
            request,
            queryset.filter(hidden_at__isnull=True),
            lambda comment: services.comment_hide(comment=comment, by=request.user, reason=reason),
            lambda done: ngettext("%d comment hidden.", "%d comments hidden.", done) % done,
        )

    @admin.action(description=_("Show the selected hidden comments again"))
    def restore_comments(self, request, queryset):
        self._moderate(
            request,
            queryset.filter(hidden_at__isnull=False),
            lambda comment: services.comment_restore(comment=comment, by=request.user),
            lambda done: (
                ngettext("%d comment shown again.", "%d comments shown again.", done) % done
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity", "author")

    @admin.display(description=_("comment"))
    def short_body(self, comment):
        return str(comment)

    @admin.display(description=_("hidden"), boolean=True)
    def is_hidden(self, comment):
        return comment.is_hidden


@admin.register(ProposalOrigin)
class ProposalOriginAdmin(admin.ModelAdmin):
    list_display = ("label", "activity", "content_type")
    search_fields = ("label", "activity__title")
    raw_id_fields = ("activity",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity", "content_type")


@admin.register(VotingRound)
class VotingRoundAdmin(LedgerSubjectAdmin, admin.ModelAdmin):
    list_display = (
        "title",
        "kelurahan",
        "rt",
        "opens_at",
        "closes_at",
        "votes_per_resident",
        "proposal_count",
        "vote_count",
    )
    list_filter = ("kelurahan", "period")
    search_fields = ("title",)
    raw_id_fields = ("rt", "opened_by", "proposals")
    # A round is cancelled on its page (``round_cancel``: the reason, the residents told).
    readonly_fields = (
        "created_at",
        "results_announced_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    )
    date_hierarchy = "opens_at"

    def get_readonly_fields(self, request, obj=None):
        # The voters' ledger rows count in the round's period.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "period")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kelurahan", "rt__rw")
            .annotate(
                proposal_total=Count("proposals", distinct=True),
                vote_total=Count("votes", distinct=True),
            )
        )

    @admin.display(description=_("proposals"), ordering="proposal_total")
    def proposal_count(self, voting_round):
        return voting_round.proposal_total

    @admin.display(description=_("votes cast"), ordering="vote_total")
    def vote_count(self, voting_round):
        return voting_round.vote_total


@admin.register(ProposalFit)
class ProposalFitAdmin(ReadOnlyAdmin):
    """The stored fit of each proposal, kept by ``designing.fit`` with every write that changes
    it."""

    list_display = ("activity", "residents", "computed_on")
    list_select_related = ("activity",)
    search_fields = ("activity__title",)
