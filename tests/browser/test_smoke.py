def test_home_page_on_a_phone_is_indonesian_and_fits(phone_page, live_server, screenshot):
    response = phone_page.goto(live_server.url + "/")

    assert response.status == 200
    assert phone_page.locator("html").get_attribute("lang") == "id"
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Portal RT Keren"
    assert phone_page.get_by_role("link", name="Masuk").is_visible()
    page_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360, "the page scrolls sideways on a 360 px phone"
    assert screenshot(phone_page, "home").stat().st_size > 0


def test_bootstrap_and_htmx_are_served_by_the_portal(phone_page, live_server):
    requested = []
    phone_page.on("request", lambda request: requested.append(request.url))
    phone_page.goto(live_server.url + "/")
    phone_page.wait_for_load_state("load")

    assert phone_page.evaluate("typeof window.htmx") == "object"
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert any(url.endswith("bootstrap.min.css") for url in requested)


def test_the_full_menu_of_a_logged_in_chair_fits_a_phone(phone_page, live_server, screenshot):
    from rtkeren.models import Role
    from tests import factories
    from tests.browser.helpers import blitar_rt, fits_phone, log_in

    rt = blitar_rt()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    log_in(phone_page, live_server, chair)

    phone_page.goto(live_server.url + "/")

    assert phone_page.get_by_role("button", name="Keluar").is_visible()
    menu = phone_page.get_by_role("navigation", name="Navigasi utama")
    assert menu.get_by_role("link", name="Warga", exact=True).is_visible()
    assert fits_phone(phone_page), "the menu pushes the page wider than a 360 px phone"
    screenshot(phone_page, "home-chair")
