"""The leader signs in Chromium with a "USB token": a SoftHSM2 token holding a key under the
office's trusted CA, served by a real `vanban signer agent` process on loopback. The page
finds the agent, pairs with the code the agent printed (a wrong code first: refused), has the
server prepare, the agent sign and the server embed — and the document is approved with a
valid signature the server never had the key for."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from tests.documents.test_device_signing import chain_pem, submitted
from tests.e2e.test_shell_e2e import log_in
from tests.factories import PASSWORD
from tests.office_fixtures import Office
from tests.pki.test_pkcs11_outside import MODULE, PIN, TOOLS, _run
from tests.pki.test_signing_agent import running_agent, softhsm_env
from vanban.blobs import get_store
from vanban.documents.models import Document
from vanban.pki import validate_pdf
from vanban.trust import services as trust

pytestmark = [
    pytest.mark.e2e, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(MODULE).exists() or any(shutil.which(t) is None for t in TOOLS),
                       reason="softhsm2 / opensc / openssl not installed (.ci/run installs them)"),
]


def test_leader_signs_with_token_through_agent(page: Any, live_server: Any, signing_office: Office,
                                               pdf_bytes: bytes, tmp_path: Path, settings: Any) -> None:
    o = signing_office
    settings.VANBAN_SERVER_PERSONAL_KEYS = False  # production: the server holds no personal key
    issued = o.pki.issue_person("Trần Văn Hùng", "Chủ tịch", o.agency.name, o.agency.code)
    trust.register_device_certificate(actor="test", agency=o.agency, user=o.leader, data=chain_pem(issued).encode())
    env = softhsm_env(tmp_path)
    (tmp_path / "k.p8").write_bytes(issued.key.private_bytes(serialization.Encoding.DER,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    (tmp_path / "cert.der").write_bytes(issued.cert.public_bytes(serialization.Encoding.DER))
    (tmp_path / "ca.pem").write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in issued.chain))
    (tmp_path / "pin").write_text(PIN + "\n")
    for step in (["softhsm2-util", "--init-token", "--free", "--label", "usb", "--so-pin", "13579246", "--pin", PIN],
                 ["pkcs11-tool", "--module", MODULE, "--token-label", "usb", "--login", "--pin", PIN,
                  "--write-object", "k.p8", "--type", "privkey", "--label", "ky", "--id", "09"],
                 ["pkcs11-tool", "--module", MODULE, "--token-label", "usb", "--login", "--pin", PIN,
                  "--write-object", "cert.der", "--type", "cert", "--label", "ky", "--id", "09"]):
        done = _run(*step, env=env, cwd=tmp_path)
        assert done.returncode == 0, f"{step[0]}: {done.stderr}"
    (tmp_path / "k.p8").unlink()  # from now on the key exists only on the token
    doc = submitted(o, pdf_bytes)

    with running_agent(tmp_path, env, live_server.url) as (agent_url, code):
        settings.VANBAN_SIGNER_AGENT_URL = agent_url
        log_in(page, live_server.url, "lanhdao", PASSWORD)
        page.goto(f"{live_server.url}/van-ban-di/{doc.pk}/")
        expect(page.get_by_test_id("server-key-mark")).to_have_count(0)
        expect(page.get_by_role("button", name="Ký số và duyệt", exact=True)).to_have_count(0)
        page.get_by_role("button", name="Ký số bằng token và duyệt").click()
        status = page.get_by_test_id("device-sign-status")
        expect(status).to_contain_text("Nhập mã ghép nối")
        page.get_by_label("Mã ghép nối").fill("000000" if code != "000000" else "111111")
        page.get_by_role("button", name="Ghép nối").click()
        expect(status).to_contain_text("Mã ghép nối không đúng")
        page.get_by_label("Mã ghép nối").fill(code)
        page.get_by_role("button", name="Ghép nối").click()
        expect(page.get_by_test_id("doc-state")).to_have_text("Đã ký duyệt, chờ phát hành", timeout=60_000)
        expect(page.get_by_test_id("signature-verdict")).to_have_text(["Hợp lệ"])

    doc = Document.objects.get(pk=doc.pk)
    report = validate_pdf(get_store().get(doc.main_file().sha256), trust.trust_store())
    assert report.verdict == "valid"
    assert report.signatures[0].signer.common_name == "Trần Văn Hùng"
    assert doc.signer_name == "Trần Văn Hùng"
