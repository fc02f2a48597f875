"""Admin for co-designing: reading and fixing records. Votes have no admin page: the ballot is
secret, so the rounds show counts only; moderation and voting go through the portal's pages."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Comment, ProposalOrigin, VotingRound


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("short_body", "activity", "author", "created_at", "is_hidden")
    list_filter = (("hidden_at", admin.EmptyFieldListFilter), "activity__kelurahan")
    search_fields = ("body", "activity__title")
    raw_id_fields = ("activity", "parent", "author", "hidden_by")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

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
class VotingRoundAdmin(admin.ModelAdmin):
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
    readonly_fields = ("created_at", "results_announced_at")
    date_hierarchy = "opens_at"

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
