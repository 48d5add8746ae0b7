import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def _entries(text: str):
    """(msgid as the compiled catalogue keys it, [msgstr...], flags) for each live entry."""
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        fields: dict[str, str] = {}
        flags, key = "", None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line[2:]
            elif match := KEYWORD.match(line):
                key = match.group(1)
                fields[key] = _unescape(match.group(2))
            elif line.startswith('"') and key is not None:
                fields[key] += _unescape(line[1:-1])
        if "msgid" not in fields:
            continue
        msgid = fields["msgid"]
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        strings = [value for name, value in fields.items() if name.startswith("msgstr")]
        yield msgid, strings, flags


def test_every_user_facing_string_has_an_indonesian_translation():
    missing = [
        msgid
        for msgid, strings, flags in _entries(PO.read_text(encoding="utf-8"))
        if msgid and (not all(strings) or "fuzzy" in flags)
    ]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    source_ids = {msgid for msgid, _s, _f in _entries(PO.read_text(encoding="utf-8")) if msgid}
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in catalogue if key}
    assert source_ids <= compiled_ids, "run `make messages` to recompile django.mo"


def test_pages_are_indonesian_even_when_the_phone_asks_for_english(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()


def test_choosing_english_switches_the_interface(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert '<html lang="en">' in response.content.decode()
