"""The enveloped transform cut from the whole tree's canonical form (`canonical_without`) must
give the same bytes as the copy it replaced, for any tree, or take the copy: the reference digest
of every package the cut-tree engine accepts rests on it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vanban.edxml import DSIG_NS, build_package, read_package, sign_package, xmldsig
from vanban.edxml.xmldsig import _canonical_of_copy, canonical_without

pytestmark = pytest.mark.unit

NAMESPACES = [None, "urn:a", "urn:b", DSIG_NS]
PREFIXES = [None, "a", "b", "ds"]
NAMES = ["s", "t", "Signature", "SignatureValue"]
TEXTS = ["", "x", " ", "\n  ", "<s>", "&amp;", "a<b>c", "\r"]


@st.composite
def trees(draw: st.DrawFn) -> bytes:
    """Small documents mixing default and prefixed namespaces, the same names in several
    namespaces, text and tails with markup characters, comments and processing instructions."""
    def element(depth: int) -> str:
        name = draw(st.sampled_from(NAMES))
        prefix = draw(st.sampled_from(PREFIXES))
        uri = draw(st.sampled_from(NAMESPACES))
        declare = draw(st.booleans())
        qname = f"{prefix}:{name}" if prefix else name
        attrs = ""
        if prefix or declare:
            target = uri or "urn:a"
            attrs += f' xmlns:{prefix}="{target}"' if prefix else f' xmlns="{uri or ""}"'
        if draw(st.booleans()):
            attrs += f' k="{draw(st.sampled_from(["1", "&lt;s&gt;", "a b"]))}"'
        inner = escape(draw(st.sampled_from(TEXTS)))
        if depth < 3:
            for _ in range(draw(st.integers(0, 3))):
                kind = draw(st.sampled_from(["el", "el", "el", "comment", "pi"]))
                if kind == "comment":
                    inner += "<!--<s>c</s>-->"
                elif kind == "pi":
                    inner += f"<?p {draw(st.sampled_from(['<s>x</s>', '</s>', '</Signature>', '</ds:t>']))}?>"
                else:
                    inner += element(depth + 1)
                inner += escape(draw(st.sampled_from(TEXTS)))
        return f"<{qname}{attrs}>{inner}</{qname}>"

    return f'<root xmlns:a="urn:a" xmlns:ds="{DSIG_NS}">{element(0)}{element(0)}</root>'.encode()


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("\r", "&#13;")


@settings(max_examples=300)
@given(xml=trees(), pick=st.integers(0, 10_000), exclusive=st.booleans())
def test_the_cut_equals_the_copy_for_any_element_of_any_tree(xml: bytes, pick: int, exclusive: bool) -> None:
    root = etree.fromstring(xml, etree.XMLParser(remove_comments=False, remove_pis=False))
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
    element = elements[pick % len(elements)]
    before = etree.tostring(root)
    assert canonical_without(root, element, exclusive=exclusive) == _canonical_of_copy(
        root, element, exclusive=exclusive)
    assert etree.tostring(root) == before


def test_a_signed_package_is_cut_without_a_copy(document, agency, monkeypatch) -> None:
    copies: list[object] = []
    real = xmldsig._canonical_of_copy
    monkeypatch.setattr(xmldsig, "_canonical_of_copy", lambda *a, **k: copies.append(a) or real(*a, **k))
    signed = sign_package(build_package(document), agency.key, agency.cert)
    assert read_package(signed).verify([agency.cert], cache=None).valid is True
    assert copies == []


@pytest.mark.parametrize("xml", [
    b"<r><?p <s>x</s>?><s>y</s>z</r>",  # a processing instruction holds the element's own markup
    b"<r><s>y</s><q><s>w</s></q></r>",  # two elements of the name
    b"<r><s>y<s>w</s></s></r>",  # one inside the other
    b"<r><s>y<?p </s>?>w</s>t</r>",  # a processing instruction inside it holds its end tag
])
def test_what_could_be_mistaken_takes_the_copy(xml: bytes, monkeypatch) -> None:
    root = etree.fromstring(xml, etree.XMLParser(remove_pis=False))
    element = root.find("s")
    copies: list[object] = []
    real = xmldsig._canonical_of_copy
    monkeypatch.setattr(xmldsig, "_canonical_of_copy", lambda *a, **k: copies.append(a) or real(*a, **k))
    expected = real(root, element, exclusive=True)
    assert canonical_without(root, element, exclusive=True) == expected
    assert len(copies) == 1
    assert b"y" not in expected


def test_an_element_outside_the_tree_is_refused() -> None:
    root = etree.fromstring(b"<r><s/></r>")
    stranger = etree.fromstring(b"<q><s/></q>").find("s")
    with pytest.raises(AssertionError):
        canonical_without(root, stranger, exclusive=True)


def test_an_element_the_whole_tree_cannot_canonicalise_takes_the_copy() -> None:
    """A relative namespace URI inside the element: C14N of the whole tree refuses it, the copy
    (without the element) does not, as before the cut."""
    root = etree.fromstring(b'<r><s><x xmlns="rel/ns"/></s>t</r>')
    assert canonical_without(root, root.find("s"), exclusive=True) == b"<r>t</r>"
