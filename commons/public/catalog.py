"""The open data's DCAT-AP (and DCAT-AP_IT) catalogue, as JSON-LD: what a portal harvests.

One ``dcat:Catalog`` published by the city, one ``dcat:Dataset`` per file of the open data
(``opendata.DATASETS``), each with one ``dcat:Distribution``. Every node also carries the
DCAT-AP_IT class (``dcatapit:Catalog``, ``dcatapit:Dataset``, ``dcatapit:Distribution``) and
the properties both profiles make mandatory: titles and descriptions, publisher, rights
holder and contact point, identifier, modification date, theme, update frequency, format,
licence, access and download address.
"""

from __future__ import annotations

from datetime import date

EU = "http://publications.europa.eu/resource/authority/"
FORMATS = {"csv": "CSV", "json": "JSON", "geojson": "GEOJSON"}
LANGUAGES = {"it": "ITA", "en": "ENG"}
# The EU licence vocabulary's names of the licences a city is likely to choose.
EU_LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "CC0-1.0": "CC0",
    "IODL-2.0": "IODL_2_0",
    "ODbL-1.0": "ODBL",
}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _date(day: date) -> dict:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _text(value, language: str) -> dict:
    return {"@value": str(value), "@language": language}


def catalog(
    *,
    base: str,
    title: str,
    description: str,
    publisher: str,
    contact: str,
    license_path: str,
    license_id: str,
    language: str,
    modified: date,
    datasets,
) -> dict:
    """The JSON-LD document of the catalogue; ``base`` is the open data's address (with /)."""
    lang = language if language in LANGUAGES else "en"
    agent = {
        "@id": f"{base}#publisher",
        "@type": ["foaf:Agent", "dcatapit:Agent"],
        "foaf:name": publisher,
        "dct:identifier": publisher,
    }
    contact_point = {
        "@id": f"{base}#contact",
        "@type": ["vcard:Organization", "dcatapit:Organization", "vcard:Kind"],
        "vcard:fn": publisher,
    }
    if contact:
        contact_point["vcard:hasEmail"] = {"@id": f"mailto:{contact}"}
    eu_licence = EU_LICENCES.get(license_id)
    licence = {
        "@id": f"{EU}licence/{eu_licence}" if eu_licence else license_path,
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "foaf:name": license_id,
        "dct:type": {"@id": license_path},
    }
    nodes = []
    for dataset in datasets:
        dataset_id = f"{base}#{dataset.name}"
        nodes.append(
            {
                "@id": dataset_id,
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": dataset_id,
                "dct:title": _text(dataset.title, lang),
                "dct:description": _text(dataset.description, lang),
                "dct:modified": _date(modified),
                "dct:language": {"@id": f"{EU}language/{LANGUAGES[lang]}"},
                "dcat:theme": {"@id": f"{EU}data-theme/GOVE"},
                "dct:accrualPeriodicity": {"@id": f"{EU}frequency/CONT"},
                "dct:publisher": {"@id": agent["@id"]},
                "dct:rightsHolder": {"@id": agent["@id"]},
                "dcat:contactPoint": {"@id": contact_point["@id"]},
                "dcat:landingPage": {"@id": base},
                "dcat:distribution": {
                    "@id": f"{base}{dataset.path}#distribution",
                    "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                    "dct:title": _text(dataset.title, lang),
                    "dct:description": _text(dataset.description, lang),
                    "dcat:accessURL": {"@id": f"{base}{dataset.path}"},
                    "dcat:downloadURL": {"@id": f"{base}{dataset.path}"},
                    "dcat:mediaType": dataset.mediatype,
                    "dct:format": {"@id": f"{EU}file-type/{FORMATS[dataset.format]}"},
                    "dct:license": {"@id": licence["@id"]},
                },
            }
        )
    return {
        "@context": CONTEXT,
        "@graph": [
            {
                "@id": f"{base}catalog.jsonld",
                "@type": ["dcat:Catalog", "dcatapit:Catalog"],
                "dct:title": _text(title, lang),
                "dct:description": _text(description, lang),
                "dct:publisher": {"@id": agent["@id"]},
                "dct:modified": _date(modified),
                "dct:language": {"@id": f"{EU}language/{LANGUAGES[lang]}"},
                "dct:license": {"@id": licence["@id"]},
                "foaf:homepage": {"@id": base},
                "dcat:dataset": [{"@id": node["@id"]} for node in nodes],
            },
            agent,
            contact_point,
            licence,
            *nodes,
        ],
    }
