"""Co-designing: what a proposal comes from, its discussion, voting rounds and the votes.

Proposals themselves are core activities in ``draft``/``proposed``; this app adds the records
around them. Written only through ``designing.services``; read through ``designing.selectors``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rtkeren.models import RT, Activity, Kelurahan, Period, Resident
from rtkeren.models.ledger_subjects import ledger_rows_relation

MAX_VOTES_PER_RESIDENT = 20


class ProposalOrigin(models.Model):
    """A potential or forum priority a proposal comes from.

    Held generically (content type and id, with the title as it was when linked) so that this
    app never imports another stage app: the label still reads right if the source is merged,
    archived or deleted.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="designing_origins"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("comes from"), max_length=255)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("origin of a proposal")
        verbose_name_plural = _("origins of proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "content_type", "object_id"],
                name="proposal_origin_once",
                violation_error_message=_("The proposal already comes from this record."),
            )
        ]

    def __str__(self):
        return self.label


class CommentQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def visible(self):
        """Comments not hidden by a moderator: the ones that count as taking part."""
        return self.filter(hidden_at__isnull=True)


class Comment(models.Model):
    """A remark in a proposal's discussion; a reply has a parent, and a reply has no replies.

    Officers hide abusive comments with a reason; a hidden comment stays in the table and its
    author still reads it.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="designing_comments",
        verbose_name=_("author"),
    )
    # The register entry the author wrote as (their acting resident at that moment), whom the
    # comment counts for in the participation ledger; empty for an officer, a facilitator or
    # an account whose entry was not active then.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written as resident"),
        editable=False,
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)

    # Moderation (hiding with its reason, showing again) stays on record.
    history = HistoricalRecords()
    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hidden_at__isnull=True, hidden_reason="")
                | (models.Q(hidden_at__isnull=False) & ~models.Q(hidden_reason="")),
                name="comment_hidden_has_reason",
                violation_error_message=_("Give the reason for hiding the comment."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="comment_not_own_parent",
                violation_error_message=_("A comment cannot reply to itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "parent", "-created_at"], name="comment_thread"),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class VotingRoundQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("kelurahan", "rt__rw", "period")

    def standing(self):
        """Not cancelled: a cancelled round is neither open, nor to come, nor closed with
        results."""
        return self.filter(cancelled_at__isnull=True)

    def open_at(self, moment):
        return self.standing().filter(opens_at__lte=moment, closes_at__gt=moment)

    def not_closed(self, moment):
        return self.standing().filter(closes_at__gt=moment)

    def closed(self, moment):
        return self.standing().filter(closes_at__lte=moment)


class VotingRound(models.Model):
    """Residents of one RT, or of a whole kelurahan, choose among the proposals it holds."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Not open yet")
        OPEN = "open", _("Open for voting")
        CLOSED = "closed", _("Voting closed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=150)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="voting_rounds", verbose_name=_("period")
    )
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        related_name="voting_rounds",
        verbose_name=_("kelurahan"),
    )
    rt = models.ForeignKey(
        RT,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voting_rounds",
        verbose_name=_("RT"),
        help_text=_("Empty for a round of the whole kelurahan."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    votes_per_resident = models.PositiveSmallIntegerField(
        _("votes per resident"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VOTES_PER_RESIDENT)],
    )
    proposals = models.ManyToManyField(
        Activity, related_name="voting_rounds", verbose_name=_("proposals")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    results_announced_at = models.DateTimeField(_("results announced at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = VotingRoundQuerySet.as_manager()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("voting round")
        verbose_name_plural = _("voting rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="voting_round_closes_after_opening",
                violation_error_message=_("The voting round must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(votes_per_resident__gte=1),
                name="voting_round_at_least_one_vote",
                violation_error_message=_("Each resident has at least one vote."),
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True)
                | (~models.Q(cancel_reason="") & models.Q(cancelled_by__isnull=False)),
                name="voting_round_cancelled_with_reason",
                violation_error_message=_("Give the reason for cancelling the voting round."),
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "closes_at"], name="voting_round_kel_closes"),
        ]

    def __str__(self):
        return self.title

    def state(self, moment=None) -> str:
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        moment = moment or timezone.now()
        if moment < self.opens_at:
            return self.State.SCHEDULED
        if moment < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    @property
    def is_open(self) -> bool:
        return self.state() == self.State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state() == self.State.CLOSED

    def get_state_display(self) -> str:
        return self.State(self.state()).label


class Vote(models.Model):
    """One resident's vote for one proposal in one round. Secret: only counts are ever shown,
    so nothing outside the services reads who cast it."""

    round = models.ForeignKey(VotingRound, on_delete=models.CASCADE, related_name="votes")
    # A proposal that holds votes cannot be deleted: its votes, and the ledger rows of the
    # residents who cast them in the round, are the record of the round.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="votes")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "activity", "resident"],
                name="vote_once_per_proposal",
                violation_error_message=_("You already voted for this proposal."),
            )
        ]
        indexes = [
            models.Index(fields=["round", "resident"], name="vote_round_resident"),
            models.Index(fields=["round", "activity"], name="vote_round_activity"),
        ]

    def __str__(self):
        return f"{self.round} #{self.pk}"


class ProposalFit(models.Model):
    """A proposal's fit, stored: how many eligible residents of its scope (its RT, or its
    kelurahan when it is kelurahan-wide) share at least one of its interests, as computed on
    ``computed_on``.

    Kept up to date by ``designing.fit`` in the transaction of every write that changes it, for
    the open proposals (drafts, submitted ones and those in a voting round not yet closed); a
    decided proposal keeps the fit it had when it left them."""

    activity = models.OneToOneField(
        Activity,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="designing_fit",
        verbose_name=_("proposal"),
    )
    residents = models.PositiveIntegerField(_("residents"), default=0)
    computed_on = models.DateField(_("computed on"))

    class Meta:
        verbose_name = _("fit of a proposal")
        verbose_name_plural = _("fits of proposals")

    def __str__(self):
        return f"{self.activity_id}: {self.residents}"
