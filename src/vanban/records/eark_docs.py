"""What an E-ARK package carries besides its content: the documentation for a reader who has
never heard of vanban (documentation/), and the XML schema of our descriptive metadata
(schemas/hoso.xsd), generated from the same field lists that write hoso.xml so the two
cannot drift apart."""

from __future__ import annotations

from django.utils import timezone
from lxml import etree

from vanban import __version__
from vanban.records.earkcommon import AUDIT, DATA, DESCRIPTIVE, HOSO_NS, PREMIS, REP_METS, SCHEMA, rep_data, rep_mets
from vanban.records.fonds import FONDS_TAGS
from vanban.records.metadata import DOSSIER_FIELDS, ITEM_FIELDS
from vanban.records.models import Dossier

XS = "http://www.w3.org/2001/XMLSchema"
# Dossier-level elements hoso.xml writes besides DOSSIER_FIELDS (earkexport._descriptive).
EXTRA_DOSSIER_TAGS = ("MaintenanceYears", "State")
FILE_ATTRIBUTES = ("path", "name", "role", "mimetype", "size", "sha256", "edxml", "pdfa", "pages")


def hoso_schema() -> bytes:
    """XSD 1.0 for metadata/descriptive/hoso.xml: every field optional text (empty when unknown),
    any order within a level (xs:all), documents repeated under TaiLieu."""
    s = f"{{{XS}}}"
    root = etree.Element(f"{s}schema", nsmap={"xs": XS, None: HOSO_NS},
                         targetNamespace=HOSO_NS, elementFormDefault="qualified")
    doc = etree.SubElement(etree.SubElement(root, f"{s}annotation"), f"{s}documentation")
    doc.text = ("Siêu dữ liệu hồ sơ và văn bản do vanban xuất (thông tin đầu vào theo Thông tư 02/2019/TT-BNV, "
                "Nghị định 30/2020/NĐ-CP). Lược đồ sinh tự động từ danh sách trường của vanban.")
    hoso = etree.SubElement(root, f"{s}element", name="HoSo")
    ctype = etree.SubElement(hoso, f"{s}complexType")
    fields = etree.SubElement(ctype, f"{s}all")
    for tag in [t for t, *_ in DOSSIER_FIELDS] + list(EXTRA_DOSSIER_TAGS):
        etree.SubElement(fields, f"{s}element", name=tag, type="xs:string", minOccurs="0")
    phong = etree.SubElement(fields, f"{s}element", name="Phong", minOccurs="0")
    pfields = etree.SubElement(etree.SubElement(phong, f"{s}complexType"), f"{s}all")
    for tag in FONDS_TAGS:
        etree.SubElement(pfields, f"{s}element", name=tag, type="xs:string", minOccurs="0")
    tailieu = etree.SubElement(fields, f"{s}element", name="TaiLieu", minOccurs="0")
    vanban = etree.SubElement(etree.SubElement(etree.SubElement(tailieu, f"{s}complexType"), f"{s}sequence"),
                              f"{s}element", name="VanBan", minOccurs="0", maxOccurs="unbounded")
    vtype = etree.SubElement(vanban, f"{s}complexType")
    vfields = etree.SubElement(vtype, f"{s}all")
    for spec in ITEM_FIELDS:
        etree.SubElement(vfields, f"{s}element", name=spec.tag, type="xs:string", minOccurs="0")
    files = etree.SubElement(vfields, f"{s}element", name="Files", minOccurs="0")
    file_el = etree.SubElement(etree.SubElement(etree.SubElement(files, f"{s}complexType"), f"{s}sequence"),
                               f"{s}element", name="File", minOccurs="0", maxOccurs="unbounded")
    ftype = etree.SubElement(file_el, f"{s}complexType")
    for attr in FILE_ATTRIBUTES:
        etree.SubElement(ftype, f"{s}attribute", name=attr, type="xs:string")
    for attr in ("ordinal", "kind"):
        etree.SubElement(vtype, f"{s}attribute", name=attr, type="xs:string")
    etree.SubElement(ctype, f"{s}attribute", name="version", type="xs:string")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


TITLES = {"SIP": "GÓI THÔNG TIN NỘP LƯU (E-ARK SIP)", "AIP": "GÓI THÔNG TIN LƯU TRỮ (E-ARK AIP)",
          "DIP": "GÓI THÔNG TIN KHAI THÁC (E-ARK DIP)"}


def _layout(kind: str) -> str:
    lines = [f"  {DESCRIPTIVE:<29} Siêu dữ liệu hồ sơ và từng văn bản (lược đồ: {SCHEMA}).",
             f"  {PREMIS:<29} Siêu dữ liệu bảo quản PREMIS 3: đối tượng, mã băm, sự kiện,",
             "                                kết quả kiểm tra chữ ký số khi nộp lưu"
             + (", chuyển đổi sang PDF/A." if kind != "SIP" else ".")]
    if kind != "DIP":
        lines.append(f"  {AUDIT:<29} Nhật ký thao tác trên hồ sơ, trích từ chuỗi nhật ký có băm nối của vanban.")
    lines.append(f"  {REP_METS:<29} Mô tả riêng của bản thể hiện rep1.")
    if kind == "DIP":
        lines += [f"  {DATA}/<số thứ tự>/      Văn bản trong hồ sơ theo thứ tự, mỗi văn bản một thư mục: bản",
                  "                                PDF/A để đọc khi có, nếu không thì bản gốc (tệp gốc có chữ ký",
                  "                                số được giữ nguyên trong gói lưu trữ AIP)."]
    else:
        lines += [f"  {DATA}/<số thứ tự>/      Văn bản trong hồ sơ theo thứ tự, mỗi văn bản một thư mục:",
                  "                                tệp chính (PDF đã ký số), phụ lục, gói edXML gốc nếu có."]
    if kind == "AIP":
        lines += [f"  {rep_mets('rep2'):<29} Mô tả riêng của bản thể hiện rep2 (bản bảo quản).",
                  f"  {rep_data('rep2')}/<số thứ tự>/      Bản PDF/A-2b chuyển từ tệp gốc chưa phải PDF/A; PREMIS ghi",
                  "                                sự kiện chuyển đổi (migration), công cụ và phiên bản, tệp nguồn;",
                  "                                tệp không chuyển được được nêu kèm lý do, bản gốc vẫn giữ."]
    return "\n".join(lines)


def documentation_text(dossier: Dossier, objid: str, *, kind: str = "SIP", note: str = "") -> str:
    """documentation/doc-goi-luu-tru.txt, for a reader who has never heard of vanban; `note` says
    what is particular to this package (a DIP's purpose, an AIP's conversions)."""
    made = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    particular = f"\nVỀ GÓI NÀY\n{note.rstrip()}\n" if note else ""
    return f"""{TITLES[kind]} — {objid}

Hồ sơ: {dossier.title}
Mã hồ sơ: {dossier.file_code}
Cơ quan, tổ chức (phông): {dossier.agency.name} — mã định danh {dossier.agency.code}
Gói do vanban {__version__} lập lúc {made} (giờ Việt Nam).
{particular}
CẤU TRÚC GÓI (E-ARK CSIP 2.1{"/SIP" if kind == "SIP" else ""})
  METS.xml                      Mô tả cấu trúc gói, mã băm SHA-256 và kích thước của mọi tệp.
  METS.seal.json                Mã băm của METS.xml, ký số bằng khóa của cơ quan (niêm phong).
{_layout(kind)}

KIỂM TRA GÓI
  Mọi tệp phải khớp mã băm SHA-256 ghi trong METS.xml và PREMIS. Với vanban:
      vanban archive verify <thư mục hoặc tệp ZIP của gói>
  Chữ ký số trong các tệp PDF kiểm tra được bằng bất kỳ phần mềm PAdES nào, hoặc:
      vanban pki verify <tệp PDF>

GHI CHÚ
  Thời gian ghi theo ISO 8601, múi giờ Việt Nam (+07:00). Văn bản dùng Unicode (TCVN 6909:2001).
"""
