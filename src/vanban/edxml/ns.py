"""Namespace URIs: edXML writes and reads one URI, as default namespace or `edXML:` prefix."""

from __future__ import annotations

__all__ = ["DSIG_NS", "EDXML_NS", "EDXML_PREFIX"]

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
EDXML_PREFIX = "edXML"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
