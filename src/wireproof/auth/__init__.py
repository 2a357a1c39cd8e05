"""Least privilege that fails closed: principals with scopes, and how a call gets one."""

from wireproof.auth._jwt import JwtVerifier
from wireproof.auth._keys import ApiKey, EnvironmentKey, KeysFile, KeysFileError, hash_key
from wireproof.auth._principal import LOCAL_OPERATOR, Principal, ScopePolicy

__all__ = [
    "LOCAL_OPERATOR",
    "ApiKey",
    "EnvironmentKey",
    "JwtVerifier",
    "KeysFile",
    "KeysFileError",
    "Principal",
    "ScopePolicy",
    "hash_key",
]
