from wireproof.schema import parse_docstring


def test_google_style_args_are_read_and_folded_to_one_line() -> None:
    doc = parse_docstring(
        """List tickets.

        Second paragraph.

        Args:
            start_date: First day,
                as YYYY-MM-DD.
            limit (int): How many.

        Returns:
            A page.
        """
    )
    assert doc.description == "List tickets.\n\nSecond paragraph."
    assert doc.args == {"start_date": "First day, as YYYY-MM-DD.", "limit": "How many."}


def test_missing_docstring_gives_empty_description() -> None:
    assert parse_docstring(None).description == ""
    assert parse_docstring(None).args == {}
