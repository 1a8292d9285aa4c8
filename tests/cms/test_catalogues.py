"""The interface's translation catalogues are complete, correct and up to date with the source.

For each of the four translated languages (English is the source), ``locale/<lang>/LC_MESSAGES/django.po``
must have no untranslated and no fuzzy entry, keep every placeholder and HTML tag of its msgid, have
the right plural forms, and hold exactly the msgids that ``makemessages`` finds in the code today.

When a test here fails because strings were added or changed, refresh and translate the catalogues::

    .venv/bin/python manage.py makemessages -l fr -l es -l da -l nb \\
        --ignore=.venv --ignore=tests --ignore=staticfiles --no-obsolete

then translate every new or ``#, fuzzy`` entry (and remove the flag) in all four files.
No database is needed.
"""

import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ["fr", "es", "da", "nb"]
# The Plural-Forms header makemessages writes for each language (gettext's own rules).
PLURAL_FORMS = {
    "fr": (2, "(n > 1)"),
    "es": (3, "n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2"),
    "da": (2, "(n != 1)"),
    "nb": (2, "(n != 1)"),
}
# What the documented makemessages command leaves out (see the module docstring).
IGNORE = [".venv", "tests", "staticfiles"]
# Never copied into the scratch tree used to re-extract the strings.
NOT_SOURCE = {
    ".venv",
    ".git",
    "locale",
    "tests",
    "staticfiles",
    "media",
    "node_modules",
    ".ruff_cache",
    ".pytest_cache",
}

# printf-style conversions as Python's %-formatting reads them: %(name)s, %s, %d, %.1f, %(seconds).1f, %%.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"<[^<>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def where(self) -> str:
        return f"{self.msgid!r} ({', '.join(self.references) or 'no reference'})"


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted .po string: {text}"
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """A small .po reader: the header (as a dict) and every non-header entry, obsolete ones marked."""
    entries: list[Entry] = []
    current = Entry()
    field_name: tuple[str, int] | None = None
    started = False

    def finish():
        nonlocal current, started, field_name
        if started:
            entries.append(current)
        current, started, field_name = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif line.startswith("#"):
            if started and field_name and field_name[0] == "msgstr":
                finish()
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                current.references.extend(line[2:].split())
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and field_name and field_name[0] == "msgstr":
                finish()
            started = True
            if keyword.startswith("msgstr"):
                field_name = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[field_name[1]] = value
            else:
                field_name = (keyword, 0)
                setattr(current, keyword, value)
            continue
        if line.startswith('"') and field_name:
            if field_name[0] == "msgstr":
                current.msgstr[field_name[1]] += _unquote(line)
            else:
                setattr(current, field_name[0], getattr(current, field_name[0]) + _unquote(line))
            continue
        raise AssertionError(f"{path}: cannot read line {raw!r}")
    finish()

    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete]
    assert len(header_entries) == 1, f"{path}: expected exactly one header entry"
    header_entry = header_entries[0]
    assert "fuzzy" not in header_entry.flags, f"{path}: the header is still marked fuzzy"
    header = {}
    for header_line in header_entry.msgstr.get(0, "").splitlines():
        name, _sep, value = header_line.partition(":")
        header[name.strip()] = value.strip()
    return header, [e for e in entries if e is not header_entry]


def catalogue(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def printf_tokens(text: str) -> Counter:
    return Counter(m.group(0) for m in PRINTF.finditer(text))


def named_tokens(text: str) -> set[str]:
    return {m.group(0) for m in PRINTF.finditer(text) if m.group("name") is not None}


def check_entry(entry: Entry, nplurals: int) -> list[str]:
    """Every problem with one translated entry, as readable sentences."""
    problems = []
    forms = [entry.msgstr.get(i) for i in range(nplurals)] if entry.msgid_plural is not None else [entry.msgstr.get(0)]
    if entry.msgid_plural is not None and sorted(entry.msgstr) != list(range(nplurals)):
        problems.append(
            f"has msgstr{sorted(entry.msgstr)} but the language has {nplurals} plural forms: {entry.where()}"
        )
    if "fuzzy" in entry.flags:
        problems.append(f"is fuzzy: {entry.where()}")
    if any(not form for form in forms):
        problems.append(f"is untranslated: {entry.where()}")
        return problems
    source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    for index, form in enumerate(forms):
        label = f"msgstr[{index}]" if entry.msgid_plural is not None else "msgstr"
        if "python-format" in entry.flags:
            if entry.msgid_plural is not None:
                # A plural form may only use placeholders of the msgid pair, and must keep every named one.
                expected = named_tokens(entry.msgid) | named_tokens(entry.msgid_plural)
                if named_tokens(form) != expected or set(printf_tokens(form)) - set(
                    printf_tokens(entry.msgid) + printf_tokens(entry.msgid_plural)
                ):
                    problems.append(
                        f"{label} placeholders {sorted(printf_tokens(form))} differ from {sorted(expected)}: {entry.where()}"
                    )
            elif printf_tokens(form) != printf_tokens(source):
                problems.append(
                    f"{label} placeholders {sorted(printf_tokens(form).elements())} differ from {sorted(printf_tokens(source).elements())}: {entry.where()}"
                )
        elif named_tokens(form) != named_tokens(source):
            problems.append(
                f"{label} named placeholders {sorted(named_tokens(form))} differ from {sorted(named_tokens(source))}: {entry.where()}"
            )
        if "python-brace-format" in entry.flags and Counter(BRACE.findall(form)) != Counter(BRACE.findall(source)):
            problems.append(f"{label} {{}} placeholders differ from the msgid: {entry.where()}")
        if Counter(TAG.findall(form)) != Counter(TAG.findall(source)):
            problems.append(f"{label} HTML tags {TAG.findall(form)} differ from {TAG.findall(source)}: {entry.where()}")
        if form.endswith("\n") != source.endswith("\n") or form.startswith("\n") != source.startswith("\n"):
            problems.append(f"{label} does not start/end with a newline like the msgid: {entry.where()}")
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_and_keeps_placeholders(lang):
    path = catalogue(lang)
    assert path.exists(), f"{path} is missing: run makemessages (see this module's docstring)"
    header, entries = parse_po(path)
    assert header.get("Language") == lang
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"
    nplurals, plural = PLURAL_FORMS[lang]
    assert header.get("Plural-Forms") == f"nplurals={nplurals}; plural={plural};"
    live = [e for e in entries if not e.obsolete]
    assert live, f"{path} has no entries"
    problems = [problem for entry in live for problem in check_entry(entry, nplurals)]
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def test_parser_reads_the_awkward_cases(tmp_path):
    """The checks above are only as good as the reader: plural forms, wrapped strings, escapes, flags."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(count)d day"\nmsgid_plural "%(count)d days"\nmsgstr[0] "%(count)d jour"\nmsgstr[1] ""\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Say \\"%(name)s\\" "\n"twice"\nmsgstr "Dites « %(nom)s »"\n\n'
        'msgid "100%% sure, %(seconds).1f s"\nmsgstr "sûr à 100 %%, %(seconds).1f s"\n',
        encoding="utf-8",
    )
    header, entries = parse_po(po)
    assert header["Language"] == "fr"
    plural, quoted, percent = entries
    assert plural.msgid_plural == "%(count)d days" and plural.msgstr == {0: "%(count)d jour", 1: ""}
    assert quoted.msgid == 'Say "%(name)s" twice' and {"fuzzy", "python-format"} <= quoted.flags
    assert check_entry(plural, 2) == [f"is untranslated: {plural.where()}"]
    assert len(check_entry(quoted, 2)) == 2  # fuzzy, and %(nom)s is not %(name)s
    assert check_entry(percent, 2) == []  # "%%" is not a placeholder, "%(seconds).1f" is kept


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[Entry]:
    """The French catalogue as ``makemessages`` would write it from today's source, made in a scratch
    copy of the project so the real catalogues are never touched."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.fail("GNU gettext (xgettext, msgmerge) is needed: apt-get install gettext")
    scratch = tmp_path_factory.mktemp("project")
    for child in ROOT.iterdir():
        if child.name in NOT_SOURCE or child.suffix in (".sqlite3", ".mo"):
            continue
        if child.is_dir():
            shutil.copytree(child, scratch / child.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
        else:
            shutil.copy2(child, scratch / child.name)
    shutil.copytree(LOCALE_DIR / "fr", scratch / "locale" / "fr", ignore=shutil.ignore_patterns("*.mo"))
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[scratch / "locale"]):
        patch.chdir(scratch)  # makemessages walks the current directory
        call_command("makemessages", locale=["fr"], ignore_patterns=IGNORE, no_obsolete=True, verbosity=0)
    _header, entries = parse_po(scratch / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    return [e for e in entries if not e.obsolete]


def test_every_string_in_the_source_is_translated(extracted):
    """New or changed strings come out of makemessages untranslated or fuzzy."""
    pending = [e.where() for e in extracted if "fuzzy" in e.flags or not all(e.msgstr.values())]
    assert not pending, (
        f"{len(pending)} string(s) in the code have no translation; run makemessages and translate them:\n  "
        + "\n  ".join(pending)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_holds_exactly_the_strings_in_the_source(lang, extracted):
    wanted = {e.key for e in extracted}
    _header, entries = parse_po(catalogue(lang))
    have = {e.key for e in entries if not e.obsolete}
    missing, stale = sorted(wanted - have, key=str), sorted(have - wanted, key=str)
    assert not missing and not stale, (
        f"locale/{lang} is out of date with the source; run makemessages (see this module's docstring).\n"
        f"  missing: {[k[1] for k in missing]}\n  no longer in the source: {[k[1] for k in stale]}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(lang):
    """gettext's own checks (format strings, header, plural forms), as compilemessages relies on."""
    if not shutil.which("msgfmt"):
        pytest.fail("GNU gettext (msgfmt) is needed: apt-get install gettext")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
