"""The RFC 6750 challenge and where RFC 9728 puts a resource's metadata."""

from __future__ import annotations

import pytest

from wireproof.auth._challenge import _quoted, metadata_url


@pytest.mark.parametrize(
    ("resource", "metadata"),
    [
        ("https://mcp.example.com/mcp", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"),
        ("https://example.com", "https://example.com/.well-known/oauth-protected-resource"),
        ("https://example.com/a/mcp?x=1", "https://example.com/.well-known/oauth-protected-resource/a/mcp"),
    ],
)
def test_the_metadata_url_follows_rfc_9728(resource: str, metadata: str) -> None:
    assert metadata_url(resource) == metadata


def test_challenge_text_cannot_break_out_of_its_quotes() -> None:
    assert _quoted('bad "quote" \\ and\r\nnew: line ü') == "bad 'quote'  andnew: line "
