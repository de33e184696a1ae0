"""A dossier catalog (danh mục hồ sơ) for each demo agency and the current year, so the
archivist's pages have something to open from the first `make run`. Our own illustrative
entries, in the shape of Nghị định 30/2020 Phụ lục V."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from vanban.accounts.models import User
from vanban.agencies.models import Agency
from vanban.records import services
from vanban.records.importer import read_catalog
from vanban.records.models import DossierCatalog
from vanban.records.services import import_catalog

CATALOG = """Đề mục,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời hạn bảo quản,Người lập hồ sơ,Tên đăng nhập
I. TỔNG HỢP,,,,,
,01.TH,"Hồ sơ chương trình, kế hoạch công tác năm",Vĩnh viễn,{specialist_name},{specialist}
,02.TH,Hồ sơ báo cáo tổng kết công tác năm,Vĩnh viễn,{specialist_name},{specialist}
,03.TH,Tập công văn trao đổi về công tác chuyên môn,10 năm,{specialist_name},{specialist}
II. TỔ CHỨC CÁN BỘ,,,,,
,01.TCCB,Hồ sơ tuyển dụng công chức,70 năm,{specialist_name},{specialist}
,02.TCCB,Hồ sơ thi đua khen thưởng năm,20 năm,{specialist_name},{specialist}
III. VĂN THƯ - LƯU TRỮ,,,,,
,01.VTLT,Sổ đăng ký văn bản đi,20 năm,{clerk_name},{clerk}
,02.VTLT,Sổ đăng ký văn bản đến,20 năm,{clerk_name},{clerk}
,03.VTLT,Hồ sơ nộp lưu tài liệu vào Lưu trữ cơ quan,Vĩnh viễn,{archivist_name},{archivist}
"""

# agency code → (specialist, clerk, archivist) demo logins and names
PEOPLE = {
    "000.00.01.H16": (("chuyenvien.ubnd", "Lê Thị Mai"), ("vanthu.ubnd", "Nguyễn Thị Hoa"),
                      ("luutru.ubnd", "Phạm Văn Đức")),
    "000.00.02.H16": (("chuyenvien.snv", "Đặng Thị Thu"), ("vanthu.snv", "H'Luyện Niê"),
                      ("luutru.snv", "Bùi Văn Nam")),
}


def load_demo_catalogs() -> int:
    """This year's catalog of each demo agency, unless one exists already; returns how many were made."""
    year = timezone.localdate().year
    made = 0
    for code, ((specialist, sname), (clerk, cname), (archivist, aname)) in PEOPLE.items():
        agency = Agency.objects.filter(code=code).first()
        if agency is None or DossierCatalog.objects.filter(agency=agency, year=year).exists():
            continue
        text = CATALOG.format(specialist=specialist, specialist_name=sname, clerk=clerk, clerk_name=cname,
                              archivist=archivist, archivist_name=aname)
        import_catalog(actor="demo", agency=agency, year=year, parsed=read_catalog("demo.csv", text.encode()),
                       source="dữ liệu mẫu")
        made += 1
    return made


OLD_YEAR = 2014
OLD_CATALOG = """Đề mục,Số và ký hiệu hồ sơ,Tiêu đề hồ sơ,Thời hạn bảo quản,Người lập hồ sơ,Tên đăng nhập
I. TỔNG HỢP,,,,,
,03.TH,Tập công văn trao đổi về công tác chuyên môn năm 2014,10 năm,Lê Thị Mai,chuyenvien.ubnd
"""
OLD_LETTERS = (
    ("cong-van-01-2014.txt", "Công văn về việc chuẩn bị hội nghị sơ kết 6 tháng đầu năm 2014", date(2014, 6, 5)),
    ("cong-van-02-2014.txt", "Công văn về việc cử cán bộ dự lớp bồi dưỡng nghiệp vụ văn thư", date(2014, 9, 18)),
)


def load_demo_old_archive() -> bool:
    """A 2014 dossier of Văn phòng UBND, kept 10 years and archived, so the archivist's "Xét hủy"
    page has a dossier past retention from the first `make run` (our own illustrative letters)."""
    agency = Agency.objects.filter(code="000.00.01.H16").first()
    specialist = User.objects.filter(username="chuyenvien.ubnd").first()
    archivist = User.objects.filter(username="luutru.ubnd").first()
    if agency is None or specialist is None or archivist is None:
        return False
    if DossierCatalog.objects.filter(agency=agency, year=OLD_YEAR).exists():
        return False
    result = import_catalog(actor="demo", agency=agency, year=OLD_YEAR,
                            parsed=read_catalog("demo-2014.csv", OLD_CATALOG.encode()), source="dữ liệu mẫu")
    dossier = services.open_dossier(actor=specialist, entry=result.catalog.entries.get(notation="03.TH"))
    for name, subject, day in OLD_LETTERS:
        text = f"ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK\n{subject}\nNgày {day:%d/%m/%Y}\n(dữ liệu mẫu của vanban)\n"
        item = services.add_working_file(actor=specialist, dossier=dossier, upload=services.WorkingFile(
            name, text.encode(), subject, type_name="Công văn", issued_date=day, organ_name=agency.name))
        services.update_item(actor=specialist, dossier=dossier, item_id=item.pk, values={"pageAmount": 1})
    services.update_dossier(actor=specialist, dossier=dossier,
                            values={"start_date": "2014-06-05", "end_date": "2014-09-18"})
    dossier = services.close_dossier(actor=specialist, dossier=dossier)
    transfer = services.submit_transfer(actor=specialist, dossiers=[dossier], note="Nộp lưu năm 2015 (dữ liệu mẫu)")
    services.accept_transfer(actor=archivist, transfer=transfer)
    return True
