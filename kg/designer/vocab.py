"""The vocabularies the designer asks about, and Shaw et al.'s five questions, read through named queries."""

from __future__ import annotations

from typing import Any

from kg.designer.model import local_id


def vocab(explorer: Any, scheme: str) -> list[dict[str, str]]:
    """Concepts of a scheme: id, label, broader (ids), in the scheme's order."""
    rows = explorer.rows("_concept_tree", scheme=f"scheme:{scheme}")
    out: dict[str, dict] = {}
    for r in rows:
        cid = local_id(r["concept"])
        item = out.setdefault(cid, {"id": cid, "label": r["label"], "iri": r["concept"], "broader": []})
        if r.get("broader"):
            item["broader"].append(local_id(r["broader"]))
    return list(out.values())


def labels(explorer: Any, scheme: str) -> dict[str, str]:
    """Concept id -> label for a scheme."""
    return {c["id"]: c["label"] for c in vocab(explorer, scheme)}


def shaw(explorer: Any) -> list[dict[str, str]]:
    """Shaw et al.'s five questions with their prompts and the locator of the quote."""
    return explorer.rows("shaw-questions")
