"""Demo signing keys: a throwaway test PKI whose root goes into the trust store, with a
seal and a system key for each demo agency that has users, and a personal key for each
demo leader. THROWAWAY MATERIAL — certificates say "KHÔNG DÙNG THẬT"."""

from __future__ import annotations

from vanban.accounts.models import Membership
from vanban.agencies.models import Agency
from vanban.pki.testpki import TestPki
from vanban.trust import services as trust
from vanban.trust.models import Credential, TrustAnchor

PREFIX = "VANBAN DEMO"
PASSWORD = "vanban-demo"


def load_demo_pki(agency_codes: list[str]) -> int:
    """Returns how many credentials were created (0 when the demo PKI already exists)."""
    if TrustAnchor.objects.filter(subject__contains=PREFIX).exists():
        return 0
    pki = TestPki(prefix=PREFIX)
    trust.add_anchors(actor="demo", agency=None, data=pki.root.cert_pem())
    created = 0
    for agency in Agency.objects.filter(code__in=agency_codes):
        for kind, issued in (("seal", pki.issue_seal(agency.name, agency.code)),
                             ("system", pki.issue_system(f"Hệ thống vanban — {agency.short_name or agency.name}"[:60],
                                                         agency.name, agency.code))):
            trust.register_credential(actor="demo", agency=agency, kind=kind,
                                      p12=issued.pkcs12(PASSWORD.encode()), password=PASSWORD)
            created += 1
        if not trust.server_personal_keys():
            continue  # production default: leaders register their own token's certificate
        for m in Membership.objects.filter(agency=agency, role="leader").select_related("user"):
            user = m.user
            if Credential.objects.filter(user=user, agency=agency, kind="person").exists():
                continue
            issued = pki.issue_person(user.display_name(), user.position or "Lãnh đạo", agency.name, agency.code)
            trust.register_credential(actor="demo", agency=agency, kind="person", user=user,
                                      p12=issued.pkcs12(PASSWORD.encode()), password=PASSWORD)
            created += 1
    return created
