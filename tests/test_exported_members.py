"""The public API is a decision: this test names every public name."""

import wireproof
import wireproof.schema


def test_top_level_exports_are_exactly_the_public_api() -> None:
    assert sorted(wireproof.__all__) == sorted(
        [
            "Arguments",
            "AuthError",
            "Conflict",
            "Connector",
            "Examples",
            "FieldError",
            "Forbidden",
            "Format",
            "InsufficientScope",
            "InternalError",
            "InvalidInput",
            "NotFound",
            "Pattern",
            "RateLimited",
            "TokenExpired",
            "Tool",
            "ToolContext",
            "ToolDefinitionError",
            "Unauthenticated",
            "Unavailable",
            "WireproofError",
            "__version__",
            "render_tool_error",
        ]
    )


def test_every_exported_name_exists_and_belongs_to_wireproof() -> None:
    for name in wireproof.__all__:
        member = getattr(wireproof, name)
        if name != "__version__":
            assert member.__module__.startswith("wireproof."), name
    for name in wireproof.schema.__all__:
        assert hasattr(wireproof.schema, name), name
