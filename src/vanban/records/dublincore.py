"""A Dublin Core record of the dossier (`metadata/descriptive/dc.xml`, OAI-DC), beside our
Vietnamese metadata: what a reader or a harvester that knows nothing of TT 05 can still read
(title, who made it, when, its subjects, language, rights, identifier, extent)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from vanban.records.codes import MODES
from vanban.records.metadata import dossier_metadata

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
LANG_TAGS = {"Tiếng Việt": "vi", "Tiếng Anh": "en", "Tiếng Pháp": "fr", "Tiếng Nga": "ru", "Tiếng Trung": "zh"}


def dc_record(dossier: Any, items: list[Any]) -> bytes:
    meta = dossier_metadata(dossier, items)
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

    def add(tag: str, value: Any) -> None:
        if value not in (None, ""):
            etree.SubElement(root, f"{{{DC}}}{tag}").text = str(value)

    add("title", meta["Title"])
    add("identifier", meta["FileCode"])
    add("creator", meta["FondsName"])
    add("contributor", meta["Creator"])
    for word in (w.strip() for w in (meta["KeyWord"] or "").split(",")):
        add("subject", word)
    for item in items:  # each document's subject: what the dossier is about, in the agencies' words
        add("description", item.metadata.get("subject"))
    add("description", meta["Description"])
    start, end = meta["StartDate"], meta["EndDate"]
    add("date", f"{start}/{end}" if start and end and start != end else start or end)
    add("type", "Hồ sơ điện tử")
    add("format", f"{meta['DocTotal']} văn bản, {meta['PageTotal'] or '?'} trang")
    add("language", LANG_TAGS.get(meta["Language"], meta["Language"]))
    add("rights", MODES.get(meta["Rights"], meta["Rights"]))
    add("publisher", dossier.agency.name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
