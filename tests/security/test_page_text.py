"""What the crawler reads of a page as shown to a person (``rebuild.page_text``)."""

from tests.security.rebuild import page_text


def test_keys_in_fields_are_not_read_as_shown_digits():
    """A hidden field's value, a check box's and the admin's raw-id field (a related row's key,
    which may equal a NIK's serial by chance) are keys; a text field's value is shown."""
    page = (
        b'<p><input type="hidden" name="next" value="1111">'
        b'<input type="checkbox" name="pick" value="2222">'
        b'<input type="text" name="author" value="6931" class="vForeignKeyRawIdAdminField">'
        b'<input type="text" name="rts" value="4,5" class="vManyToManyRawIdAdminField">'
        b"<strong>Budi Santoso</strong>"
        b'<input type="text" name="note" value="3333" class="vTextField"></p>'
    )

    text = page_text(page)

    assert "Budi Santoso" in text
    assert "3333" in text
    for key in ("1111", "2222", "6931", "4,5"):
        assert key not in text
