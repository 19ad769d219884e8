"""Integrated-care knowledge graph: curated evidence to a validated, queryable RDF graph.

The flow runs one way: ``evidence/*.yaml`` and ``ontology/*.ttl`` are loaded into validated
records (:mod:`kg.records`), built into RDF and checked with SHACL (:mod:`kg.build`,
:mod:`kg.validate`), and then read by every consumer through the query layer.
"""

__version__ = "0.2.0"
