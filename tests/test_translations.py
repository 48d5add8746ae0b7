import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str):
    """(msgid, [msgstr...], flags) for each live entry of a .po file."""
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid "(.*)"', block, re.M)
        if not msgid:
            continue
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        full = [first + "".join(re.findall(r'"(.*)"', rest)) for first, rest in strings]
        yield (
            msgid.group(1) + "".join(re.findall(r'^"(.*)"', block.split("msgstr")[0], re.M)),
            full,
            flags,
        )


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
