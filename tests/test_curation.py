"""The curated graph holds what the sources say: case studies, mechanisms per process, findings.

Expected values are read from the source texts (the passage is named in each comment), not
from an earlier run: a curation error or a lost file fails here.
"""

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespaces import CASE, IC, STATEMENT, concept

# number -> id, level, form (None: the text does not say), country (None: not tested),
# {process: mechanisms the text names under it}
HRB_CASES = {
    1: ("kaiser-permanente", "macro", "virtual", "us", {
        "organisational": {"multispecialty-group"},          # "multi-specialty medical groups"
        "financial": {"capitation", "salaried-physicians", "incentive-pool"},  # "capitation payment ... salaries ... incentive pool"
        "informational": {"shared-electronic-record", "patient-portal", "disease-registry"},
        "clinical": {"care-pathway", "discharge-planning", "clinical-guidelines"}}),
    2: ("geisinger", "macro", "virtual", "us", {"financial": {"bundled-payment"}}),  # ProvenCare
    3: ("gripa", "macro", "virtual", "us", {"organisational": {"independent-practice-association"}}),
    4: ("ccnc", "macro", "virtual", "us", {                # "medical home and care management"
        "clinical": {"medical-home", "case-management", "disease-management-programme", "clinical-guidelines"}}),
    5: ("veterans-health-administration", "macro", "real", "us", {
        "financial": {"capitation"},                         # "allocates resources on a capitation basis"
        "informational": {"clinical-decision-support"},      # "decision support tools and physician alerts"
        "normative": {"performance-reporting"}}),            # "culture of measurement and reporting"
    6: ("mayo-clinic", "macro", "real", "us", {"financial": {"salaried-physicians"},
                                                "organisational": {"multispecialty-group"}}),
    7: ("pace", "meso", "real", "us", {
        "financial": {"capitation", "pooled-budget"},        # "capitation payments ... pooled resources"
        "clinical": {"multidisciplinary-team", "day-health-centre", "case-management"},
        "informational": {"electronic-health-record"}}),     # DataPACE
    8: ("torbay-care-trust", "meso", "real", "gb-eng", {
        "financial": {"pooled-budget", "joint-commissioning"},
        # discharge planning "is also being developed": a planned use, not counted as in use
        "clinical": {"single-assessment", "care-coordinator", "co-located-team"},
        "informational": {"patient-held-record"}, "normative": {"staff-seminars"},
        "organisational": {"aligned-geography", "integrated-governance"}}),
    9: ("dmp-germany", "meso", "virtual", "de", {"clinical": {"disease-management-programme"}}),
    10: ("matador-maastricht", "meso", "virtual", "nl", {"clinical": {"disease-management-programme",
                                                                      "multidisciplinary-team"}}),
    # "joint commissioning, pooled budgets and personal health budgets are three mechanisms for
    # working as a partnership"
    11: ("partnerships-england", "meso", "virtual", "gb-eng", {
        # personal health budgets are piloted ("the piloting of personal health budgets")
        "financial": {"pooled-budget", "joint-commissioning", "personal-health-budget"}}),
    12: ("managed-clinical-networks-scotland", "meso", "virtual", "gb-sct",
         {"organisational": {"managed-clinical-network"}}),
    13: ("lhcc-scotland", "meso", "virtual", "gb-sct", {"organisational": {"managed-care-network"}}),
    14: ("chains-of-care-sweden", "meso", "virtual", "se", {"clinical": {"care-pathway"}}),
    # "pooled budgets, individual budgets and prepaid capitation"
    # "pooled health and social care budgets can assist case managers": a possibility, not a use
    # (status recommended, issue 12), so it is no ic:usesMechanism (tests/test_queries.py::test_mechanism_uses)
    15: ("case-management", "micro", None, None, {"clinical": {"case-management"},
                                                  "financial": {"personal-budget", "capitation"}}),
    16: ("self-management-support", "micro", None, None, {"clinical": {"self-management-support"}}),
    17: ("coordinated-care-australia", "meso", "real", "au", {"clinical": {"care-coordinator", "shared-care-plan"},
                                                             "financial": {"pooled-budget"}}),
    # "single entry point ... case manager ... individualised service plan"
    18: ("prisma-canada", "meso", "real", "ca", {"clinical": {"single-entry-point", "case-management",
                                                              "individualised-service-plan"}}),
}


def _objs(g, s, p):
    return {str(o).rstrip("/").rsplit("/", 1)[-1] for o in g.objects(s, p)}


@pytest.mark.parametrize("number", sorted(HRB_CASES))
def test_numbered_case_study(shipped_graph, number):
    """Each of the HRB review's 18 case studies: number, level, form, country, mechanisms per process."""
    g = shipped_graph
    cid, level, form, country, processes = HRB_CASES[number]
    case = CASE[cid]
    assert (case, RDF.type, IC.CaseStudy) in g
    assert int(g.value(case, IC.caseNumber)) == number
    assert _objs(g, case, IC.level) == {level}
    assert _objs(g, case, IC.form) == ({form} if form else set())
    if country:
        assert country in _objs(g, case, IC.country)
    uses = {}
    for a in g.subjects(RDF.subject, case):
        if g.value(a, RDF.predicate) == IC.usesMechanism:
            # a narrower mechanism (individual budgets) counts for its broader one (personal budgets)
            ms = {str(x).rsplit("/", 1)[-1] for x in g.transitive_objects(g.value(a, RDF.object), SKOS.broader)}
            # the processes the same quotes report it under
            for quote in g.objects(a, IC.supportedBy):
                for b in g.subjects(IC.supportedBy, quote):
                    if g.value(b, RDF.subject) == case and g.value(b, RDF.predicate) == IC.usesProcess:
                        uses.setdefault(str(g.value(b, RDF.object)).rsplit("/", 1)[-1], set()).update(ms)
    for process, mechanisms in processes.items():
        assert mechanisms <= uses.get(process, set()), (process, mechanisms - uses.get(process, set()))


def test_other_hrb_schemes_are_case_studies(shipped_graph):
    """The other named schemes of the review are case studies linked to their mechanisms."""
    g = shipped_graph
    expected = {"pooled-budgets-england": "pooled-budget", "pooled-budgets-sweden": "pooled-budget",
                "cross-charging-england": "cross-charging", "dutch-care-groups": "bundled-payment",
                "individual-budgets-england": "personal-budget", "personal-health-budgets-england": "personal-budget",
                "telecare-telehealth-england": "telehealth", "telehealth-lombardy": "telehealth",
                "swedish-disease-registries": "disease-registry"}
    for cid, mechanism in expected.items():
        used = {str(m) for m in g.objects(CASE[cid], IC.usesMechanism)}
        broader = {str(b) for m in g.objects(CASE[cid], IC.usesMechanism) for b in g.transitive_objects(m, SKOS.broader)}
        assert str(concept("mechanism", mechanism)) in used | broader, cid


# statement -> (a subject it must be about, outcome domains it must have, direction); spread over
# the whole review: case studies, the cross-cutting sections, mechanisms and the tables.
HRB_FINDINGS = {
    "kaiser-permanente.survey-satisfaction": ("case:kaiser-permanente", {"patient-experience"}, "positive"),
    "pace.self-reported-health": ("case:pace", {"health-outcomes"}, "positive"),
    "pace.hospital-use": ("case:pace", {"hospital-use"}, "positive"),
    "pace.medicaid-savings-no-data": ("case:pace", {"costs"}, "descriptive"),  # "No empirical data were found"
    "torbay-care-trust.residential-nursing-homes": ("case:torbay-care-trust", {"long-term-care-use"}, "positive"),
    "torbay-care-trust.no-cost-effectiveness-data": ("case:torbay-care-trust", {"cost-effectiveness"}, "descriptive"),
    "dmp-germany.table2-total-costs": ("case:dmp-germany", {"costs"}, "positive"),  # Table 2: 4,800 -> 4,177 (-13%)
    "matador-maastricht.estimated-saving-per-patient": ("case:matador-maastricht", {"costs"}, "positive"),
    "case-management.hospital-use-mixed": ("case:case-management", {"hospital-use"}, "mixed"),
    "coordinated-care-australia.primary-care-up-inpatient-down": ("case:coordinated-care-australia", {"hospital-use"}, "positive"),
    "prisma-canada.caregiver-burden": ("case:prisma-canada", {"carers"}, "positive"),
    "self-management-support.some-evidence-improves-outcomes": ("case:self-management-support", {"health-outcomes"}, "positive"),
    "hrb-ict.va-ccht-admissions": ("case:veterans-health-administration", {"hospital-use"}, "positive"),  # reported twice (case study 5 and ICT): one statement
    "gripa.risk-contracting-end-reduced-incomes": ("case:gripa", {"workforce"}, "negative"),
    "mayo-clinic.top-performing-system": ("case:mayo-clinic", {"care-quality"}, "positive"),
    "geisinger.navigator-prescription-adherence": ("case:geisinger", {"care-quality"}, "positive"),
    # "there were more than 80 associations of this kind in Sweden": a count, not an effect
    "chains-of-care-sweden.financial-coordination-associations-count": ("case:chains-of-care-sweden", {"integration-process"}, "descriptive"),
    "cross-charging-england.proposals-criticised": ("case:cross-charging-england", {"integration-process"}, "negative"),
    "dutch-care-groups.fee-differences-narrowed": ("case:dutch-care-groups", {"costs"}, "descriptive"),
    "individual-budgets-england.young-disabled-better-qol": ("case:individual-budgets-england", {"quality-of-life"}, "positive"),
    "personal-health-budgets-england.rigid-configurations-negative": ("case:personal-health-budgets-england", {"overall-effectiveness"}, "negative"),
    "pooled-budgets-england.changed-ways-of-thinking": ("case:pooled-budgets-england", {"integration-process"}, "positive"),
    "telecare-telehealth-england.cost-per-qaly": ("mechanism:telehealth", {"cost-effectiveness"}, "negative"),  # £92,000 per QALY
    "swedish-disease-registries.best-outcomes-in-europe": ("mechanism:disease-registry", {"health-outcomes"}, "positive"),
    "hrb-structured-care.ouwens-review-of-reviews": ("mechanism:disease-management-programme", {"hospital-use"}, "positive"),
    "hrb-macro-level.large-groups-economies-of-scale": ("mechanism:multispecialty-group", {"costs"}, "positive"),
    "hrb-micro-level.direct-payments-good-outcomes": ("mechanism:personal-budget", {"overall-effectiveness"}, "positive"),
    "hrb-success-and-measurement.no-single-model": ("level:macro", {"overall-effectiveness"}, "mixed"),
    "hrb-ict.va-ccht-satisfaction": ("mechanism:telehealth", {"patient-experience"}, "positive"),
    "pooled-budget.mixed-views-on-pooling": ("mechanism:pooled-budget", {"integration-process"}, "mixed"),
}


def _ref(value: str) -> URIRef:
    scheme, _, local = value.partition(":")
    return CASE[local] if scheme == "case" else concept(scheme, local)


#: Claim kinds that carry no effect direction; an expected value among them is a claim kind.
NO_DIRECTION = {"target", "descriptive", "recommendation"}


def _check(g, sid, about, domains, direction, source):
    s = STATEMENT[sid]
    assert (s, RDF.type, IC.EvidenceStatement) in g, sid
    assert _ref(about) in set(g.objects(s, IC.about)), (sid, about)
    assert domains <= _objs(g, s, IC.outcomeDomain), (sid, domains)
    if direction in NO_DIRECTION:  # a claim that reports no effect: its kind, and no direction
        assert _objs(g, s, IC.claimKind) == {direction}, sid
        assert _objs(g, s, IC.effectDirection) == set(), sid
    else:
        assert _objs(g, s, IC.claimKind) <= {"measured-outcome", "judgement"}, sid
        assert _objs(g, s, IC.effectDirection) == {direction}, sid
    assert g.value(s, DCTERMS.source) == URIRef(f"https://w3id.org/ickg/source/{source}")


def test_thirty_hrb_findings_spread_over_the_review(shipped_graph):
    """Thirty findings from every part of the review, with the right subject, domain and direction or claim kind."""
    assert len(HRB_FINDINGS) == 30
    for sid, (about, domains, direction) in HRB_FINDINGS.items():
        _check(shipped_graph, sid, about, domains, direction, "pike-mongan-2014")


def test_hrb_citation_trail(shipped_graph):
    """The review's numbered references are sources, and second-hand findings point to them."""
    g = shipped_graph
    refs = list(g.objects(URIRef("https://w3id.org/ickg/source/pike-mongan-2014"), DCTERMS.references))
    assert len(refs) == 83
    cited = {str(r) for r in g.objects(None, IC.citesReference)}
    assert "https://w3id.org/ickg/source/pike-mongan-2014.ref-13" in cited  # Curry and Ham


def test_misprinted_reference_is_recorded_as_printed_and_as_meant(shipped_graph):
    """Case 14 cites reference 34 (Steuten, on COPD) for Ahgren and Axelsson's 2011 review, which is
    reference 44 ("According to the review published in 2011,³⁴ ..."): both are recorded, with a note."""
    g = shipped_graph
    s = STATEMENT["chains-of-care-sweden.conditions-more-favourable"]
    refs = {str(r).rsplit("-", 1)[-1] for r in g.objects(s, IC.citesReference)}
    assert {"34", "44"} <= refs
    assert any("44" in str(n) for n in g.objects(s, SKOS.editorialNote))


SHORT_SOURCE_FINDINGS = {
    # Shortell on Leutz
    "shortell-2021": {
        "shortell-2021.pace-all-services-for-targeted-group": ("case:pace", {"integration-process"}, "descriptive"),  # "offered as an example"
        "shortell-2021.integration-can-be-expensive": ("leutz-laws:law-2", {"costs"}, "negative"),
        "accountable-care-organisations.start-up-costs-deter-joining": ("case:accountable-care-organisations", {"costs"}, "negative"),
        "patient-centred-medical-homes.providers-experience-disruption": ("case:patient-centred-medical-homes", {"workforce"}, "negative"),
        "shortell-2021.research-supports-laws": ("leutz-laws:five-laws", {"overall-effectiveness"}, "positive"),
    },
    # Poku, Kagan and Yehia: 7%, 25%, $461 million, $586 million, five areas
    "poku-2019": {
        "poku-2019.only-7-percent-fully-coordinated": ("poku-pillars:care-coordination", {"care-quality"}, "negative"),
        "bronx-partners.target-25-percent-fewer-admissions": ("case:bronx-partners", {"hospital-use"}, "target"),  # "aims to reduce"
        "maryland-global-budget.overall-expenditure-savings": ("case:maryland-global-budget", {"costs"}, "positive"),
        "maryland-global-budget.inpatient-expenditure-savings": ("case:maryland-global-budget", {"hospital-use"}, "positive"),
        "oregon-ccos.lower-expenditures-five-areas": ("case:oregon-ccos", {"costs"}, "positive"),
        "geisinger-provencare.reduced-costs": ("case:geisinger-provencare", {"costs"}, "positive"),
    },
    # Goddard and Mason's sober reading
    "goddard-mason-2016": {
        "goddard-mason-2016.rcts-rare": ("basis:randomised-trial", {"overall-effectiveness"}, "descriptive"),  # the state of the evidence
        "goddard-mason-2016.integrated-funding-not-demonstrated": ("mechanism:pooled-budget", {"overall-effectiveness"}, "descriptive"),
        "goddard-mason-2016.three-schemes-reduced-utilisation-or-costs": ("mechanism:pooled-budget", {"hospital-use", "costs"}, "mixed"),
        "integrated-care-pioneers.cost-savings-evidence-deficient": ("case:integrated-care-pioneers", {"costs"}, "descriptive"),
        "goddard-mason-2016.integration-paradox": ("case:integrated-care-pioneers", {"integration-process"}, "negative"),  # "may emerge": a judgement
    },
    # the overview page's adopters (uncited claims)
    "overview-page": {
        "derbyshire.fewer-hospital-stays": ("case:derbyshire", {"hospital-use"}, "positive"),
        "somerset.fewer-hospital-admissions": ("case:somerset", {"hospital-use"}, "positive"),
        "south-west-london.shorter-hospital-stays": ("case:south-west-london", {"hospital-use"}, "positive"),
        "canterbury.health-outcomes": ("case:canterbury", {"health-outcomes"}, "positive"),
        "alzira.successful-implementation": ("case:alzira", {"integration-process"}, "positive"),
    },
}


@pytest.mark.parametrize("source", sorted(SHORT_SOURCE_FINDINGS))
def test_short_source_findings(shipped_graph, source):
    """Each shorter source: a set of its findings, with subject, domain and direction (or claim kind) as it gives them."""
    for sid, (about, domains, direction) in SHORT_SOURCE_FINDINGS[source].items():
        _check(shipped_graph, sid, about, domains, direction, source)


def test_overview_claims_are_marked_uncited(shipped_graph):
    """Every statement of the overview page is an uncited claim with ECO's non-traceable support."""
    g = shipped_graph
    src = URIRef("https://w3id.org/ickg/source/overview-page")
    stmts = [s for s in g.subjects(DCTERMS.source, src) if (s, RDF.type, IC.EvidenceStatement) in g]
    assert len(stmts) >= 30
    for s in stmts:
        assert _objs(g, s, IC.evidenceBasis) == {"uncited-claim"}, s
        assert str(g.value(s, IC.supportType)).endswith("ECO_0000034"), s


@pytest.mark.parametrize("scheme,members", [
    ("leutz", {"linkage", "coordination", "full-integration"}),
    ("leutz-laws", {"law-1", "law-2", "law-3", "law-4", "law-5", "involve-users-and-providers",
                    "develop-integrating-systems", "clarify-borders", "virtual-digital-health",
                    "ai-to-identify-need", "patients-integrating-own-care"}),
    ("factor-category", {"professional-cultural", "organisational", "policy"}),
    ("kaiser-triangle", {"supported-self-care", "care-management", "case-management"}),
])
def test_frameworks_complete(shipped_graph, scheme, members):
    """The frameworks hold every member the sources list."""
    got = _objs_in_scheme(shipped_graph, scheme)
    assert members <= got, members - got


def _objs_in_scheme(g, scheme):
    return {str(c).rsplit("/", 1)[-1] for c in g.subjects(SKOS.inScheme, URIRef(f"https://w3id.org/ickg/scheme/{scheme}"))}


def test_poku_pillars_and_first_steps(shipped_graph):
    """Three pillars and four first steps."""
    g = shipped_graph
    top = {c for c in g.subjects(SKOS.inScheme, URIRef("https://w3id.org/ickg/scheme/poku-pillars"))}
    labels = {str(g.value(c, SKOS.prefLabel)).lower() for c in top}
    for pillar in ("shared vision", "shared platform", "alignment"):
        assert any(pillar in label for label in labels), pillar
    narrower_counts = sorted(len(list(g.subjects(SKOS.broader, c))) for c in top)
    assert 3 in narrower_counts and 4 in narrower_counts


def test_shared_entities_are_single_nodes(shipped_graph):
    """PACE, Kaiser, Geisinger and the VA are one node each, with statements from several sources."""
    g = shipped_graph
    for cid, sources in (("pace", {"pike-mongan-2014", "shortell-2021"}),
                         ("geisinger", {"pike-mongan-2014", "poku-2019"}),
                         ("veterans-health-administration", {"pike-mongan-2014", "poku-2019"}),
                         ("kaiser-permanente", {"pike-mongan-2014", "overview-page"})):
        said = {str(g.value(s, DCTERMS.source)).rsplit("/", 1)[-1] for s in g.subjects(IC.about, CASE[cid])
                if (s, RDF.type, IC.EvidenceStatement) in g}
        said |= {str(g.value(s, DCTERMS.source)).rsplit("/", 1)[-1]
                 for part in g.subjects(IC.partOf, CASE[cid]) for s in g.subjects(IC.about, part)}
        assert sources <= said, (cid, said)
