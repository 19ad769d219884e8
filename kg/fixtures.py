"""A tiny, canonical evidence set for tests, golden queries, docs examples and the browser tests.

``write_fixture(folder)`` writes ``evidence/`` and ``sources/`` under ``folder``: two source
texts (one traceable report, one vague uncited page), the schemes the loader needs, two
mechanisms, two case studies (one with a hostile label) and a statements file. Anchors are
computed from the fixture texts, so the set passes ``ickg validate`` exactly like the real
data. Tests then break copies of it, one fault at a time.
"""

from __future__ import annotations

from pathlib import Path

from kg import yamlio

HOSTILE = "</script><img src=x onerror=alert(1)> & \"Care\" <b>Trust</b>"

REPORT = """Fixture review of integration

Case study A: Riverside Care Trust
Riverside Care Trust joined health and social care teams for older people in one town.
Each team uses a single assessment process and a pooled budget.
Effectiveness: Riverside had the lowest use of hospital bed days in the region.
There are no data available on cost-effectiveness.
Enablers: Long-term commitment to joint working.
Barriers: The initial absence of common information systems.

Case study B: Hostile Valley
Hostile Valley paid a capitation fee to one provider for the whole population.
Evidence on costs is mixed.

Levels
Macro level: integrated care for the whole population.
Meso level: integrated care for a particular care group.
"""

PAGE = """An overview page
Integrated care reduces hospital admissions for everyone, the page says, without evidence.
"""


def _q(text: str, source: str = "fixture-report", section: str = "Case study A: Riverside Care Trust") -> dict:
    return {"quote": text, "source": source, "section": section}


def _scheme(sid: str, ids: list[str], editorial: bool = True) -> dict:
    return {"id": sid, "label": sid.title(), "editorial": editorial,
            "concepts": [{"id": i, "label": i.replace("-", " ").title()} for i in ids]}


def records() -> dict[str, dict[str, dict]]:
    """The fixture records by folder and id."""
    schemes = {
        "form": _scheme("form", ["real", "virtual"]),
        "breadth": _scheme("breadth", ["horizontal", "vertical"]),
        "leutz": _scheme("leutz", ["linkage", "coordination", "full-integration"]),
        "need": _scheme("need", ["mild-to-moderate", "moderate", "severe-unstable"]),
        "process": _scheme("process", ["systemic", "organisational", "clinical", "informational",
                                       "financial", "normative", "functional"]),
        "domain": _scheme("domain", ["hospital-use", "costs", "cost-effectiveness", "patient-experience"]),
        "direction": _scheme("direction", ["positive", "negative", "mixed", "no-effect", "unclear"]),
        "claim-kind": _scheme("claim-kind", ["measured-outcome", "judgement", "target", "descriptive",
                                             "recommendation"]),
        "mechanism-status": _scheme("mechanism-status", ["in-use", "piloted", "planned", "recommended", "failed"]),
        "basis": _scheme("basis", ["before-after", "not-stated", "uncited-claim"]),
        "country": _scheme("country", ["gb-eng", "us"]),
        "population": _scheme("population", ["older-people", "whole-population"]),
        "factor-category": _scheme("factor-category", ["professional-cultural", "organisational", "policy"]),
        "factor-theme": _scheme("factor-theme", ["time-and-stability", "information-systems"]),
        "perspective": _scheme("perspective", ["service-users"]),
        "level": {"id": "level", "label": "Levels", "concepts": [
            {"id": "macro", "label": "Macro level",
             "definition": _q("Macro level: integrated care for the whole population.", section="Levels")},
            {"id": "meso", "label": "Meso level",
             "definition": _q("Meso level: integrated care for a particular care group.", section="Levels")},
            {"id": "micro", "label": "Micro level", "scope_note": "Not defined in the fixture text.",
             "quotes": [_q("integrated care for a particular care group.", section="Levels")]},
        ]},
    }
    sources = {
        "fixture-report": {"id": "fixture-report", "file": "fixture-report.txt", "title": "Fixture review of integration",
                           "creators": ["A. Curator"], "date": "2024", "type": "report", "support": "traceable",
                           "quotes": [_q("Fixture review of integration", section="Title")]},
        "fixture-page": {"id": "fixture-page", "file": "fixture-page.txt", "title": "An overview page",
                         "type": "web-page", "support": "non-traceable",
                         "note": "Vague: no author, no date, no evidence cited.",
                         "quotes": [_q("An overview page", "fixture-page", "Title")]},
    }
    mechanisms = {
        "pooled-budget": {"id": "pooled-budget", "label": "Pooled budget", "processes": ["financial"]},
        "capitation": {"id": "capitation", "label": "Capitation", "processes": ["financial"]},
        "single-assessment": {"id": "single-assessment", "label": "Single assessment process", "processes": ["clinical"]},
    }
    cases = {
        "riverside": {
            "id": "riverside", "label": "Riverside Care Trust", "kind": "organisation", "number": 1,
            "country": [{"value": "gb-eng", **_q("Riverside Care Trust joined health and social care teams")}],
            "level": [{"value": "meso", **_q("teams for older people in one town")}],
            "form": [{"value": "real", **_q("Riverside Care Trust joined health and social care teams")}],
            "population": [{"value": "older-people", **_q("teams for older people in one town")}],
            "processes": [
                {"process": "clinical", "mechanism": "single-assessment", **_q("Each team uses a single assessment process")},
                {"process": "financial", "mechanism": "pooled-budget", **_q("Each team uses a single assessment process and a pooled budget.")},
            ],
            "findings": [
                {"id": "bed-days", "summary": "Lowest bed-day use in the region.", "claim": "measured-outcome",
                 "domains": ["hospital-use"], "direction": "positive", "basis": "before-after",
                 **_q("Riverside had the lowest use of hospital bed days in the region.")},
                {"id": "no-cost-data", "summary": "No cost-effectiveness data.", "claim": "descriptive",
                 "domains": ["cost-effectiveness"], **_q("There are no data available on cost-effectiveness.")},
            ],
            "enablers": [{"id": "long-term-commitment", "label": "Long-term commitment", "theme": "time-and-stability", "category": "professional-cultural",
                          **_q("Long-term commitment to joint working.")}],
            "barriers": [{"id": "no-common-information-systems", "label": "No common information systems", "theme": "information-systems",
                          **_q("The initial absence of common information systems.")}],
        },
        "hostile-valley": {
            "id": "hostile-valley", "label": HOSTILE, "kind": "programme",
            "alt_labels": ["Hostile Valley"],
            "country": [{"value": "us", **_q("Hostile Valley paid a capitation fee", section="Case study B: Hostile Valley")}],
            "level": [{"value": "macro", **_q("for the whole population.", section="Case study B: Hostile Valley")}],
            "processes": [{"process": "financial", "mechanism": "capitation",
                           **_q("paid a capitation fee to one provider for the whole population.", section="Case study B: Hostile Valley")}],
            "findings": [{"id": "costs-mixed", "summary": f"Mixed evidence on costs {HOSTILE}",
                          "claim": "measured-outcome", "domains": ["costs"],
                          "direction": "mixed", **_q("Evidence on costs is mixed.", section="Case study B: Hostile Valley")}],
        },
    }
    statements = {
        "page-claims": {"id": "page-claims", "label": "Claims of the overview page", "findings": [
            {"id": "admissions", "summary": "Claims fewer admissions, citing nothing.", "claim": "judgement",
             "domains": ["hospital-use"],
             "direction": "positive", "basis": "uncited-claim", "about": ["mechanism:pooled-budget"],
             **_q("Integrated care reduces hospital admissions for everyone", "fixture-page", "Body")},
            {"id": "no-evidence", "summary": "The page cites no evidence for its claim.", "claim": "descriptive",
             "domains": ["hospital-use"], "about": ["mechanism:pooled-budget"],
             "qualifies": ["page-claims/admissions"], "note": "A caveat: it qualifies the claim above.",
             **_q("the page says, without evidence.", "fixture-page", "Body")},
        ]},
    }
    return {"sources": sources, "frameworks": schemes, "mechanisms": mechanisms,
            "case-studies": cases, "statements": statements}


def write_fixture(folder: Path) -> tuple[Path, Path]:
    """Write the fixture evidence and source texts under ``folder``; anchor every quote.

    Returns:
        ``(evidence_dir, sources_dir)``.
    """
    from kg.checks import anchor_corpus
    from kg.records import load_evidence

    evidence, sources = folder / "evidence", folder / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    (sources / "fixture-report.txt").write_text(REPORT, encoding="utf-8")
    (sources / "fixture-page.txt").write_text(PAGE, encoding="utf-8")
    for kind, items in records().items():
        (evidence / kind).mkdir(parents=True, exist_ok=True)
        for rid, data in items.items():
            (evidence / kind / f"{rid}.yaml").write_text(yamlio.dump(data), encoding="utf-8")
    corpus, problems = load_evidence(evidence)
    structural = [p for p in problems if p.severity == "error" and "no anchor" not in p.message]
    if structural:
        raise AssertionError("fixture invalid:\n" + "\n".join(map(str, structural)))
    _, failed = anchor_corpus(corpus, sources)
    if failed:
        raise AssertionError("fixture quotes:\n" + "\n".join(map(str, failed)))
    return evidence, sources
