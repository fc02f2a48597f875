"""Log in with a username or a phone number: many residents remember their number, not a name."""

from functools import cache, partial

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rtkeren.models import User
from rtkeren.phone import normalize_phone
from rtkeren.scopecache import (
    ACCOUNT,
    NOTIFICATIONS,
    PUBLIC,
    cached_for_person,
    keep_read_ahead,
    keep_request_read_ahead,
    read_ahead_for_person,
)


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

    def get_user(self, user_id):
        """The account of a logged-in session, on every request: shared across the person's
        requests through the cache (``session_account``), not read from the database each
        time."""
        user = session_account(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

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


@cache
def _secret_tag(secret_key: str) -> str:
    # The cached session hash is an HMAC with the secret key: a new key must not find it.
    tag = salted_hmac("rtkeren.auth_backends.session_account", "", secret=secret_key)
    return tag.hexdigest()[:12]


def _entry_name() -> str:
    return f"account:{_secret_tag(settings.SECRET_KEY)}"


def session_account(user_id) -> User | None:
    """The account ``user_id``, from the cache while the person's account version is the one it
    was stored under (every save or delete of the account changes it: ``rtkeren.signals``), else
    from the database.

    What the cache holds is the account without its password hash: the password is a deferred
    field, read from the database if anything asks for it, and a save writes only the fields
    that were loaded. In its place the account carries its session hash (an HMAC of the
    password hash with the secret key, what every logged-in session already stores), which is
    all a request needs to check its session (``User.get_session_auth_hash``)."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    name = _entry_name()
    # The public records' version too, for the shared values the page reads
    # (``cached_public_value``: a select's options, the periods).
    ahead = read_ahead_for_person(pk, [(name, ACCOUNT), *_read_with_account()], also=[PUBLIC])
    account = cached_for_person(pk, name, partial(_read_account, pk), topic=ACCOUNT, ahead=ahead)
    if account is not None:
        keep_read_ahead(account, ahead)
        keep_request_read_ahead(ahead)
    return account


def _read_with_account() -> list[tuple[str, str]]:
    """What nearly every page of a logged-in person reads of them from the cache, read in the
    same cache read as their account (``ReadAhead``): their assignments (the navigation and
    every permission), the entry they act as and their unread count (the bell), the entries
    ``person_cache_fill`` fills at login. A person cache added there belongs here too."""
    from rtkeren.scopes import assignments_entry
    from rtkeren.selectors.notifications import UNREAD_ENTRY
    from rtkeren.selectors.residents import ACTING_RESIDENT_ENTRY

    return [
        (assignments_entry(timezone.localdate()), ""),
        (ACTING_RESIDENT_ENTRY, ""),
        (UNREAD_ENTRY, NOTIFICATIONS),
    ]


def session_account_fill(user: User) -> None:
    """Cache the account of ``user``, just logged in, for the requests that follow
    (``person_cache_fill``): read again from the database, not copied from the instance given,
    which its caller may hold from before a change."""
    session_account(user.pk)


def _read_account(user_id: int) -> User | None:
    user = User._default_manager.filter(pk=user_id).first()
    return None if user is None else _without_password(user)


def _without_password(user: User) -> User:
    """A new instance of ``user`` holding its fields and session hash, and nothing else: no
    password hash, and none of what a request may have kept on the instance."""
    values = {
        field.attname: getattr(user, field.attname)
        for field in User._meta.concrete_fields
        if field.attname != "password"
    }
    account = User.from_db(user._state.db, list(values), list(values.values()))
    account.__dict__[User.CACHED_SESSION_HASH] = user.get_session_auth_hash()
    return account
