"""kg.views.cases: the faceted case-study list and the case-study page.

Expected values come from the curated YAML (read here independently of the graph), from the
source texts as quoted in the files, or from a second computation over the rdflib graph;
never from a previous run of the code under test.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kg.fixtures import HOSTILE
from kg.namespaces import CASE
from kg.views import cases, common

ROOT = Path(__file__).resolve().parent.parent.parent
EVIDENCE = ROOT / "evidence"
C = "https://w3id.org/ickg/concept/"


def _yaml(kind: str, rid: str) -> dict:
    return yaml.safe_load((EVIDENCE / kind / f"{rid}.yaml").read_text(encoding="utf-8"))


def test_case_table_matches_the_files(ex):
    """One row per case-study file; classifications as the files give them; HRB numbers first."""
    rows = cases.case_table(ex)
    files = sorted(p.stem for p in (EVIDENCE / "case-studies").glob("*.yaml"))
    assert sorted(c.id for c in rows) == files
    numbers = [c.number for c in rows if c.number is not None]
    assert numbers == list(range(1, 19)) and all(c.number is not None for c in rows[:18])
    for c in rows:
        rec = _yaml("case-studies", c.id)
        for field, facet, scheme in (("level", "level", "level"), ("form", "form", "form"),
                                     ("country", "country", "country")):
            assert {common.local(v) for v in c.values(facet)} == {x["value"] for x in rec.get(field, [])}, c.id
        # only uses in place count as the mechanism facet (planned, recommended, failed do not)
        mechs = {p["mechanism"] for p in rec.get("processes", [])
                 if p.get("mechanism") and p.get("status", "in-use") in ("in-use", "piloted")}
        assert {common.local(v) for v in c.values("mechanism")} == mechs, c.id


def test_process_facet_includes_processes_reached_through_mechanisms(ex):
    """Torbay's pooled budget (a financial mechanism) puts Torbay under the financial process."""
    torbay = next(c for c in cases.case_table(ex) if c.id == "torbay-care-trust")
    assert C + "process/financial" in torbay.values("process")


def test_facets_and_within_or(ex):
    """Within a facet any value matches; across facets all must."""
    rows = cases.case_table(ex)
    meso, macro, eng = C + "level/meso", C + "level/macro", C + "country/gb-eng"
    both = cases.filter_cases(rows, {"level": [meso], "country": [eng]})
    expected = sorted(c for c in (p.stem for p in (EVIDENCE / "case-studies").glob("*.yaml"))
                      if {"meso"} & {x["value"] for x in _yaml("case-studies", c).get("level", [])}
                      and {"gb-eng"} & {x["value"] for x in _yaml("case-studies", c).get("country", [])})
    assert sorted(c.id for c in both) == expected and "torbay-care-trust" in expected
    either = cases.filter_cases(rows, {"level": [meso, macro]})
    assert {c.id for c in either} >= {"torbay-care-trust", "kaiser-permanente"}
    assert cases.filter_cases(rows, {"level": []}) == rows
    counts = cases.facet_counts(both, "level")
    assert counts[meso] == len(both)


def test_resolve_case(ex):
    """A case is found by id, prefixed name or IRI; anything else is None."""
    iri = str(CASE["pace"])
    assert cases.resolve_case(ex, "pace") == cases.resolve_case(ex, "case:pace") == cases.resolve_case(ex, iri) == iri
    for bad in ("", None, "nope", "case:nope", "https://example.org/pace"):
        assert cases.resolve_case(ex, bad) is None
    assert cases.case_detail(ex, "nope") is None


def test_torbay_page(ex):
    """Torbay (HRB case study 8): meso, real, England; pooled budget under financial; bed days; 4 + 4 factors."""
    rec = _yaml("case-studies", "torbay-care-trust")
    d = cases.case_detail(ex, "torbay-care-trust")
    assert (d.label, d.number) == ("Torbay Care Trust", 8)
    got = {(ln.label, ln.value) for ln in d.classification}
    assert {("Level of aggregation", "Meso level"), ("Form", "Real integration"), ("Country", "England")} <= got
    financial = next(b for b in d.processes if b.label == "Financial")
    assert "Pooled budget" in {m.value for m in financial.mechanisms}
    assert len(d.findings) == len(rec["findings"])
    assert len(d.enablers) == len(rec["enablers"]) and len(d.barriers) == len(rec["barriers"])
    hospital = next(b for b in d.domains if b.label == "Hospital use")
    [bed] = [f for f in hospital.findings if "bed days" in f.value]
    assert (bed.direction_label, bed.basis_label) == ("Positive", "Before-and-after study")
    quotes = {q.text for q in bed.quotes}
    assert any("lowest use of hospital bed days" in q for q in quotes)
    assert all(q.source_label and q.section for q in bed.quotes)
    # every line of the page has its quote, and every quote is one the file gives
    file_quotes = {" ".join(str(x).split()) for x in _walk_quotes(rec)}
    for ln in d.lines():
        assert ln.quotes, (ln.section, ln.value)
        if ln.label == "Given as an example of":  # quoted in the framework's file, not the case's
            continue
        for q in ln.quotes:
            assert " ".join(q.text.split()) in file_quotes, q.text
    assert sum(n for _, _, n in d.basis_counts) == len(d.findings)
    assert d.key_messages[0].startswith(f"{len(rec['findings'])} findings from 1 source about Torbay Care Trust")
    # key messages in plain words restate findings: the hospital-use one is the bed-days finding
    [hosp] = [m for m in d.key_messages if m.startswith("Hospital use:")]
    assert bed.value.rstrip(".") in hosp and "positive" in hosp and "before-and-after" in hosp


def _walk_quotes(node):
    if isinstance(node, dict):
        if "quote" in node:
            yield node["quote"]
        for v in node.values():
            yield from _walk_quotes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk_quotes(v)


def test_case_rows_download(ex):
    """The page's download has one row per line and quote, each with source, locator and quote."""
    d = cases.case_detail(ex, "pace")
    rows = cases.case_rows(d)
    assert len(rows) >= len(d.lines())
    assert all(r["quote"] and r["source"] and r["locator"] for r in rows)
    assert {r["section"] for r in rows} >= {"Classification", "Finding", "Mechanism"}


def test_what_each_source_says_about_pace(ex):
    """PACE: the HRB review and Shortell both speak of it, as the gallery query finds."""
    d = cases.case_detail(ex, "pace")
    names = {name for _, name, _ in d.by_source()}
    expected = {r["source"] for r in ex.rows("what-sources-say-about-a-case", case="case:pace")}
    assert expected <= names


def test_fixture_case_page(fx):
    """The fixture's Riverside Care Trust: its two findings and its factors, with quotes."""
    d = cases.case_detail(fx, "riverside")
    assert {f.value for f in d.findings} == {"Lowest bed-day use in the region.", "No cost-effectiveness data."}
    assert [e.value for e in d.enablers] == ["Long-term commitment"]
    assert [b.value for b in d.barriers] == ["No common information systems"]
    assert {(b.label, tuple(m.value for m in b.mechanisms)) for b in d.processes} == {
        ("Clinical", ("Single assessment process",)), ("Financial", ("Pooled budget",))}
    hostile = cases.case_detail(fx, "hostile-valley")
    assert hostile.label == HOSTILE  # data, kept as written; escaping is the page's job


def _findings_by_case() -> dict[str, list[dict]]:
    """Every finding about each case study, read from the YAML: its own findings and statements about it."""
    out: dict[str, list[dict]] = {p.stem: [] for p in (EVIDENCE / "case-studies").glob("*.yaml")}
    for p in (EVIDENCE / "case-studies").glob("*.yaml"):
        for f in yaml.safe_load(p.read_text(encoding="utf-8")).get("findings", []):
            out[p.stem].append(f)
            for a in f.get("about", []):
                if a.startswith("case:") and a[5:] in out and a[5:] != p.stem:
                    out[a[5:]].append(f)
    for p in [*(EVIDENCE / "statements").glob("*.yaml"), *(EVIDENCE / "mechanisms").glob("*.yaml")]:
        for f in yaml.safe_load(p.read_text(encoding="utf-8")).get("findings", []):
            for a in f.get("about", []):
                if a.startswith("case:") and a[5:] in out:
                    out[a[5:]].append(f)
    return out


def test_finding_facets_combine_per_finding(ex):
    """Hospital use + positive keeps a case only when one finding is both (issue 13)."""
    rows = cases.case_table(ex)
    chosen = {"domain": [C + "domain/hospital-use"], "direction": [C + "direction/positive"]}
    got = {c.id for c in cases.filter_cases(rows, chosen)}
    expected = {cid for cid, fs in _findings_by_case().items()
                if any("hospital-use" in f.get("domains", []) and f.get("direction") == "positive" for f in fs)}
    assert got == expected
    # pooled budgets in England: hospital-use findings exist and positive findings exist, but never on one finding
    pooled = _findings_by_case()["pooled-budgets-england"]
    assert any("hospital-use" in f.get("domains", []) for f in pooled)
    assert any(f.get("direction") == "positive" for f in pooled)
    assert "pooled-budgets-england" not in got
    # each facet alone still matches any finding
    alone = {c.id for c in cases.filter_cases(rows, {"domain": [C + "domain/hospital-use"]})}
    assert "pooled-budgets-england" in alone
    # the counts beside a value say what choosing it would leave
    others = cases.filter_cases(rows, {"domain": chosen["domain"]})
    counts = cases.facet_counts(others, "direction", chosen)
    assert counts[C + "direction/positive"] == len(got)


def test_key_messages_carry_the_key_numbers(ex):
    """Each domain's key message restates its strongest finding with the figures the file gives (issue 13)."""
    checked = 0
    for c in cases.case_table(ex):
        d = cases.case_detail(ex, c.id)
        for m in d.key_messages[1:]:
            domain, sep, rest = m.partition(": ")
            block = next((b for b in d.domains if b.label == domain), None)
            if block is None or not sep:
                continue
            best = next((f for f in block.findings if f.direction_id != "none"), block.findings[0])
            assert rest.startswith(best.value.rstrip(".")), m
            for fig in best.figures:
                assert fig in m, (m, fig)
                checked += 1
    assert checked >= 5  # the corpus has findings with figures that key messages show


def test_cited_studies_link_to_doi_or_url(ex):
    """Torbay's findings cite HRB references 13 and 24, whose texts give King's Fund addresses (issue 13)."""
    rec = _yaml("sources", "pike-mongan-2014")
    texts = {r["number"]: r["quote"] for r in rec["references"]}
    cited = {n for f in _yaml("case-studies", "torbay-care-trust")["findings"] for n in f.get("cites", [])}
    d = cases.case_detail(ex, "torbay-care-trust")
    assert {r.number for r in d.references} == cited
    for r in d.references:
        assert " ".join(r.text.split()) == " ".join(texts[r.number].split())
        for url in r.links:
            assert url in texts[r.number] or url.removeprefix("https://doi.org/") in texts[r.number]
    [ref24] = [r for r in d.references if r.number == "24"]
    assert ref24.links and ref24.links[0].startswith("http://www.kingsfund.org.uk/")


def test_printable_page_escapes_and_has_quotes(fx):
    """The printable page holds key messages, findings with quotes, and escapes a hostile label."""
    d = cases.case_detail(fx, "hostile-valley")
    page = cases.case_print_html(d, "r1", "cite me")
    assert HOSTILE not in page and "&lt;" in page
    d = cases.case_detail(fx, "riverside")
    page = cases.case_print_html(d, "r1", "cite me")
    assert "Key messages" in page and "Lowest bed-day use in the region." in page and "<blockquote>" in page


def test_findings_carry_claim_kind_and_caveats(ex):
    """PACE's Medicaid saving shows its caveat (no empirical data) and claim kind on the page and in the download."""
    rec = _yaml("case-studies", "pace")
    by_id = {f["id"]: f for f in rec["findings"]}
    d = cases.case_detail(ex, "pace")
    saving = next(f for f in d.findings if f.value == by_id["medicaid-savings"]["summary"])
    assert saving.claim_label.lower() == "measured outcome" and saving.direction_id == "positive"
    assert [c.summary for c in saving.caveats] == [by_id["medicaid-savings-no-data"]["summary"]]
    assert saving.caveats[0].quotes[0].text == by_id["medicaid-savings-no-data"]["quote"]
    caveat = next(f for f in d.findings if f.value == by_id["medicaid-savings-no-data"]["summary"])
    assert caveat.direction_id == "none"  # a descriptive fact carries no direction, and is not counted as one
    assert d.direction_counts.get("none", 0) == sum(1 for f in _findings_by_case()["pace"] if "direction" not in f)
    rows = [r for r in cases.case_rows(d) if r["value"] == saving.value]
    assert rows and all(r["claim_kind"].lower() == "measured outcome" and "no empirical data" in r["caveats"]
                        for r in rows)
    [msg] = [m for m in d.key_messages if saving.value.rstrip(".") in m] or [None]
    if msg:  # where the saving is a key message, its caveat is said with it
        assert "caveat" in msg
    # the claim-kind facet combines per finding: PACE has a descriptive finding on costs
    C_ = "https://w3id.org/ickg/concept/"
    kept = cases.filter_cases(cases.case_table(ex), {"claim": [C_ + "claim-kind/descriptive"],
                                                     "domain": [C_ + "domain/costs"]})
    assert "pace" in {c.id for c in kept}
