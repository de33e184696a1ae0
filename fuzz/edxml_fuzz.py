"""Fuzz target for vanban.edxml.parse_package: any exception other than EdxmlError is a bug.

Also `read_package` (one parse shared with verification): it must read exactly what
`parse_package` reads, and `verify_package` must give the same verdict with each XML-DSig engine
(the cut-tree check, python-xmlsec, signxml; signed seeds make the mutations hit real signatures);
`sign_package` on the cut tree must write the very bytes signxml's whole-tree path writes.

    python fuzz/edxml_fuzz.py --seconds 60          # hypothesis-driven mutations (default)
    python fuzz/edxml_fuzz.py --atheris -- -max_total_time=60   # if atheris is installed

Seeds are the test fixtures, the real packages, plus freshly built packages; mutations flip bytes, cut, splice
hostile fragments, and duplicate or drop elements. A crashing input is saved under
fuzz/corpus/edxml/ and becomes a regression case for tests/edxml/test_fuzz_regressions.py.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vanban.edxml import (  # noqa: E402
    Attachment,
    EdxmlError,
    Limits,
    build_package,
    parse_package,
    read_package,
    sign_package,
    verify_package,
)
from vanban.edxml import signature as signature_module  # noqa: E402
from vanban.edxml.xmldsig import available_backends  # noqa: E402

CORPUS = ROOT / "fuzz" / "corpus" / "edxml"
FIXTURES = ROOT / "tests" / "edxml" / "fixtures"
REAL = ROOT / "tests" / "edxml" / "real"
LIMITS = Limits(max_total_bytes=4 * 1024 * 1024, max_attachment_bytes=1024 * 1024)
FRAGMENTS = [
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"&#0;", b"&#xD;", b"<![CDATA[", b"]]>", b"<!--",
    b"-->", b"<?pi x?>", b"<x>" * 80, b"</x>", b"cid:", b"PK\x03\x04", b"====", b"\x00", b"\xff\xfe",
    b"<edXML:ContentTransferEncoded>", b"</edXML:ContentTransferEncoded>", b"<ContentTransferEncoded/>",
    b'<Attachment><ContentId>cid:1</ContentId><ContentTransferEncoded>QQ==</ContentTransferEncoded></Attachment>',
    b"<edXML:To><edXML:OrganId>000.00.00.H16</edXML:OrganId></edXML:To>", b"<StatusCode>14</StatusCode>",
    b"vanban-edxml-slice-0000000000000000-0", b'xmlns:edXML="urn:other"', b"\xc3\x28",
]


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in sorted(FIXTURES.glob("*.edxml"))]
    out += [p.read_bytes() for p in sorted(REAL.glob("*.edxml"))]
    out += [p.read_bytes() for p in sorted(CORPUS.glob("*.edxml"))]
    sys.path.insert(0, str(ROOT))
    from tests.edxml.samples import sample_document

    out.append(build_package(sample_document()))
    two = build_package(sample_document(Attachment("a.pdf", b"%PDF-1.4 fuzz" * 20, "application/pdf"),
                                        Attachment("b.txt", b"", "text/plain")))
    out.append(two)
    out.append(sign_package(two, _identity().key, _identity().cert))
    return out


_IDENTITIES: list = []


def _identity():  # the test PKI's Identity, made once per run
    if not _IDENTITIES:
        from tests.edxml.samples import make_identity

        _IDENTITIES.append(make_identity("Fuzz"))
    return _IDENTITIES[0]


@st.composite
def mutated(draw: st.DrawFn, pool: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(pool)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            data += draw(st.sampled_from(FRAGMENTS))
            continue
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            data[pos] = draw(st.integers(0, 255))
        elif op == 1:
            end = min(len(data), pos + draw(st.integers(1, 400)))
            del data[pos:end]
        elif op == 2:
            data[pos:pos] = draw(st.sampled_from(FRAGMENTS))
        elif op == 3:
            end = min(len(data), pos + draw(st.integers(1, 2000)))
            data[pos:pos] = data[pos:end]
        elif op == 4:
            data[pos:pos] = draw(st.binary(max_size=40))
        else:
            del data[pos:]
    return bytes(data)


def check(data: bytes) -> None:
    """The property: EdxmlError or success, in both modes; attachments readable if accepted;
    `read_package` reads the same; both XML-DSig engines give the same verdict."""
    for strict in (True, False):
        try:
            parsed = parse_package(data, strict=strict, limits=LIMITS)
        except EdxmlError as exc:
            try:
                read_package(data, strict=strict, limits=LIMITS)
            except EdxmlError as again:
                assert again.code == exc.code, (again.code, exc.code)
            else:
                raise AssertionError(f"read_package accepted what parse_package refused ({exc.code})")
            continue
        for att in parsed.attachments:
            assert len(att.read()) == att.size
        assert read_package(data, strict=strict, limits=LIMITS).parsed == parsed
    backends = available_backends()
    verdicts = set()
    for backend in backends:
        try:
            result = verify_package(data, [_identity().cert], limits=LIMITS, backend=backend)
        except EdxmlError as exc:
            verdicts.add(("error", exc.code))
        else:
            verdicts.add((str(result.valid), result.code))
    assert len(verdicts) == 1, verdicts
    _check_signing(data)


def _check_signing(data: bytes) -> None:
    """`sign_package` on the cut tree writes exactly the bytes signxml's whole-tree path writes
    (RSA PKCS#1 v1.5 is deterministic), or both refuse with the same code, or only signxml fails."""
    identity = _identity()
    outcomes = []
    for cut in (True, False):
        real = signature_module.sign_cut
        if not cut:
            signature_module.sign_cut = lambda *args: None
        try:
            outcomes.append(sign_package(data, identity.key, identity.cert, limits=LIMITS))
        except EdxmlError as exc:
            outcomes.append(exc.code)
        finally:
            signature_module.sign_cut = real
    cut, whole = outcomes
    if isinstance(cut, bytes) and not isinstance(whole, bytes):
        # signxml re-reads the tree as text and can fail where the cut tree does not (a
        # non-ASCII attribute name): then what the cut tree signed must verify
        assert verify_package(cut, [identity.cert], limits=LIMITS).valid, whole
        return
    assert cut == whole, [o if isinstance(o, str) else len(o) for o in outcomes]


def save(data: bytes) -> Path:
    CORPUS.mkdir(parents=True, exist_ok=True)
    path = CORPUS / f"crash-{hashlib.sha256(data).hexdigest()[:16]}.edxml"
    path.write_bytes(data)
    return path


def run_hypothesis(seconds: float, seed: int | None = None) -> int:
    """Rounds of 300 mutated packages until `seconds` are up. With `seed`, round n draws from
    seed + n: the same run replays the same inputs (CI); without, every run is new (`make fuzz`)."""
    pool = seeds()
    deadline = time.monotonic() + seconds
    rounds = 0

    @settings(max_examples=300, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(mutated(pool))
    def one_round(data: bytes) -> None:
        try:
            check(data)
        except Exception:
            path = save(data)
            print(f"CRASH saved to {path}", file=sys.stderr)
            raise

    while time.monotonic() < deadline:
        try:
            (one_round if seed is None else hypothesis_seed(seed + rounds)(one_round))()
        except Exception:
            traceback.print_exc()
            if seed is not None:
                print(f"replay: --seed {seed} (round {rounds})", file=sys.stderr)
            return 1
        rounds += 1
    print(f"edxml fuzz: {rounds * 300} inputs in {seconds:.0f} s, no crash")
    return 0


def run_atheris(argv: list[str]) -> int:
    import atheris  # optional dependency

    def target(raw: bytes) -> None:
        try:
            check(raw)
        except Exception:
            save(raw)
            raise

    atheris.Setup([sys.argv[0], *argv, str(CORPUS)], target)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=None, help="replayable rounds (CI); random without")
    parser.add_argument("--atheris", action="store_true")
    args, rest = parser.parse_known_args()
    if args.atheris:
        return run_atheris([a for a in rest if a != "--"])
    return run_hypothesis(args.seconds, args.seed)


if __name__ == "__main__":
    sys.exit(main())
