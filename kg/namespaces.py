"""IRIs: the closed ontology namespace and the data namespaces.

``IC`` is a :class:`rdflib.namespace.DefinedNamespace` with ``_fail = True``: code can only
use terms the ontology declares, and ``tests/test_ontology.py`` asserts that the attributes
here equal the terms declared in ``ontology/ickg.ttl``, so renaming a term breaks a test. That
guards the public IRI contract researchers' queries rely on.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/ickg/"


class IC(DefinedNamespace):
    """The ``ic:`` ontology namespace."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    Assertion: URIRef
    Barrier: URIRef
    CaseStudy: URIRef
    Design: URIRef
    DesignNote: URIRef
    Enabler: URIRef
    EvidenceStatement: URIRef
    Factor: URIRef
    Figure: URIRef
    Goal: URIRef
    Mechanism: URIRef
    MechanismUse: URIRef
    Quote: URIRef
    Release: URIRef
    Source: URIRef
    about: URIRef
    breadth: URIRef
    caseKind: URIRef
    caseNumber: URIRef
    citesReference: URIRef
    claimKind: URIRef
    contentHash: URIRef
    country: URIRef
    definitionQuote: URIRef
    describedBy: URIRef
    discussedIn: URIRef
    doi: URIRef
    editorial: URIRef
    effectDirection: URIRef
    evaluationDesign: URIRef
    evidenceBasis: URIRef
    factorCategory: URIRef
    factorTheme: URIRef
    figure: URIRef
    form: URIRef
    hasBarrier: URIRef
    hasEnabler: URIRef
    hasExample: URIRef
    hasFigure: URIRef
    hasGoal: URIRef
    hasMechanismUse: URIRef
    hasNote: URIRef
    intensity: URIRef
    issue: URIRef
    journal: URIRef
    level: URIRef
    line: URIRef
    locator: URIRef
    measure: URIRef
    needLevel: URIRef
    noteTopic: URIRef
    ofMechanism: URIRef
    ofProcess: URIRef
    outcomeDomain: URIRef
    pages: URIRef
    partOf: URIRef
    perspective: URIRef
    printedValue: URIRef
    qualifiedBy: URIRef
    qualifies: URIRef
    question: URIRef
    referenceNumber: URIRef
    releaseId: URIRef
    section: URIRef
    sector: URIRef
    sourceFile: URIRef
    suggestsIntensity: URIRef
    summary: URIRef
    supportType: URIRef
    supportedBy: URIRef
    targetOutcome: URIRef
    targetPopulation: URIRef
    unit: URIRef
    useStatus: URIRef
    usedIn: URIRef
    usesMechanism: URIRef
    usesMechanismUnder: URIRef
    usesProcess: URIRef
    value: URIRef
    volume: URIRef

ONTOLOGY = URIRef(BASE + "ontology")
CASE = Namespace(BASE + "case/")
MECHANISM = Namespace(BASE + "mechanism/")
STATEMENT = Namespace(BASE + "statement/")
SOURCE = Namespace(BASE + "source/")
QUOTE = Namespace(BASE + "quote/")
FACTOR = Namespace(BASE + "factor/")
ASSERTION = Namespace(BASE + "assertion/")
GOAL = Namespace(BASE + "goal/")
FIGURE = Namespace(BASE + "figure/")
MECHANISM_USE = Namespace(BASE + "mechanism-use/")
SCHEME = Namespace(BASE + "scheme/")
RELEASE = URIRef(BASE + "release")
ECO = Namespace("http://purl.obolibrary.org/obo/")
OA = Namespace("http://www.w3.org/ns/oa#")
ICKGSH = Namespace(BASE + "shapes#")

#: ECO evidence types for "author statement supported by traceable reference" and
#: "non-traceable author statement".
ECO_TRACEABLE = ECO["ECO_0000033"]
ECO_NON_TRACEABLE = ECO["ECO_0000034"]


def concept_ns(scheme: str) -> Namespace:
    """Namespace of the concepts of one scheme, e.g. ``concept/level/``."""
    return Namespace(f"{BASE}concept/{scheme}/")


def concept(scheme: str, local: str) -> URIRef:
    """IRI of a concept (mechanisms have their own namespace)."""
    if scheme == "mechanism":
        return MECHANISM[local]
    return concept_ns(scheme)[local]


#: The concept schemes (``evidence/frameworks/<id>.yaml``); each gives a prefix ``<id>:`` for its concepts
#: (``domain:hospital-use``, ``level:meso``), predeclared in every query surface and bound in exports.
#: A test compares this list with the framework files, so a new scheme cannot be left out.
CONCEPT_SCHEMES = (
    "aligned-budget-features", "aligned-budget-interim-uses", "basis", "breadth",
    "bundled-payment-rationale", "care-group-legal-forms", "care-support-vision",
    "case-management-enablers", "case-management-programme", "ccnc-leadership", "claim-kind",
    "conceptual-frameworks", "contextual-elements", "country", "critical-normative-mechanisms",
    "curry-ham-debate", "definitions", "delayed-discharge-reimbursement", "direction",
    "dmp-germany-design", "domain", "expected-impacts", "factor-category", "factor-theme",
    "financial-integration-types", "form", "geisinger-innovation", "goddard-mason-integration",
    "ict-benefits", "ict-factors", "individual-budget-eligibility", "integration-types-eo",
    "isd-indicators", "kaiser-triangle", "leutz", "leutz-laws", "level", "lhcc-hierarchy",
    "macro-characteristics", "macro-framework-considerations", "measurement-areas",
    "mechanism-status", "medical-group-types", "need", "need-response",
    "nhs-act-2006-flexibilities", "normative-mechanisms", "normative-tensions",
    "overview-application", "overview-challenges", "overview-cognitive-era",
    "overview-commons-assessment", "overview-definitions", "overview-evidence",
    "overview-practices", "overview-principles", "overview-resources", "overview-steps",
    "overview-success-factors", "partnership-factors", "partnership-readiness",
    "partnership-spectrum", "personal-budget-process", "personal-health-budget-configuration",
    "perspective", "poku-pillars", "pooled-budget-barriers", "pooled-budget-success-factors",
    "poor-discharge-practice", "population", "prisma-coordination-levels", "process",
    "registry-criteria", "self-management-enabling-factors", "self-management-evidence-limitations",
    "shaw", "success-features",
)

#: Prefixes bound in every export and offered to every query.
FIXED_PREFIXES = {
    "ic": str(IC._NS),
    "case": str(CASE),
    "mechanism": str(MECHANISM),
    "stmt": str(STATEMENT),
    "src": str(SOURCE),
    "quote": str(QUOTE),
    "factor": str(FACTOR),
    "assertion": str(ASSERTION),
    "goal": str(GOAL),
    "figure": str(FIGURE),
    "use": str(MECHANISM_USE),
    "scheme": str(SCHEME),
    "eco": str(ECO),
    "oa": str(OA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
}
# the concept-scheme prefixes follow the fixed ones (issue 13: `domain:hospital-use` must work wherever
# the predeclared prefixes are promised: the app, the CLI and `ickg serve`)
FIXED_PREFIXES.update({s: f"{BASE}concept/{s}/" for s in CONCEPT_SCHEMES if s not in FIXED_PREFIXES})
