"""Search over the indexed demo corpus: citations, and the ACL rules (no HR-only or board chunk for an employee, no
chunk of another tenant, ever)."""

from __future__ import annotations

import pytest

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from retrieval.search import DocumentSearch

HR_DOCS = {"acme-hr-compensation-bands", "acme-hr-performance-review-process", "globex-hr-salary-bands",
           "globex-hr-works-council-agreement"}
BOARD_DOCS = {"acme-board-memo-fy2026-budget", "acme-board-memo-project-falcon", "globex-board-memo-expansion-munich",
              "globex-board-memo-fy2026-results"}
PROBES = ["salary bands for senior level", "Project Falcon acquisition valuation", "merit increase budget",
          "board approved budget revenue target", "performance improvement plan", "Munich office expansion",
          "dividend proposal", "works council overtime", "hotel cap per night", "compensation"]


@pytest.fixture(scope="module")
def search(demo_index, embedder) -> DocumentSearch:  # type: ignore[no-untyped-def]
    return DocumentSearch(demo_index, embedder)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_employee_never_gets_hr_or_board_chunks(search: DocumentSearch, mode: str) -> None:
    eve = Actor.of("eve@acme", "acme", "employee")
    for probe in PROBES:
        hits = search.search(eve, probe, k=20, mode=mode)  # type: ignore[arg-type]
        assert not {h.doc_id for h in hits} & (HR_DOCS | BOARD_DOCS), probe
        assert all(h.doc_id.startswith("acme-") for h in hits), probe


def test_hr_and_executives_do_see_their_documents(search: DocumentSearch) -> None:
    hana = Actor.of("hana@acme", "acme", "hr,employee")
    assert search.search(hana, "salary bands for senior level")[0].doc_id == "acme-hr-compensation-bands"
    frank = Actor.of("frank@acme", "acme", "cfo,employee")
    assert search.search(frank, "Project Falcon acquisition")[0].doc_id == "acme-board-memo-project-falcon"
    assert not {h.doc_id for h in search.search(frank, "salary bands", k=20)} & HR_DOCS


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_a_tenant_never_gets_the_other_tenants_chunks(search: DocumentSearch, mode: str) -> None:
    for user, tenant in (("frank@globex", "globex"), ("frank@acme", "acme")):
        actor = Actor.of(user, tenant, "cfo,hr,sales_manager,employee")
        for probe in [*PROBES, "Berlin office rent", "San Jose headquarters lease", "AR-7 palletising robot"]:
            hits = search.search(actor, probe, k=20, mode=mode)  # type: ignore[arg-type]
            assert all(h.doc_id.startswith(f"{tenant}-") for h in hits), (tenant, probe)


def test_hits_carry_citation_data(search: DocumentSearch) -> None:
    alice = Actor.of("alice@acme", "acme", "accountant,employee")
    hit = search.search(alice, "who approves journal entries of 100,000 USD or more")[0]
    assert hit.doc_id in {"acme-procurement-approval-matrix", "acme-journal-entry-guidelines"}
    citation = hit.citation()
    assert set(citation) == {"doc_id", "chunk_id", "title", "section", "page", "snippet"}
    assert citation["chunk_id"].startswith(f"acme/{hit.doc_id}#") and citation["title"] and citation["section"]

    pdf_hit = search.search(alice, "corrections reversing entry original entry number posted entries never edited")[0]
    assert pdf_hit.doc_id == "acme-journal-entry-guidelines"
    assert pdf_hit.section == "5. Corrections" and pdf_hit.page == 3, "PDF chunks cite their page and heading"


def test_bad_queries_are_refused(search: DocumentSearch) -> None:
    eve = Actor.of("eve@acme", "acme", "employee")
    for query, k in (("   ", 5), ("x" * 3000, 5), ("hotel", 0)):
        with pytest.raises(NexusError) as err:
            search.search(eve, query, k=k)
        assert err.value.code is ErrorCode.VALIDATION_FAILED
