"""The portal's CSP middleware (``rtkeren.middleware.ContentSecurityPolicyMiddleware``) builds
the settings' policy once per process: each response must get exactly the headers django-csp's
own middleware gives it, and a changed policy must not be served stale."""

import pytest
from csp.constants import NONCE
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from rtkeren.middleware import ContentSecurityPolicyMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _respond(
    middleware_class, *, path="/", status=200, attributes=None, use_nonce=False, debug_exempt=False
):
    def view(request):
        response = HttpResponse("ok", status=status)
        if use_nonce:
            response.content = str(request.csp_nonce).encode()
        for name, value in (attributes or {}).items():
            setattr(response, name, value)
        return response

    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    if not (use_nonce or debug_exempt):
        # As in django-csp: a nonce asked for once the header is written would be in no header.
        with pytest.raises(CSPNonceError):
            str(request.csp_nonce)
    return {header: response.get(header) for header in HEADERS}, response.content


CASES = {
    "plain": {},
    "error page": {"status": 404},
    "exempt": {"attributes": {"_csp_exempt": True}},
    "exempt from report only": {"attributes": {"_csp_exempt_ro": True}},
    "updated": {"attributes": {"_csp_update": {"img-src": ["https://example.org"]}}},
    "replaced": {"attributes": {"_csp_replace": {"script-src": ["'none'"]}}},
    "own config": {"attributes": {"_csp_config": {"default-src": ["'none'"]}}},
    "excluded": {"path": "/excluded/page"},
}


@pytest.mark.parametrize("case", CASES)
def test_each_response_gets_django_csps_headers(case):
    ours, _content = _respond(ContentSecurityPolicyMiddleware, **CASES[case])
    theirs, _content = _respond(CSPMiddleware, **CASES[case])

    assert ours == theirs
    if case == "plain":
        assert "default-src 'self'" in ours["Content-Security-Policy"]


POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/excluded/"],
    "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]},
}


@pytest.mark.parametrize("case", CASES)
@override_settings(CONTENT_SECURITY_POLICY=POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY=POLICY)
def test_each_response_gets_django_csps_headers_under_another_policy(case):
    ours, _content = _respond(ContentSecurityPolicyMiddleware, **CASES[case])
    theirs, _content = _respond(CSPMiddleware, **CASES[case])

    assert ours == theirs


@override_settings(CONTENT_SECURITY_POLICY=POLICY)
def test_a_nonce_used_by_the_page_is_in_its_header():
    ours, nonce = _respond(ContentSecurityPolicyMiddleware, use_nonce=True)

    assert f"'nonce-{nonce.decode()}'" in ours["Content-Security-Policy"]


@override_settings(DEBUG=True)
def test_debug_error_pages_stay_without_a_policy_as_in_django_csp():
    for middleware in (ContentSecurityPolicyMiddleware, CSPMiddleware):
        headers, _content = _respond(middleware, status=404, debug_exempt=True)
        assert headers == dict.fromkeys(HEADERS)


def test_a_changed_policy_is_not_served_stale():
    before, _content = _respond(ContentSecurityPolicyMiddleware)
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        during, _content = _respond(ContentSecurityPolicyMiddleware)
    after, _content = _respond(ContentSecurityPolicyMiddleware)

    assert during["Content-Security-Policy"] != before["Content-Security-Policy"]
    assert "object-src" not in during["Content-Security-Policy"]
    assert after == before
