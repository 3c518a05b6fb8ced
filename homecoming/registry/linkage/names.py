"""Name normalisation for Azerbaijani registries, in any of the scripts they were kept in.

The same person appears as ``Məmmədov`` (Azerbaijani Latin, since 1991), ``Мәммәдов``
(Azerbaijani Cyrillic, 1939-1991), ``Мамедов`` (Russian spelling), ``Mammadov`` or
``Mamedov`` (ASCII), and since the 1993 surname law sometimes ``Məmmədli``. This module turns
all of them into comparable keys, in three steps:

1. :func:`to_latin` transliterates Cyrillic (Azerbaijani and Russian letters) to
   Azerbaijani Latin and lower-cases with the Azerbaijani ``İ``/``I`` rule.
2. :func:`name_key` is a phonetic-ish key robust to the ASCII and Russian spellings:
   ``ə``/``e``/``a`` fold together, so do the guttural consonants ``h x q k g ğ`` (Russian
   writes ``h`` as ``г`` or ``х``, ``q`` as ``к`` or ``г``), the affricates ``c ç j``
   (``dzh``, ``ch``, ``zh``), ``ş``/``s``; ``y`` is dropped (``Əliyev``/``Алиев``) and
   doubled letters collapse (``Məmməd``/``Мамед``).
3. :func:`surname_stem` removes the surname endings ``-ov/-ova/-yev/-yeva/-ev/-eva``,
   ``-li/-lı/-lu/-lü`` and ``-zadə`` from the key, so ``Məmmədov``, ``Məmmədli`` and
   ``Мамедова`` share the stem ``mamad``.

Patronymics (``Əli oğlu``, ``Vəli qızı``, ``Али оглы``, ``Алиевич``, ``Alievna``) are parsed
by :func:`parse_patronymic` into the father's name key and a sex hint. :func:`is_valid_fin`
checks the format of the personal identification number (FİN).

Pure functions, no I/O, no Django; the hot ones are memoised because registry names are
highly repetitive.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Sex = Literal["M", "F"]

__all__ = [
    "FIN_ALPHABET",
    "Patronymic",
    "Sex",
    "is_valid_fin",
    "name_key",
    "normalise_fin",
    "parse_patronymic",
    "surname_sex_hint",
    "surname_stem",
    "to_latin",
]

# Azerbaijani Cyrillic (1958-1991 orthography) and Russian letters to Azerbaijani Latin.
# Where the two alphabets disagree (Russian г is Azerbaijani h, q or g), the letter is
# mapped to its Azerbaijani Cyrillic value; name_key folds the difference away.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "q", "ғ": "ğ", "д": "d", "е": "e", "ё": "yo",
    "ж": "j", "з": "z", "и": "i", "й": "y", "ј": "y", "к": "k", "ҝ": "g", "ӷ": "g",
    "л": "l", "м": "m", "н": "n", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ү": "ü", "ұ": "ü", "ф": "f", "х": "x", "һ": "h", "ц": "ts",
    "ч": "ç", "ҹ": "c", "ҷ": "c", "ш": "ş", "щ": "şç", "ъ": "", "ы": "ı", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ә": "ə", "ӓ": "ə", "і": "i", "ї": "yi", "є": "ye",
}  # fmt: skip

# Latin letters kept as they are by to_latin (Azerbaijani Latin plus the 1991-92 "ä").
_KEEP = set("abcdefghijklmnopqrstuvwxyzçğıöşüə")
_LATIN_EXTRA = {"ä": "ə", "ǝ": "ə", "ё": "yo", "w": "v"}

# ASCII digraphs of the Russian and English transliterations, longest first.
_DIGRAPHS = (
    ("dzh", "c"), ("dj", "c"), ("zh", "j"), ("kh", "x"), ("gh", "ğ"),
    ("ch", "ç"), ("sh", "ş"), ("tch", "ç"),
)  # fmt: skip
_DIGRAPH_RE = re.compile("|".join(sorted((d for d, _ in _DIGRAPHS), key=len, reverse=True)))
_DIGRAPH_MAP = dict(_DIGRAPHS)

_Y_VOWEL = re.compile(r"(?<=[^aeiouəıöü])y(?=[^aeiouəıöü]|$)")

# Phonetic classes used by name_key.
_CLASS = str.maketrans(
    {
        "ə": "a", "e": "a", "a": "a",
        "ı": "i", "i": "i",
        "ö": "o", "o": "o",
        "ü": "u", "u": "u",
        "h": "k", "x": "k", "q": "k", "k": "k", "g": "k", "ğ": "k",
        "c": "c", "ç": "c", "j": "c",
        "ş": "s", "s": "s",
        "w": "v",
        "y": None,
    }
)  # fmt: skip

# Surname endings on the Latin spelling, longest first: -zadə, -ova/-eva/-yeva, -ov/-ev/-yev,
# -li/-lı/-lu/-lü (and ASCII -ly).
_SURNAME_SUFFIXES = (
    "zadə", "zade", "zada", "yeva", "ova", "eva", "yev", "ov", "ev", "li", "lı", "lu", "lü", "ly",
)  # fmt: skip
_MIN_STEM = 2

_SON = {"oklu", "okli", "okl", "oklo", "ukli", "uklu", "okul"}
_DAUGHTER = {"kizi", "kz", "kiz", "kizu", "kisi"}
_RU_PATRONYMIC = (("ovna", "F"), ("avna", "F"), ("ivna", "F"), ("icna", "F"),
                  ("ovic", "M"), ("avic", "M"), ("ovc", "M"), ("ic", "M"))  # fmt: skip


def _lower(text: str) -> str:
    # Azerbaijani casing: "İ" is i with a dot, "I" is dotless ı, but in ASCII and Russian
    # transliterations an upper-case I means i. name_key folds ı and i, so plain i is fine.
    return text.replace("İ", "i").replace("I", "i").lower().replace("i̇", "i")


@lru_cache(maxsize=1 << 18)
def to_latin(text: str) -> str:
    """Transliterate a name to lower-case Azerbaijani Latin, keeping only letters and spaces.

    Cyrillic letters (Azerbaijani and Russian) are mapped to Azerbaijani Latin; Latin
    letters outside the Azerbaijani alphabet lose their diacritics; punctuation, digits and
    apostrophes become spaces, runs of spaces collapse.

    >>> to_latin("Мәммәдов")
    'məmmədov'
    >>> to_latin("Мамедов")
    'mamedov'
    >>> to_latin("  HÜSEYNOV ")
    'hüseynov'
    >>> to_latin("Ҹәфәр-Əli")
    'cəfər əli'
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", _lower(text)):
        if ch in _KEEP:
            out.append(ch)
        elif ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _LATIN_EXTRA:
            out.append(_LATIN_EXTRA[ch])
        elif ch.isalpha():
            base = unicodedata.normalize("NFD", ch)[0]
            out.append(base if base in _KEEP else "")
        else:
            out.append(" ")
    return " ".join("".join(out).split())


@lru_cache(maxsize=1 << 18)
def name_key(text: str) -> str:
    """Return a phonetic key of a name, the same for its Latin, Cyrillic and ASCII spellings.

    Words are joined without spaces. The key is for comparing, not for display.

    >>> {name_key(s) for s in ("Məmmədov", "Мамедов", "Мәммәдов", "Mammadov", "Mamedov")}
    {'mamadov'}
    >>> {name_key(s) for s in ("Əliyev", "Алиев", "Aliyev", "Aliev")}
    {'aliav'}
    >>> {name_key(s) for s in ("Hüseynov", "Гусейнов", "Huseynov", "Guseynov")}
    {'kusanov'}
    >>> name_key("Sevinc") == name_key("Севиндж") == name_key("Sevindzh")
    True
    >>> name_key("Lachyn") == name_key("Laçın") == name_key("Лачын")
    True
    >>> name_key("")
    ''
    """
    latin = to_latin(text).replace(" ", "")
    latin = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], latin)
    # In ASCII spellings from Russian, "y" between consonants is the vowel ы (Lachyn, Nazly).
    latin = _Y_VOWEL.sub("ı", latin)
    folded = latin.translate(_CLASS)
    return re.sub(r"(.)\1+", r"\1", folded)


@lru_cache(maxsize=1 << 18)
def surname_stem(text: str) -> str:
    """Return the key of a surname without its ending (-ov, -ova, -yev, -li, -zadə...).

    The ending is removed from the Latin spelling before the key is taken, so that
    ``Musayev`` and ``Musalı`` both give ``musa``.

    >>> {surname_stem(s) for s in ("Məmmədov", "Məmmədli", "Мамедова", "Mammadzade")}
    {'mamad'}
    >>> surname_stem("Quliyeva") == surname_stem("Кулиев") == surname_stem("Guliyev")
    True
    >>> surname_stem("Musayev") == surname_stem("Musaev") == surname_stem("Musalı")
    True
    >>> surname_stem("Rza")  # no known ending: the whole key
    'rza'
    """
    latin = to_latin(text).replace(" ", "")
    for suffix in _SURNAME_SUFFIXES:
        if latin.endswith(suffix) and len(latin) - len(suffix) >= _MIN_STEM:
            return name_key(latin[: -len(suffix)])
    return name_key(latin)


def surname_sex_hint(text: str) -> Sex | None:
    """Guess the sex from a Russian-style surname ending (-ova/-eva is F, -ov/-ev is M).

    Surnames in -li, -zadə or without an ending give no hint.

    >>> surname_sex_hint("Məmmədova"), surname_sex_hint("Алиев"), surname_sex_hint("Məmmədli")
    ('F', 'M', None)
    """
    key = name_key(text)
    if key.endswith(("ova", "ava")) and len(key) > 4:
        return "F"
    if key.endswith(("ov", "av")) and len(key) > 3:
        return "M"
    return None


@dataclass(frozen=True, slots=True)
class Patronymic:
    """A parsed patronymic: the father's given-name key and the sex it implies.

    ``father`` is a :func:`name_key` (``""`` when nothing is left after parsing).
    """

    father: str
    sex: Sex | None


@lru_cache(maxsize=1 << 16)
def parse_patronymic(text: str) -> Patronymic:
    """Parse an Azerbaijani or Russian-style patronymic.

    Understands ``<name> oğlu`` / ``<name> qızı`` in any script and spelling (``oglu``,
    ``ogly``, ``оглы``, ``qizi``, ``kyzy``, ``кызы``, ``гызы``), the particle glued to the
    name (``Əlioğlu``), Russian suffixes (``-ovich``, ``-evich``, ``-ovna``, ``-evna``)
    and a bare father's name.

    >>> parse_patronymic("Əli oğlu")
    Patronymic(father='ali', sex='M')
    >>> parse_patronymic("Алиевна")
    Patronymic(father='ali', sex='F')
    >>> parse_patronymic("Гусейн кызы") == parse_patronymic("Hüseyn qızı")
    True
    >>> parse_patronymic("Huseynovich")
    Patronymic(father='kusan', sex='M')
    >>> parse_patronymic("Vəli")
    Patronymic(father='vali', sex=None)
    """
    words = [name_key(w) for w in to_latin(text).split()]
    words = [w for w in words if w]
    if not words:
        return Patronymic("", None)
    last = words[-1]
    if len(words) > 1 and last in _SON:
        return Patronymic("".join(words[:-1]), "M")
    if len(words) > 1 and last in _DAUGHTER:
        return Patronymic("".join(words[:-1]), "F")
    joined = "".join(words)
    for particle, sex in (("oklu", "M"), ("okli", "M"), ("kizi", "F")):
        if joined.endswith(particle) and len(joined) - len(particle) >= _MIN_STEM:
            return Patronymic(joined[: -len(particle)], sex)  # type: ignore[arg-type]
    for suffix, sex in _RU_PATRONYMIC:
        if joined.endswith(suffix) and len(joined) - len(suffix) >= _MIN_STEM:
            return Patronymic(joined[: -len(suffix)], sex)  # type: ignore[arg-type]
    return Patronymic(joined, None)


# FİN: 7 characters, digits and upper-case Latin letters except "I" and "O" (which would be
# confused with 1 and 0). No check character is published, so only the format is checked.
FIN_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
_FIN_LENGTH = 7


def normalise_fin(text: str) -> str:
    """Upper-case a FİN and drop spaces and dashes; ``İ``/``ı`` become ``I`` (then invalid).

    >>> normalise_fin(" 5gxm-4dz ")
    '5GXM4DZ'
    """
    cleaned = text.replace("ı", "I").replace("i", "I").replace("İ", "I")
    return "".join(cleaned.split()).replace("-", "").upper()


def is_valid_fin(text: str) -> bool:
    """Check the format of an Azerbaijani personal identification number (FİN).

    After :func:`normalise_fin`, exactly 7 characters from digits and the Latin letters
    other than ``I`` and ``O``.

    >>> is_valid_fin("94FMDDD"), is_valid_fin("5gxm4dz")
    (True, True)
    >>> is_valid_fin("94FMDD"), is_valid_fin("94FMODD"), is_valid_fin("94FMİDD")
    (False, False, False)
    """
    fin = normalise_fin(text)
    return len(fin) == _FIN_LENGTH and all(c in FIN_ALPHABET for c in fin)
