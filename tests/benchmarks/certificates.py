"""Certificate benchmarks (PRODUCT.md §6):

1. What the app adds to bare WeasyPrint: the app's render of a certificate (its template, the QR
   code, WeasyPrint with the shared font configuration) against WeasyPrint alone turning the very
   same HTML into a PDF with its defaults (target: at most 25 % more); and the same with the
   PAdES signature the app adds, reported beside it.
2. Batch throughput with 1 and 2 processes (every core used).
3. Memory growth over BENCH_RENDERS renders in one process.
A one-line A4 page is still measured as a yardstick for the machine.

Run with `python -m tests.benchmarks.certificates`; printed, not asserted."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

RENDERS = int(os.environ.get("BENCH_RENDERS", "1000"))
BATCH = int(os.environ.get("BENCH_BATCH", "60"))


def context(i: int = 0) -> dict[str, Any]:
    from app.certificates.render import module_jp, qr_data_uri

    url = f"https://cakap.example.go.id/verify/ABCDEFGHJKLMN{i:03d}"
    return dict(
        number=f"{i + 1:05d}/SGOV/BKPSDM-TSM/2026",
        issuer_parent="Pemerintah Kabupaten Tasikmalaya",
        issuer_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        holder_name="Rina Marlina, S.E.",
        holder_nip="199003142015032001",
        holder_rank="Penata Muda Tk. I, III/b",
        holder_position="Pengolah Data Kependudukan",
        holder_instansi="Pemerintah Kabupaten Tasikmalaya",
        course_title="Smart Governance dan Peran ASN",
        started_on="2 November 2026",
        completed_on="27 November 2026",
        jp=6,
        predicate="Sangat Memuaskan",
        place="Singaparna",
        issued_on="27 November 2026",
        signatory_title="Kepala BKPSDM",
        signatory_name="Drs. Dadang Hermawan, M.Si.",
        signatory_nip="196805121994031004",
        signature_note="Dokumen ini belum ditandatangani secara elektronik.",
        qr=qr_data_uri(url),
        verify_url=url,
        modules=module_jp([("Konsep", 40), ("SPBE", 75), ("Pelayanan", 60), ("Peran ASN", 60)], 6),
        pretest_score="40",
        posttest_score="100",
        minutes_per_jp=45,
    )


def render_certificate(i: int) -> int:
    from app.certificates.render import render_pdf

    return len(render_pdf("default", context(i)))


def render_one_line() -> int:
    """The yardstick: one line on an A4 page, with the same shared font configuration."""
    from weasyprint import HTML

    from app.certificates.render import font_configuration

    html = HTML(string="<style>@page{size:A4}</style><p>Satu baris.</p>")
    return len(html.write_pdf(font_config=font_configuration()))


def certificate_html(i: int = 0) -> tuple[str, str]:
    """The HTML the app renders for a certificate, and the folder its assets are read from."""
    from app.certificates.render import DESIGNS, _environment

    html = _environment("default").get_template("certificate.html").render(context(i))
    return html, str((DESIGNS / "default").resolve()) + "/"


_HTML = certificate_html()


def render_bare() -> int:
    """WeasyPrint alone on the same HTML, as its documentation shows it used."""
    from weasyprint import HTML

    html, base = _HTML
    return len(HTML(string=html, base_url=base).write_pdf())


def _signing_key() -> None:
    """A development key in a temporary folder when none is configured (the figure must include
    a real signature)."""
    import tempfile

    from app.certificates import signing
    from app.config import get_settings

    if signing.signer_info() is None:
        path = Path(tempfile.mkdtemp(prefix="cakap-bench-")) / "dev-signer.p12"
        signing.create_development_signer(path)
        get_settings().signing_key_path = path


def render_and_sign(i: int) -> int:
    from app.certificates import signing
    from app.certificates.render import render_pdf

    return len(signing.sign(render_pdf("default", context(i)), reason="Uji", location="Uji"))


def timed(fn: Any, n: int) -> float:
    samples = []
    for i in range(n):
        t = time.perf_counter()
        fn(i) if fn in (render_certificate, render_and_sign) else fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def batch(processes: int) -> float:
    t = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(render_certificate, range(BATCH), chunksize=2))
    return BATCH / (time.perf_counter() - t)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    _signing_key()
    for _ in range(5):  # warm-up: fonts, template cache, the signing key
        render_certificate(0)
        render_one_line()
        render_bare()
        render_and_sign(0)
    baseline = timed(render_one_line, 30)
    bare = timed(render_bare, 30)
    cert = timed(render_certificate, 30)
    signed = timed(render_and_sign, 30)
    one, two = batch(1), batch(2)
    start = rss_mb()
    for i in range(RENDERS):
        render_certificate(i)
    growth = rss_mb() - start
    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "one_line_ms": round(baseline * 1000, 1),
        "certificate_ms": round(cert * 1000, 1),
        "ratio": round(cert / baseline, 2),
        "bare_weasyprint_ms": round(bare * 1000, 1),
        "app_over_bare": round(cert / bare, 2),
        "signed_ms": round(signed * 1000, 1),
        "signed_over_bare": round(signed / bare, 2),
        "batch_1_per_s": round(one, 1),
        "batch_2_per_s": round(two, 1),
        "speedup_2": round(two / one, 2),
        "renders": RENDERS,
        "rss_growth_mb": round(growth, 1),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
