from django.urls import path

from . import views

app_name = "designing"

urlpatterns = [
    path("", views.ProposalListView.as_view(), name="proposal-list"),
    path("usulan/baru/", views.ProposalCreateView.as_view(), name="proposal-create"),
    path("usulan/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("usulan/<int:pk>/ubah/", views.ProposalUpdateView.as_view(), name="proposal-update"),
    path(
        "usulan/<int:pk>/status/<str:to_status>/",
        views.ProposalStatusView.as_view(),
        name="proposal-status",
    ),
    path("usulan/<int:pk>/tinjau/", views.ProposalReviewView.as_view(), name="proposal-review"),
    path("usulan/<int:pk>/bagian-rt/", views.ProposalSharesView.as_view(), name="proposal-shares"),
    path("usulan/<int:pk>/komentar/", views.CommentCreateView.as_view(), name="comment-create"),
    path("komentar/<int:pk>/sembunyikan/", views.CommentHideView.as_view(), name="comment-hide"),
    path(
        "komentar/<int:pk>/tampilkan/", views.CommentRestoreView.as_view(), name="comment-restore"
    ),
    path("rap/", views.BudgetPlanListView.as_view(), name="budgetplan-list"),
    path("rap/<int:rt>/", views.BudgetPlanDetailView.as_view(), name="budgetplan-detail"),
    path(
        "rap/<int:rt>/unduh/",
        views.BudgetPlanDownloadView.as_view(),
        name="budgetplan-download",
    ),
    path("putaran/", views.RoundListView.as_view(), name="round-list"),
    path("putaran/baru/", views.RoundCreateView.as_view(), name="round-create"),
    path("putaran/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("putaran/<int:pk>/pilih/<int:activity>/", views.VoteView.as_view(), name="vote-create"),
    path(
        "putaran/<int:pk>/tarik/<int:activity>/",
        views.VoteView.as_view(take_back=True),
        name="vote-delete",
    ),
    path("putaran/<int:pk>/umumkan/", views.RoundAnnounceView.as_view(), name="round-announce"),
    path("putaran/<int:pk>/ubah/", views.RoundUpdateView.as_view(), name="round-update"),
    path("putaran/<int:pk>/batalkan/", views.RoundCancelView.as_view(), name="round-cancel"),
]
