"""The public API is a decision: this test names every public name."""

import wireproof
import wireproof.schema


def test_top_level_exports_are_exactly_the_public_api() -> None:
    assert sorted(wireproof.__all__) == sorted(
        [
            "LOCAL_OPERATOR",
            "Arguments",
            "AuthError",
            "Conflict",
            "Connector",
            "CursorCodec",
            "Examples",
            "FieldError",
            "Forbidden",
            "Format",
            "InsufficientScope",
            "InternalError",
            "InvalidInput",
            "KeysFile",
            "NotFound",
            "Page",
            "Pattern",
            "PerThreadConnections",
            "Principal",
            "RateLimited",
            "ScopePolicy",
            "TokenExpired",
            "Tool",
            "ToolAnswer",
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


def test_subpackage_public_apis_are_decided_too() -> None:
    import wireproof.check
    import wireproof.idempotency
    import wireproof.testing

    assert sorted(wireproof.idempotency.__all__) == sorted(
        [
            "DEFAULT_LOCK_TIMEOUT",
            "DEFAULT_RETENTION",
            "ClaimResult",
            "Claimed",
            "DatabaseFile",
            "IdempotencyStore",
            "InProgress",
            "LostClaimError",
            "MemoryIdempotencyStore",
            "Mismatch",
            "PostgresIdempotencyStore",
            "Replay",
            "SqliteIdempotencyStore",
            "StoredResult",
            "canonical_json",
            "fingerprint",
            "iter_differences",
            "open_store",
            "sqlite_unavailable",
        ]
    )
    assert sorted(wireproof.check.__all__) == sorted(
        [
            "AuthCase",
            "CheckConfigError",
            "CheckOptions",
            "CheckTargetError",
            "Evidence",
            "Finding",
            "Observer",
            "Report",
            "SetupCall",
            "Target",
            "load_config",
            "run_check",
            "target_from_mcp_config",
        ]
    )
    assert sorted(wireproof.testing.__all__) == ["ConnectorNotFit", "assert_fit", "check_connector"]
    for module in (wireproof.idempotency, wireproof.check, wireproof.testing):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
