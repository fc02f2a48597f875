"""A proposal's discussion: comments and one level of replies, with and without htmx;
moderation that hides without deleting; the ledger and the notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from designing import services
from designing.models import Comment
from rtkeren.models import Notification, Participation, Stage
from rtkeren.services.ledger_sync import ledger_differences

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _comment_url(activity):
    return reverse("designing:comment-create", args=[activity.pk])


def test_a_resident_comments_without_javascript(
    client, resident_user, proposal, neighbour, django_capture_on_commit_callbacks
):
    client.force_login(resident_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_comment_url(proposal), {"body": "Saya ikut, Pak."})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    assert comment.author == resident_user
    assert comment.parent is None
    assert Participation.objects.filter(
        resident=resident_user.resident, stage=Stage.DESIGNING, kind=services.KIND_COMMENTED
    ).exists()
    assert Notification.objects.filter(recipient=neighbour, object_id=proposal.pk).exists()
    page = client.get(response.url)
    assert "Saya ikut, Pak." in page.content.decode()


def test_with_htmx_the_answer_is_the_discussion_only(client, resident_user, proposal):
    client.force_login(resident_user)
    response = client.post(_comment_url(proposal), {"body": "Tanpa muat ulang."}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="discussion"' in html
    assert "<html" not in html
    assert "Tanpa muat ulang." in html
    assert "Terima kasih, komentar Anda sudah terkirim." in html


def test_an_empty_comment_gets_a_message_and_changes_nothing(client, resident_user, proposal):
    client.force_login(resident_user)
    response = client.post(_comment_url(proposal), {"body": "   "}, **HTMX)
    assert "Mohon tulis sesuatu sebelum mengirim." in response.content.decode()

    response = client.post(_comment_url(proposal), {"body": ""}, follow=True)
    assert "Mohon tulis sesuatu sebelum mengirim." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_to_a_reply_joins_its_thread(
    resident_user, neighbour, proposal, django_capture_on_commit_callbacks
):
    top = services.comment_post(activity=proposal, by=resident_user, body="Pertanyaan")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_post(activity=proposal, by=neighbour, body="Jawaban", parent=top)
    again = services.comment_post(
        activity=proposal, by=resident_user, body="Terima kasih", parent=reply
    )
    assert reply.parent == top
    assert again.parent == top
    assert Notification.objects.filter(recipient=resident_user).count() == 1


def test_a_reply_to_a_comment_of_another_proposal_is_refused(
    client, resident_user, proposal, rt, neighbour, period
):
    from .factories import proposal as make_proposal

    elsewhere = CommentFactory(activity=make_proposal(rt=rt, period=period))
    client.force_login(resident_user)
    response = client.post(
        _comment_url(proposal), {"body": "Balasan", "parent": elsewhere.pk}, follow=True
    )
    assert "Komentar yang Anda balas sudah tidak ada." in response.content.decode()
    assert Comment.objects.count() == 1


def test_nobody_comments_on_a_draft_or_outside_the_scope(
    client, draft, proposal, outsider, other_rt_chair, resident_user
):
    client.force_login(resident_user)
    assert client.post(_comment_url(draft), {"body": "x"}).status_code == 404
    for user in (outsider, other_rt_chair):
        client.force_login(user)
        assert client.post(_comment_url(proposal), {"body": "x"}).status_code in (403, 404)
        with pytest.raises(PermissionDenied):
            services.comment_post(activity=proposal, by=user, body="x")
    assert not Comment.objects.exists()


def test_an_officer_hides_with_a_reason_and_the_author_still_sees_it(
    client, officer, resident_user, rt_chair, proposal
):
    comment = CommentFactory(activity=proposal, author=resident_user, body="Kata kasar sekali")
    client.force_login(officer)
    url = reverse("designing:comment-hide", args=[comment.pk])

    client.post(url, {"reason": ""})
    comment.refresh_from_db()
    assert not comment.is_hidden

    client.post(url, {"reason": "Menyerang pribadi"})
    comment.refresh_from_db()
    assert comment.is_hidden
    assert comment.hidden_by == officer
    assert Comment.objects.filter(pk=comment.pk).exists()

    detail = reverse("designing:proposal-detail", args=[proposal.pk])
    client.force_login(rt_chair)
    html = client.get(detail).content.decode()
    assert "Kata kasar sekali" not in html
    assert "Disembunyikan oleh petugas. Alasan: Menyerang pribadi" in html
    client.force_login(resident_user)
    html = client.get(detail).content.decode()
    assert "Kata kasar sekali" in html

    client.force_login(officer)
    client.post(reverse("designing:comment-restore", args=[comment.pk]))
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_each_comment_links_to_its_own_moderation_and_reply(client, officer, proposal):
    """The links are reversed once a page and completed per comment: each must still name its
    own comment."""
    shown = CommentFactory(activity=proposal)
    hidden = CommentFactory(activity=proposal, hidden_at=timezone.now(), hidden_reason="Kasar")
    reply = CommentFactory(activity=proposal, parent=shown)
    detail = reverse("designing:proposal-detail", args=[proposal.pk])

    client.force_login(officer)
    html = client.get(detail).content.decode()
    for comment in (shown, reply):
        assert f'action="{reverse("designing:comment-hide", args=[comment.pk])}"' in html
    assert f'action="{reverse("designing:comment-restore", args=[hidden.pk])}"' in html
    assert reverse("designing:comment-hide", args=[hidden.pk]) not in html

    client.force_login(proposal.author)
    html = client.get(detail).content.decode()
    assert "/sembunyikan/" not in html
    for thread in (shown, hidden):
        assert f'<input type="hidden" name="parent" value="{thread.pk}">' in html
    assert html.count(f'action="{_comment_url(proposal)}"') == 3


def test_what_people_wrote_is_escaped_and_the_proposer_marked(
    client, officer, resident_user, rt_chair, proposal
):
    """The comments are written in Python (``discussion_threads``): every value from a record
    is escaped, and the proposer's badge, the hidden author's own text and the forms follow
    the reader."""
    proposal.author.first_name = "<b>Pengusul</b>"
    proposal.author.save(update_fields=["first_name"])
    by_proposer = CommentFactory(
        activity=proposal, author=proposal.author, body="<script>alert(1)</script>\n\nDua"
    )
    hidden = CommentFactory(
        activity=proposal,
        author=resident_user,
        body="Teks <i>saya</i>",
        hidden_at=timezone.now(),
        hidden_reason='<img src=x onerror="alert(2)">',
    )
    detail = reverse("designing:proposal-detail", args=[proposal.pk])

    client.force_login(rt_chair)
    html = client.get(detail).content.decode()
    assert "<script>alert(1)" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n<p>Dua</p>" in html
    assert "&lt;b&gt;Pengusul&lt;/b&gt;" in html
    assert "<b>Pengusul</b>" not in html
    assert "Alasan: &lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    assert "Teks" not in html
    proposer_card = html.split(f'id="comment-{by_proposer.pk}"')[1].split("</p>")[0]
    assert "Pengusul</span>" in proposer_card
    hidden_card = html.split(f'id="comment-{hidden.pk}"')[1].split("</p>")[0]
    assert "Pengusul</span>" not in hidden_card
    assert 'name="reason"' not in html

    client.force_login(resident_user)
    html = client.get(detail).content.decode()
    assert "Teks &lt;i&gt;saya&lt;/i&gt;" in html
    assert "Hanya Anda dan petugas yang masih dapat melihat tulisan Anda." in html

    client.force_login(officer)
    html = client.get(detail).content.decode()
    assert "Teks &lt;i&gt;saya&lt;/i&gt;" in html
    assert "Hanya Anda dan petugas" not in html
    assert f'id="hide-{by_proposer.pk}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3


def test_only_officers_of_the_kelurahan_moderate(
    client, comment_author_pair, foreign_officer, rt_chair, facilitator
):
    comment = comment_author_pair
    url = reverse("designing:comment-hide", args=[comment.pk])
    client.force_login(foreign_officer)
    assert client.post(url, {"reason": "x"}).status_code == 404
    for user in (rt_chair, facilitator):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.comment_hide(comment=comment, by=user, reason="x")
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_hiding_twice_is_refused(officer, proposal):
    comment = CommentFactory(activity=proposal)
    services.comment_hide(comment=comment, by=officer, reason="Kasar")
    with pytest.raises(ValidationError):
        services.comment_hide(comment=comment, by=officer, reason="Lagi")


@pytest.fixture
def comment_author_pair(proposal, resident_user):
    return CommentFactory(activity=proposal, author=resident_user)


# Moderation and the ledger: a hidden comment is no participation.


def _commented(resident_user, proposal):
    return Participation.objects.filter(
        resident=resident_user.resident, kind=services.KIND_COMMENTED, object_id=proposal.pk
    )


def test_hiding_the_only_comment_takes_the_row_away_and_restoring_brings_it_back(
    officer, resident_user, proposal
):
    comment = services.comment_post(activity=proposal, by=resident_user, body="Beli di sini.")
    written_on = _commented(resident_user, proposal).get().occurred_on

    services.comment_hide(comment=comment, by=officer, reason="Iklan")

    assert not _commented(resident_user, proposal).exists()
    assert ledger_differences().lines() == []

    services.comment_restore(comment=comment, by=officer)

    row = _commented(resident_user, proposal).get()
    assert (row.stage, row.occurred_on, row.activity, row.period) == (
        Stage.DESIGNING,
        written_on,
        proposal,
        proposal.period,
    )
    assert ledger_differences().lines() == []


def test_a_comment_and_a_reply_count_once_dated_by_the_first_one_shown(
    officer, resident_user, neighbour, proposal
):
    """The ledger keeps one row per resident and proposal: hiding one of two comments keeps
    it, dated by the other; hiding both takes it away."""
    first = services.comment_post(activity=proposal, by=resident_user, body="Usul saya.")
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    Comment.objects.filter(pk=first.pk).update(created_at=three_days_ago)
    # As if written then: the service dated the row by it.
    _commented(resident_user, proposal).update(occurred_on=timezone.localdate(three_days_ago))
    question = services.comment_post(activity=proposal, by=neighbour, body="Kapan?")
    reply = services.comment_post(
        activity=proposal, by=resident_user, body="Bulan depan.", parent=question
    )
    assert ledger_differences().lines() == []

    def row_date():
        return _commented(resident_user, proposal).values_list("occurred_on", flat=True).get()

    services.comment_hide(comment=first, by=officer, reason="Kasar")
    assert row_date() == timezone.localdate(reply.created_at)
    assert ledger_differences().lines() == []

    services.comment_hide(comment=reply, by=officer, reason="Kasar")
    assert not _commented(resident_user, proposal).exists()
    assert ledger_differences().lines() == []

    services.comment_restore(comment=reply, by=officer)
    assert row_date() == timezone.localdate(reply.created_at)
    assert ledger_differences().lines() == []

    services.comment_restore(comment=first, by=officer)
    assert row_date() == timezone.localdate(three_days_ago)
    assert ledger_differences().lines() == []
    # The other author's row never moved.
    assert _commented(neighbour, proposal).exists()


@pytest.mark.parametrize(("asked", "number", "shown"), [("2", 2, 2), ("x", 1, 25), ("50", 2, 2)])
def test_the_threads_are_read_a_page_at_a_time_with_their_number(
    client, resident_user, proposal, asked, number, shown
):
    """A page of threads, newest first, each with its replies; their number from the same
    query; a page out of range or not a number gives the last or the first."""
    first = CommentFactory(activity=proposal, body="Utas pertama")
    CommentFactory(activity=proposal, parent=first, body="Balasan utas pertama")
    CommentFactory.create_batch(26, activity=proposal)
    client.force_login(resident_user)

    response = client.get(reverse("designing:proposal-detail", args=[proposal.pk]), {"page": asked})

    threads = response.context["threads"]
    assert (threads.number, threads.paginator.count, len(threads)) == (number, 27, shown)
    if number == 2:
        assert threads[-1] == first
        assert [reply.body for reply in threads[-1].reply_list] == ["Balasan utas pertama"]
