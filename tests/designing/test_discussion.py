"""A proposal's discussion: comments and one level of replies, with and without htmx;
moderation that hides without deleting; the ledger and the notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from designing import services
from designing.models import Comment
from rtkeren.models import Notification, Participation, Stage

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
