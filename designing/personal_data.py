"""Co-designing's part of what a person takes away from Data Saya: their comments, and their
votes (secret from everyone else, but their own)."""

from django.utils.translation import gettext as _

from rtkeren.registry import PersonalSection

from .models import Comment, Vote


def sections(user, resident_ids: list[int]) -> list[PersonalSection]:
    """The person's comments and votes: a query each."""
    comments = (
        Comment.objects.filter(author=user).select_related("activity").order_by("created_at", "pk")
    )
    votes = (
        Vote.objects.filter(resident_id__in=resident_ids)
        .select_related("round", "activity")
        .order_by("created_at", "pk")
    )
    return [
        PersonalSection(
            key="comments",
            title=_("Comments written"),
            rows=[
                {
                    _("Proposal"): comment.activity.title,
                    _("Comment"): comment.body,
                    _("Written at"): comment.created_at,
                    _("Hidden at"): comment.hidden_at,
                    _("Reason for hiding"): comment.hidden_reason,
                }
                for comment in comments
            ],
        ),
        PersonalSection(
            key="votes",
            title=_("Votes cast"),
            rows=[
                {
                    _("Voting round"): vote.round.title,
                    _("Proposal"): vote.activity.title,
                    _("Voted at"): vote.created_at,
                }
                for vote in votes
            ],
        ),
    ]
