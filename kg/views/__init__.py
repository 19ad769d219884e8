"""The data of the app's pages: one module per page, named like the page in ``app_pages/``.

``app_pages/cases.py`` reads :mod:`kg.views.cases`, ``app_pages/evidence_map.py`` reads
:mod:`kg.views.evidence_map`, and so on (:mod:`~kg.views.overview`, :mod:`~kg.views.compare`,
:mod:`~kg.views.ontology`, :mod:`~kg.views.sparql`); what several pages share (labels,
sources, quotes, statements, concepts) is in :mod:`kg.views.common`. The graph page's data is
in :mod:`kg.analytics` and the design assistant's in :mod:`kg.designer`, which the CLI and the
HTTP layer use as well. Citations are in :mod:`kg.cite`, downloads in :mod:`kg.serialise`.

Every view takes an :class:`~kg.service.Explorer` and reads the graph only through named
queries, so each has a machine form that tests and scripts can call. Imports run one way:
``common`` ← ``cases`` ← ``compare``, ``evidence_map``, ``sparql``; ``overview`` and
``ontology`` read ``common`` only. What this package does not do: render HTML or Markdown
(pages escape what they show), or hold SPARQL text (the named queries do).
"""
