"""Pieces alone: blobs, routing's split horizon, the idempotency race, backoff, sweep, pull."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_agency
from tests.hub.conftest import A, B
from tests.hub.live_hubs import free_port
from tests.hub.packages import Identity, document
from vanban.audit.models import AuditEvent
from vanban.blobs import LocalBlobStore
from vanban.hub import blobs, federation, routing, services
from vanban.hub.errors import HubError
from vanban.hub.models import Delivery, Endpoint, Forward, ForwardState, Package, PullProblem, RefusedPackage
from vanban.hubclient import HubHttpError

pytestmark = pytest.mark.django_db

H41 = "000.00.01.H41"


@pytest.fixture
def endpoints(ids: dict[str, Identity]) -> dict[str, Endpoint]:
    make_agency(A, "Văn phòng UBND tỉnh")
    make_agency(B, "Sở Nội vụ")
    make_agency(H41, "Văn phòng UBND tỉnh H41")
    a, _ = services.create_endpoint(name="qlvb-vp", codes=[A], cert_pem=ids[A].cert_pem(), actor="test")
    b, _ = services.create_endpoint(name="qlvb-snv", codes=[B], cert_pem=ids[B].cert_pem(), actor="test")
    child, _ = services.create_endpoint(name="truc-H41", codes=[H41], kind="hub", actor="test")
    return {A: a, B: b, H41: child}


def test_blob_is_content_addressed_read_only_and_checked(settings, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("VANBAN_HUB_BODY_IN_DATABASE_KB", "64")  # the S3 pass sets 0: nothing held
    settings.VANBAN_BLOB_URL = ""  # the local layout (object storage: tests/blobs/test_s3.py)
    received = blobs.receive_bytes(b"<edXML/>")
    assert blobs.commit(received) == received.sha256
    path = tmp_path / "hub" / "blobs" / received.sha256[:2] / received.sha256[2:4] / received.sha256
    store = blobs.store()
    assert isinstance(store, LocalBlobStore) and store.path(received.sha256) == path
    assert blobs.read(received.sha256) == b"<edXML/>"
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222
    assert list((tmp_path / "hub" / "blobs" / "tmp").iterdir()) == []  # no temp file left
    assert not (tmp_path / "blobs").exists()  # the office's namespace untouched
    again = blobs.receive_bytes(b"<edXML/>")
    assert again.path is None  # small bytes in memory are held, never spooled
    assert blobs.commit(again) == received.sha256  # the same bytes: the same blob
    os.chmod(path, 0o644)
    path.write_bytes(b"<edXML>doi</edXML>")
    with pytest.raises(blobs.BlobCorruptError):
        blobs.read(received.sha256)


def test_blobs_of_the_previous_version_are_read(settings, tmp_path: Path) -> None:
    """A blob the hub's own store wrote before the shared one (same layout, mode 0444, no row
    change) is read, verified and counted as present; a commit of the same bytes keeps it."""
    import hashlib

    settings.DATA_DIR = tmp_path
    settings.VANBAN_BLOB_URL = ""
    data = b"<edXML>truoc</edXML>"
    sha = hashlib.sha256(data).hexdigest()
    old = tmp_path / "hub" / "blobs" / sha[:2] / sha[2:4] / sha
    old.parent.mkdir(parents=True)
    old.write_bytes(data)
    os.chmod(old, 0o444)
    assert blobs.read(sha) == data and blobs.store().exists(sha) and list(blobs.store().iter_hashes()) == [sha]
    inode = old.stat().st_ino
    blobs.commit(blobs.receive_bytes(data))
    assert old.stat().st_ino == inode and blobs.read(sha) == data


def test_receive_refuses_past_the_limit_and_leaves_nothing(settings, tmp_path: Path) -> None:
    import io

    settings.DATA_DIR = tmp_path  # local disk or object storage: the body is spooled here first
    with pytest.raises(blobs.TooLargeError) as info:
        blobs.receive(io.BytesIO(b"x" * 3_000_000), 2_000_000)
    assert info.value.limit == 2_000_000
    assert list((tmp_path / "hub" / "blobs" / "tmp").iterdir()) == []


def test_a_body_small_enough_for_the_database_is_held_in_memory(settings, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    settings.DATA_DIR = tmp_path
    settings.VANBAN_BLOB_URL = ""
    monkeypatch.setenv("VANBAN_HUB_BODY_IN_DATABASE_KB", "0")  # every package a blob: nothing held
    unheld = blobs.receive(io.BytesIO(b"a" * 10), 10_000)
    assert unheld.path is not None
    unheld.discard()
    monkeypatch.setenv("VANBAN_HUB_BODY_IN_DATABASE_KB", "1")
    small = blobs.receive(io.BytesIO(b"a" * 1024), 10_000)
    assert small.path is None and small.read() == b"a" * 1024
    large = blobs.receive(io.BytesIO(b"b" * 1025), 10_000)  # a byte more: spooled, all of it
    assert large.path is not None and large.path.read_bytes() == b"b" * 1025
    large.discard()
    assert blobs.receive_bytes(b"c" * 1024).path is None  # bytes in hand: small ones held
    spooled = blobs.receive_bytes(b"c" * 1025)  # larger ones spooled, so their copy can go
    assert spooled.path is not None and spooled.read() == b"c" * 1025
    spooled.discard()
    # However large the database setting, a request holds at most IN_MEMORY_MAX in memory.
    monkeypatch.setenv("VANBAN_HUB_BODY_IN_DATABASE_KB", str(4 * 1024))
    body = b"d" * (blobs.IN_MEMORY_MAX + 1)
    capped = blobs.receive(io.BytesIO(body), 10 * blobs.IN_MEMORY_MAX)
    assert capped.path is not None and capped.size == len(body)
    capped.discard()
    assert list((tmp_path / "hub" / "blobs" / "tmp").iterdir()) == []


def test_split_horizon(endpoints: dict[str, Endpoint], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", "http://127.0.0.1:9/hub/api/v1")
    unknown = "000.00.01.H99"
    plan = routing.plan([B, H41, unknown], caller=endpoints[A], from_parent=False)
    assert (sorted(plan.local), plan.upward, plan.skipped) == (sorted([B, H41]), [unknown], [])
    # From the lower hub: its own codes are its business, the rest goes on.
    plan = routing.plan([B, H41, unknown], caller=endpoints[H41], from_parent=False)
    assert (sorted(plan.local), plan.upward, plan.skipped) == ([B], [unknown], [H41])
    # From the parent: never back up.
    plan = routing.plan([B, unknown], caller=None, from_parent=True)
    assert (sorted(plan.local), plan.upward, plan.unroutable) == ([B], [], [unknown])
    monkeypatch.delenv("VANBAN_HUB_PARENT_URL")
    assert routing.plan([unknown], caller=endpoints[A], from_parent=False).unroutable == [unknown]


def test_lost_race_on_the_unique_key_answers_duplicate(endpoints: dict[str, Endpoint], ids: dict[str, Identity],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = document(ids[A], B)
    first = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A])
    monkeypatch.setattr(services, "_existing", lambda facts: None)  # no look-up at all: the conflict answers
    second = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A])
    assert second.duplicate and second.package.pk == first.package.pk
    assert Package.objects.count() == 1 and Delivery.objects.count() == 1


def test_a_resubmission_is_a_duplicate_even_after_its_recipient_stopped_being_served(
        endpoints: dict[str, Endpoint], ids: dict[str, Identity]) -> None:
    """No look-up precedes the INSERT (the conflict answers a duplicate), except when the route
    would refuse: an agency system retrying what the hub already accepted is told so, not
    RECIPIENT_UNKNOWN, even when the recipient's endpoint was revoked in between."""
    data, _ = document(ids[A], B)
    first = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A])
    services.revoke_endpoint(name="qlvb-snv", actor="test")
    again = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A])
    assert again.duplicate and again.package.pk == first.package.pk
    other, _ = document(ids[A], B)  # a new package to the same recipient is refused as before
    with pytest.raises(HubError) as refused:
        services.accept_package(blobs.receive_bytes(other), caller=endpoints[A])
    assert refused.value.code == "RECIPIENT_UNKNOWN"
    assert Package.objects.count() == 1 and Delivery.objects.count() == 1


def test_forward_backs_off_exponentially_and_the_sweep_retries(endpoints: dict[str, Endpoint],
                                                               ids: dict[str, Identity],
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               django_capture_on_commit_callbacks) -> None:
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", f"http://127.0.0.1:{free_port()}/hub/api/v1")  # nobody there
    monkeypatch.setenv("VANBAN_HUB_RETRY_BASE_SECONDS", "10")
    data, _ = document(ids[A], "000.00.05.H99")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the first attempt runs on commit
        package = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A]).package
    assert len(callbacks) == 1
    forward = Forward.objects.get(package=package)
    assert forward.attempts == 1 and forward.state == ForwardState.PENDING
    assert 7 <= (forward.next_attempt_at - timezone.now()).total_seconds() <= 10  # 10 s less up to a fifth
    assert federation.forward_one(forward.pk) == "skipped"  # not due yet
    Forward.objects.filter(pk=forward.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    from vanban.hub.tasks import hub_sweep

    hub_sweep.call_local()
    forward.refresh_from_db()
    assert forward.attempts == 2
    assert 15 <= (forward.next_attempt_at - timezone.now()).total_seconds() <= 20
    assert package.trace.filter(event="forward_failed").count() == 2


def test_hub_sync_loop_stopped_by_sigterm_frees_the_forward_it_holds(endpoints: dict[str, Endpoint],
                                                                     ids: dict[str, Identity],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`vanban hub sync --loop` stopped by SIGTERM mid-forward: the forward it claimed is free at
    once (another forwarder takes it), and the signal's handling is put back as it was."""
    import io
    import os
    import signal

    from django.core.management import call_command

    from vanban.jobs import holders

    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", f"http://127.0.0.1:{free_port()}/hub/api/v1")  # nobody there
    data, _ = document(ids[A], "000.00.05.H99")
    package = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A]).package
    forward = Forward.objects.get(package=package)

    def forwarding() -> dict[str, int]:  # claimed, then stopped while sending it
        Forward.objects.filter(pk=forward.pk).update(lease_until=timezone.now() + timedelta(minutes=2),
                                                     lease_holder=holders.this_process())
        assert signal.getsignal(signal.SIGTERM) is not before  # else the kill below ends pytest
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the loop")

    monkeypatch.setattr(federation, "forward_due", forwarding)
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("hub", "sync", "--loop", "1", stdout=out)
    assert Forward.objects.get(pk=forward.pk).lease_until is None
    assert "hub.Forward 1" in out.getvalue() and signal.getsignal(signal.SIGTERM) == before


def test_a_forward_a_dead_forwarder_held_is_due_again_at_once(endpoints: dict[str, Endpoint],
                                                               ids: dict[str, Identity],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep lists the free forwards and claims them one by one: the rows a killed forwarder
    of this machine held are freed before the list is made (jobs.holders), not after their lease
    (twice the HTTP timeout and 30 s)."""
    import subprocess
    import sys

    from vanban.jobs import holders, workitems

    if holders.local_prefix() is None:
        pytest.skip("/proc: Linux")
    monkeypatch.setenv("VANBAN_HUB_PARENT_URL", f"http://127.0.0.1:{free_port()}/hub/api/v1")  # nobody there
    data, _ = document(ids[A], "000.00.05.H99")
    package = services.accept_package(blobs.receive_bytes(data), caller=endpoints[A]).package
    forward = Forward.objects.get(package=package)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    name = f"{holders.local_prefix()}{killed.pid}/{holders._started(killed.pid)}"
    killed.kill()
    killed.wait(timeout=10)
    Forward.objects.filter(pk=forward.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1),
                                                 lease_until=timezone.now() + timedelta(minutes=2), lease_holder=name)
    workitems._looked.clear()  # as in a sweep that has not looked for some seconds
    assert services.due_forwards() == [forward.pk]
    Forward.objects.filter(pk=forward.pk).update(lease_until=timezone.now() + timedelta(minutes=2),
                                                 lease_holder=holders.this_process())  # a live holder
    workitems._looked.clear()
    assert services.due_forwards() == []


class FakeParent:
    """Stands in for the parent hub's API in pull tests."""

    def __init__(self, packages: dict[str, bytes]) -> None:
        self.packages = packages
        self.acked: list[str] = []

    def inbox(self, limit: int = 100) -> list[dict[str, Any]]:
        return [{"id": pid} for pid in self.packages if pid not in self.acked][:limit]

    def fetch(self, package_id: str) -> bytes:
        return self.packages[package_id]

    def trace(self, package_id: str) -> dict[str, Any]:
        raise HubHttpError(404, "NOT_FOUND", "Không tìm thấy.")

    def ack(self, package_id: str) -> dict[str, Any]:
        self.acked.append(package_id)
        return {}


def test_pull_takes_in_acks_after_commit_and_keeps_what_it_cannot_take(
        endpoints: dict[str, Endpoint], ids: dict[str, Identity], monkeypatch: pytest.MonkeyPatch) -> None:
    good, _ = document(ids[A], B)
    tampered = document(ids[A], B)[0].replace("V/v thử".encode(), "V/v sửa".encode())
    parent = FakeParent({"p-good": good, "p-bad": tampered})
    monkeypatch.setattr(federation, "parent_client", lambda: parent)
    result = federation.pull_from_parent()
    assert (result.taken, result.problems) == (1, 1)
    assert parent.acked == ["p-good"]
    package = Package.objects.get(parent_package_id="p-good")
    assert package.from_parent and Delivery.objects.get(package=package).agency_code == B
    problem = PullProblem.objects.get()
    assert problem.parent_package_id == "p-bad" and "EDXML_SIGNATURE_INVALID" in problem.last_error
    # The good one offered again (an ack lost on the way) is a duplicate, acked again, stored once.
    parent.acked.remove("p-good")
    again = federation.pull_from_parent()
    assert (again.taken, again.duplicates) == (1, 1)
    assert Package.objects.count() == 1
    # The tampered one was set aside (refused for good): audited, not fetched again.
    assert PullProblem.objects.get().attempts == 1 and "gác lại" in PullProblem.objects.get().last_error
    assert AuditEvent.objects.filter(action=federation.PULL_SET_ASIDE).count() == 1
    # ... and held on the operator's quarantine page with its bytes, like a refused submission.
    held = RefusedPackage.objects.get()
    assert (held.parent_package_id, held.endpoint, held.error_code) == ("p-bad", None, "EDXML_SIGNATURE_INVALID")
    assert blobs.read(held.sha256) == tampered
    # Discard keeps it out of the way for good; retry (here still refused) keeps it held with the new error.
    services.retry_refused(held, actor="vanhanh")
    held.refresh_from_db()
    assert held.state == "held" and held.error_code == "EDXML_SIGNATURE_INVALID"
    services.discard_refused(held, actor="vanhanh", reason="Gói tin bị sửa trên đường truyền")
    held.refresh_from_db()
    assert held.state == "discarded"


def test_a_pulled_package_refused_here_can_be_taken_in_after_the_cause_is_fixed(
        endpoints: dict[str, Endpoint], ids: dict[str, Identity], monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused because it was over this hub's size limit; once the operator raises the limit,
    the retry takes it in, and the parent offering it again is acked as a duplicate."""
    data, _ = document(ids[A], B)
    parent = FakeParent({"p-1": data})
    monkeypatch.setattr(federation, "parent_client", lambda: parent)
    monkeypatch.setenv("VANBAN_HUB_MAX_PACKAGE_MB", "0")
    assert federation.pull_from_parent().problems == 1
    held = RefusedPackage.objects.get(parent_package_id="p-1")
    assert (held.state, held.error_code) == ("held", "EDXML_TOO_LARGE")
    monkeypatch.setenv("VANBAN_HUB_MAX_PACKAGE_MB", "200")  # the cause, fixed
    held = services.retry_refused(held, actor="vanhanh")
    assert held.state == "accepted", held.error_message
    package = Package.objects.get(parent_package_id="p-1")
    assert Delivery.objects.get(package=package).agency_code == B
    assert not PullProblem.objects.filter(parent_package_id="p-1").exists()
    again = federation.pull_from_parent()  # the parent still offers it: a duplicate, acked now
    assert (again.taken, again.duplicates) == (1, 1) and parent.acked == ["p-1"]
