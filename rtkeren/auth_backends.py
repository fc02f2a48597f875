"""Log in with a username or a phone number: many residents remember their number, not a name."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from rtkeren.models import User
from rtkeren.phone import normalize_phone


def looks_like_phone(text: str) -> bool:
    return bool(text) and all(char.isdigit() or char in "+-() ." for char in text)


#: Where a request keeps the accounts its login name pointed to: the rate limit, django-axes and
#: the backend each need them, and one lookup serves all three.
_REQUEST_MEMO = "_rtkeren_login_accounts"


def users_for_login(login: str, request=None) -> list[User]:
    """The active accounts a login name points to: the username (exact, else the only
    case-insensitive match), else a phone number in any form people write it. Given the
    request, looked up once per request and name."""
    if request is None:
        return _users_for_login(login)
    memo = request.__dict__.setdefault(_REQUEST_MEMO, {})
    if login not in memo:
        memo[login] = _users_for_login(login)
    return memo[login]


def _users_for_login(login: str) -> list[User]:
    login = (login or "").strip()
    # No account name holds a NUL, and PostgreSQL refuses to even compare one.
    if not login or "\x00" in login:
        return []
    accounts = User.objects.filter(is_active=True)
    exact = list(accounts.filter(username=login))
    if exact:
        return exact
    folded = list(accounts.filter(username__iexact=login)[:2])
    if len(folded) == 1:
        return folded
    if not looks_like_phone(login):
        return []
    try:
        phone = normalize_phone(login)
    except ValidationError:
        return []
    return list(accounts.filter(resident__phone=phone).order_by("pk"))


def account_name_for_login(login: str, request=None) -> str:
    """One name per account, whatever form of it was typed: the username of the account the
    login points to, else the phone number in E.164 or the case-folded text. Failed logins and
    rate limits count against this name, so "0812..." and "+62812..." share one count."""
    accounts = users_for_login(login, request)
    if len(accounts) == 1:
        return accounts[0].username
    login = (login or "").strip()
    if looks_like_phone(login):
        try:
            return normalize_phone(login)
        except ValidationError:
            pass
    return login.casefold()


def normalize_email(email: str) -> str:
    """An e-mail address as a password reset compares it, case aside: "Siti@Mail.com " and
    "siti@mail.com" are one address (and share one rate-limit count)."""
    return (email or "").strip().casefold()


def axes_username(request, credentials: dict) -> str:
    """The name django-axes locks out: the account, not the text typed."""
    return account_name_for_login((credentials or {}).get("username", ""), request)


class UsernameOrPhoneBackend(ModelBackend):
    """Django's model backend, finding the account by username or by its resident's phone.

    Django's model permissions serve the admin alone, which only staff open; everything the
    portal lets a user do comes from their roles through ``rules``. So an account that is not
    staff holds no model permission, and asking for one costs no query (Django would read the
    account's own and its groups' permissions, two queries on every page that asks)."""

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_staff:
            return set()
        return super()._get_permissions(user_obj, obj, from_name)

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        candidates = users_for_login(username, request)
        if not candidates:
            # Hash anyway, so the time taken does not say whether the account exists.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
