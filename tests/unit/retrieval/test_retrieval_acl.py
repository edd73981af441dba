"""Roles → ACL groups, scopes and the Milvus filter built from them (no I/O)."""

from __future__ import annotations

import pytest

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from retrieval.acl import check_acl_groups, groups_for_roles, scope_for
from retrieval.milvus_store import acl_key_of, keyword_query, scope_filter
from retrieval.ports import AccessScope


@pytest.mark.parametrize(("roles", "groups"), [
    ("employee", {"all"}),
    ("accountant,employee", {"all", "finance"}),
    ("controller", {"all", "finance"}),
    ("cfo,employee", {"all", "finance", "executives"}),
    ("sales_rep", {"all", "sales"}),
    ("sales_manager", {"all", "sales"}),
    ("hr,employee", {"all", "hr"}),
    ("admin", {"all", "executives"}),
    ("", {"all"}),
    ("made_up_role", {"all"}),
])
def test_groups_for_roles(roles: str, groups: set[str]) -> None:
    assert groups_for_roles(Actor.of("u@acme", "acme", roles).roles) == groups


def test_no_role_but_hr_reads_hr_and_only_cfo_admin_read_board_memos() -> None:
    every_role = ["accountant", "controller", "cfo", "sales_rep", "sales_manager", "hr", "employee", "admin"]
    assert [r for r in every_role if "hr" in groups_for_roles({r})] == ["hr"]
    assert [r for r in every_role if "executives" in groups_for_roles({r})] == ["cfo", "admin"]


def test_scope_filter_is_tenant_and_group_bound() -> None:
    scope = scope_for(Actor.of("alice@acme", "acme", "accountant"))
    assert scope == AccessScope("acme", frozenset({"all", "finance"}))
    assert scope_filter(scope) == 'tenant == "acme" and (acl_key like "%|all|%" or acl_key like "%|finance|%")'


def test_acl_key_patterns_match_one_group_exactly() -> None:
    # "_" is a LIKE wildcard; names cannot contain ".", so "sales_ops" and "sales-ops" stay apart
    assert acl_key_of(["finance", "all", "finance"]) == "|all|finance|"
    assert acl_key_of(["sales_ops"]) == "|sales.ops|"
    only_ops = AccessScope("acme", frozenset({"sales_ops"}))
    assert scope_filter(only_ops) == 'tenant == "acme" and (acl_key like "%|sales.ops|%")'
    with pytest.raises(NexusError):
        acl_key_of(["a%b"])


@pytest.mark.parametrize("tenant", ['acme" or tenant != "', "ACME", "", "a b", "x" * 80])
def test_unsafe_tenant_names_are_refused(tenant: str) -> None:
    with pytest.raises(NexusError) as err:
        scope_for(Actor.of("u", tenant, "employee"))
    assert err.value.code is ErrorCode.VALIDATION_FAILED


def test_document_acl_lists_are_checked() -> None:
    assert check_acl_groups(["hr", "all", "hr"]) == ("all", "hr")
    with pytest.raises(NexusError) as err:
        check_acl_groups(["everyone", "board"])
    assert len(err.value.issues) == 2
    with pytest.raises(NexusError):
        check_acl_groups([])


def test_keyword_query_drops_stop_words_but_never_everything() -> None:
    assert keyword_query("What is the maximum hotel rate per night?") == "maximum hotel rate night?"
    assert keyword_query("401(k) plan, The match") == "401(k) plan, match"
    assert keyword_query("what is it") == "what is it"
