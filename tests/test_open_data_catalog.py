"""The DCAT-AP / DCAT-AP_IT catalogue of the open data, read as RDF with rdflib."""

from __future__ import annotations

import rdflib

from commons.public.opendata import DATASETS

# Plain namespaces (rdflib's closed ones warn when pytest looks at the module's names).
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")

DCATAPIT = rdflib.Namespace("http://dati.gov.it/onto/dcatapit#")
# The mandatory properties of DCAT-AP 2 and DCAT-AP_IT, by class.
MANDATORY = {
    DCAT.Catalog: (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        DCTERMS.modified,
        FOAF.homepage,
        DCAT.dataset,
    ),
    DCAT.Dataset: (
        DCTERMS.identifier,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.modified,
        DCAT.theme,
        DCTERMS.rightsHolder,
        DCTERMS.accrualPeriodicity,
        DCAT.contactPoint,
        DCTERMS.publisher,
        DCAT.distribution,
    ),
    DCAT.Distribution: (DCAT.accessURL, DCTERMS["format"], DCTERMS.license),
    FOAF.Agent: (FOAF.name, DCTERMS.identifier),
    VCARD.Organization: (VCARD.fn,),
}
AP_IT = {
    DCAT.Catalog: DCATAPIT.Catalog,
    DCAT.Dataset: DCATAPIT.Dataset,
    DCAT.Distribution: DCATAPIT.Distribution,
}


def _graph(client) -> rdflib.Graph:
    response = client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def test_the_catalogue_describes_every_dataset_with_the_mandatory_properties(app, client):
    app.config.update(OPEN_DATA_CONTACT="opendata@testville.example")
    graph = _graph(client)
    for cls, properties in MANDATORY.items():
        subjects = set(graph.subjects(RDF.type, cls))
        assert subjects, cls
        for subject in subjects:
            for prop in properties:
                assert graph.value(subject, prop) is not None, (subject, prop)
            if cls in AP_IT:
                assert (subject, RDF.type, AP_IT[cls]) in graph
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(DATASETS)
    downloads = {
        str(graph.value(d, DCAT.accessURL)) for d in graph.subjects(RDF.type, DCAT.Distribution)
    }
    assert downloads == {f"http://localhost/open-data/{d.path}" for d in DATASETS}
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Testville"
    (contact,) = graph.subjects(RDF.type, VCARD.Organization)
    assert str(graph.value(contact, VCARD.hasEmail)) == "mailto:opendata@testville.example"


def test_the_licence_is_the_citys(app, client):
    app.config.update(OPEN_DATA_LICENSE="IODL-2.0")
    graph = _graph(client)
    licences = {
        graph.value(d, DCTERMS.license) for d in graph.subjects(RDF.type, DCAT.Distribution)
    }
    assert licences == {
        rdflib.URIRef("http://publications.europa.eu/resource/authority/licence/IODL_2_0")
    }
