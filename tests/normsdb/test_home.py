def test_the_home_page_shows_counts_of_each_record_type(client, cast):
    page = client.get("/").content.decode()
    assert "<strong>2</strong> instruments" in page and "<strong>2</strong> obligations" in page


def test_the_home_page_links_to_the_admin_for_editors(client, cast):
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_the_home_page_draws_its_charts_as_inline_svg_with_a_text_alternative(client, cast):
    from tests.factories import make_instrument

    make_instrument(adopted_on="2015-07-22")
    page = client.get("/").content.decode()
    assert page.count('role="img"') == 2
    assert "Data table" in page


def test_the_admin_login_page_loads(client, db):
    assert client.get("/admin/login/").status_code == 200
