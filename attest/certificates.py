"""The certificate PDF, rendered from an attestation with reportlab.

DejaVu Sans is embedded so every name prints (Søren Ødegård, José Núñez, Łukasz Żółć).
The page is printed in the language the employee signed in.
"""

import datetime
import io
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .models import Attestation

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
ACCENT = HexColor("#1d4e89")


def register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def certificate_pdf(*, attestation: Attestation, company_name: str, verify_url: str, signatory: str = "") -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    with override(attestation.locale_code):
        title = _("Certificate of completion")
        pdf.setTitle(f"{title} — {attestation.typed_name}")
        pdf.setAuthor(company_name)
        pdf.setStrokeColor(ACCENT)
        pdf.setLineWidth(3)
        pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

        pdf.setFillColor(ACCENT)
        pdf.setFont(BOLD, 14)
        pdf.drawCentredString(width / 2, height - 32 * mm, company_name)
        pdf.setFont(BOLD, 30)
        pdf.drawCentredString(width / 2, height - 50 * mm, title)

        pdf.setFillColor(HexColor("#111111"))
        pdf.setFont(REGULAR, 13)
        pdf.drawCentredString(width / 2, height - 66 * mm, _("This certifies that"))
        pdf.setFont(BOLD, 26)
        pdf.drawCentredString(width / 2, height - 80 * mm, attestation.typed_name)
        pdf.setFont(REGULAR, 13)
        pdf.drawCentredString(
            width / 2,
            height - 93 * mm,
            _("has completed the training and signed the attestation for"),
        )
        pdf.setFont(BOLD, 16)
        pdf.drawCentredString(
            width / 2,
            height - 104 * mm,
            _("%(policy)s, version %(version)s")
            % {"policy": attestation.policy_title, "version": attestation.version_number},
        )

        signed_local = timezone.localtime(attestation.signed_at)
        lines = [
            (_("Signed"), f"{date_format(signed_local, 'DATETIME_FORMAT')} ({signed_local.tzname()})"),
            (_("Signed (UTC)"), attestation.signed_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
            (_("Employee id"), attestation.employee_number),
            (_("Content SHA-256"), attestation.content_sha256),
            (_("Verification code"), attestation.verification_code),
            (_("Verify at"), verify_url),
        ]
        y = height - 124 * mm
        for label, value in lines:
            pdf.setFont(BOLD, 9)
            pdf.drawString(28 * mm, y, label)
            pdf.setFont(REGULAR, 9)
            pdf.drawString(78 * mm, y, value)
            y -= 6 * mm
        if signatory:
            pdf.setFont(REGULAR, 10)
            pdf.drawString(28 * mm, 24 * mm, signatory)

        renderPDF.draw(_qr(verify_url, 42 * mm), pdf, width - 70 * mm, 22 * mm)
        pdf.setFont(REGULAR, 8)
        pdf.drawCentredString(width - 49 * mm, 18 * mm, _("Scan to verify"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
