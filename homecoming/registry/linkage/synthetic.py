"""Seeded generator of Azerbaijani person registries with a ground truth of who is who.

Families (shared surname, children's patronymic from the father, children often named after
a grandfather, so cousins share given names) are registered one to five times by different
registries. Each registration is written in the registry's script and spelling:

* Azerbaijani Latin (Məmmədov Əli Vəli oğlu),
* Azerbaijani Cyrillic (Мәммәдов Әли Вәли оғлу),
* Russian Cyrillic (Мамедов Али Велиевич, Гусейнов, Кулиев, Джафаров),
* ASCII international (Mammadov Ali Vali oglu, Huseynov, Guliyev, Jafarov),
* ASCII from Russian (Mamedov Ali Velievich, Guseynov, Kuliev, Dzhafarov),

with the post-1993 -li surname (Məmmədli), dropped or reformatted patronymics, swapped given
name and surname, typos, missing or mistyped birth dates and FİNs, missing sex.

``generate(n, seed)`` returns a pandas DataFrame with the contract columns plus ``true_id``.
Run ``python -m homecoming.registry.linkage.synthetic 1000 out.csv`` to write a file.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd
from faker.providers.person.az_AZ import Provider as _AzNames

COMMON_SURNAME_ROOTS = [
    "Məmməd", "Əli", "Həsən", "Hüseyn", "Quli", "Cəfər", "İsmayıl", "Abbas", "Rza", "Musa",
    "Süleyman", "Nəsib", "Kərim", "Babay", "Oruc", "Əhməd", "Bağır", "Qasım", "Hacı",
    "İbrahim", "Rəhim", "Vəli", "Səfər", "Xəlil", "Mehdi", "Nəbi", "Əsgər", "Qurban", "Mustafa",
    "Hümbət", "Cabbar", "Salman", "Zeynal", "Allahverdi", "Paşa", "Şükür", "Şıxəli", "Ağa",
]  # fmt: skip

SCRIPTS = ("az_latin", "az_cyrillic", "ru_cyrillic", "ascii_int", "ascii_ru")
SCRIPT_WEIGHTS = (0.38, 0.12, 0.25, 0.15, 0.10)

_AZ_CYR = {
    "a": "а", "b": "б", "c": "ҹ", "ç": "ч", "d": "д", "e": "е", "ə": "ә", "f": "ф", "g": "ҝ",
    "ğ": "ғ", "h": "һ", "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к", "q": "г", "l": "л",
    "m": "м", "n": "н", "o": "о", "ö": "ө", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т",
    "u": "у", "ü": "ү", "v": "в", "y": "ј", "z": "з",
}  # fmt: skip
_RU_CYR = {
    "a": "а", "b": "б", "c": "дж", "ç": "ч", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "г",
    "x": "х", "ı": "ы", "i": "и", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "ö": "ё", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ü": "ю", "v": "в",
    "y": "й", "z": "з",
}  # fmt: skip
_ASCII_INT = {
    "ə": "a", "ç": "ch", "ş": "sh", "c": "j", "x": "kh", "ğ": "gh", "ı": "i", "ö": "o",
    "ü": "u", "q": "g",
}  # fmt: skip
_RU_TO_ASCII = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_VOWELS = set("aeəıioöuü")


def _stable(text: str) -> int:
    # A string hash that does not depend on PYTHONHASHSEED.
    h = 2166136261
    for ch in text:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h


@cache
def _russian(word: str) -> str:
    """Conventional Russian spelling of an Azerbaijani Latin word (lower case)."""
    w = word.lower()
    h = _stable(w)
    out: list[str] = []
    i = 0
    while i < len(w):
        ch = w[i]
        prev = w[i - 1] if i else ""
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch == "y" and nxt in ("a", "ə"):
            out.append("я")
            i += 2
            continue
        if ch == "y" and nxt in ("u", "ü"):
            out.append("ю")
            i += 2
            continue
        if ch == "y" and nxt == "e":
            out.append("е" if prev in _VOWELS else "йе")
            i += 2
            continue
        if ch == "ə":
            out.append("а" if (i == 0 or (h >> i) & 1) else "е")
        elif ch == "h":
            out.append("г" if i == 0 or (h >> (i + 3)) & 1 else "х")
        elif ch == "q":
            out.append("г" if i == 0 and (h & 4) else "к")
        elif ch == "ü" and prev in ("h", "g", "k", "q", "ş", "ç", ""):
            out.append("у" if prev in ("h", "") else "ю")
        elif ch == "e" and i == 0:
            out.append("э")
        elif ch == prev and ch not in _VOWELS and h & 8:
            pass  # Russian spelling often drops the doubled consonant: Мамедов
        else:
            out.append(_RU_CYR.get(ch, ch))
        i += 1
    return "".join(out)


def _render(word: str, script: str) -> str:
    """Write an Azerbaijani Latin word in a registry's script, keeping its capitalisation."""
    if not word:
        return word
    low = word.replace("İ", "i").replace("I", "ı").lower()
    if script == "az_latin":
        text = low
    elif script == "az_cyrillic":
        text = "".join(_AZ_CYR.get(c, c) for c in low)
    elif script == "ru_cyrillic":
        text = _russian(low)
    elif script == "ascii_int":
        text = "".join(_ASCII_INT.get(c, c) for c in low)
    else:
        text = "".join(_RU_TO_ASCII.get(c, c) for c in _russian(low))
    if script == "az_latin" and text.startswith("i"):
        return "İ" + text[1:]
    return text[:1].upper() + text[1:]


def _surname(root: str, female: bool, form: str) -> str:
    """Azerbaijani Latin surname from a root: -ov/-yev (Russian style), -li or -zadə."""
    if form == "li":
        last = root[-1].lower()
        return root + ("lı" if last in "aıou" else "li")
    if form == "zade":
        return root + "zadə"
    suffix = "yev" if root[-1].lower() in _VOWELS else "ov"
    return root + suffix + ("a" if female else "")


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word)))
    kind = int(rng.integers(0, 4))
    letters = "aeioumnrlsdtkv"
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:
        return word[:i] + letters[int(rng.integers(0, len(letters)))] + word[i + 1 :]
    return word[:i] + word[i - 1] + word[i:]


class _Draw:
    """Draws indices with given weights in seeded batches (rng.choice with p is slow per call)."""

    def __init__(self, rng: np.random.Generator, weights: np.ndarray, batch: int = 65536):
        self.rng, self.weights, self.batch = rng, weights, batch
        self.buffer: list[int] = []

    def __call__(self) -> int:
        if not self.buffer:
            drawn = self.rng.choice(len(self.weights), size=self.batch, p=self.weights)
            self.buffer = drawn.tolist()[::-1]
        return self.buffer.pop()


def _zipf_weights(n: int, s: float) -> np.ndarray:
    w: np.ndarray = 1.0 / np.arange(1, n + 1) ** s
    out: np.ndarray = w / w.sum()
    return out


_FIN_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    """Generate about ``n`` registrations with ground truth column ``true_id``.

    It is long because it is benchmark data, which the 80-line rule exempts: one story (the
    people, then their registrations, then how each was spelt) drawn from one random stream
    in a fixed order, on which the published linkage figures rest.

    >>> df = generate(200, seed=1)
    >>> len(df), df["person_id"].is_unique
    (200, True)
    """
    rng = np.random.default_rng(seed)
    roots = list(dict.fromkeys(
        COMMON_SURNAME_ROOTS
        + [s[:-2] if s.endswith("ov") else s[:-3] for s in _AzNames.last_names_male
           if s.endswith(("ov", "yev"))]
    ))  # fmt: skip
    male = list(dict.fromkeys(x.strip() for x in _AzNames.first_names_male))
    female = list(dict.fromkeys(x.strip() for x in _AzNames.first_names_female))
    rng.shuffle(male)
    rng.shuffle(female)
    w_root = _zipf_weights(len(roots), 0.9)
    w_male = _zipf_weights(len(male), 0.8)
    w_female = _zipf_weights(len(female), 0.8)
    origins = [f"AZ{int(c):04d}" for c in rng.choice(9000, size=400, replace=False)]
    w_origin = _zipf_weights(len(origins), 0.8)
    d_root, d_male = _Draw(rng, w_root), _Draw(rng, w_male)
    d_female, d_origin = _Draw(rng, w_female), _Draw(rng, w_origin)
    d_script = _Draw(rng, np.array(SCRIPT_WEIGHTS))

    # People: families of a father, a mother and children; grandfather names recur.
    people: list[dict[str, object]] = []
    fam = 0
    target_entities = int(n / 1.55)
    while len(people) < target_entities:
        fam += 1
        root = roots[d_root()]
        grandpa = male[d_male()]
        father = male[d_male()]
        origin = origins[d_origin()]
        phone = f"+99450{int(rng.integers(1_000_000, 9_999_999))}"
        fy = int(rng.integers(1935, 1995))
        base = {"family": fam, "root": root, "origin": origin, "phone": phone}
        people.append(base | {"given": father, "female": False, "father": grandpa,
                              "birth": fy})  # fmt: skip
        mom_root = roots[d_root()] if rng.random() < 0.5 else root
        mom_father = male[d_male()]
        people.append(
            base
            | {
                "root": mom_root,
                "given": female[d_female()],
                "female": True,
                "father": mom_father,
                "birth": fy + int(rng.integers(-2, 8)),
            }
        )
        taken = {father}
        for _ in range(int(rng.integers(0, 5))):
            girl = bool(rng.random() < 0.5)
            # Siblings never share a given name; a boy is often named after his grandfather,
            # so cousins do.
            for _attempt in range(20):
                if girl:
                    given = female[d_female()]
                elif rng.random() < 0.3:
                    given = grandpa
                else:
                    given = male[d_male()]
                if given not in taken:
                    break
            else:
                continue
            taken.add(given)
            people.append(base | {"given": given, "female": girl, "father": father,
                                  "birth": fy + int(rng.integers(20, 38))})  # fmt: skip
    people = people[:target_entities]

    # Registrations: 1 to 5 per person, so that the total is n.
    counts = rng.choice([1, 2, 3, 4, 5], size=len(people), p=[0.62, 0.22, 0.1, 0.04, 0.02])
    diff = n - int(counts.sum())
    if diff > 0:
        np.add.at(counts, rng.integers(0, len(counts), size=diff), 1)
    while diff < 0:
        j = int(rng.integers(0, len(counts)))
        if counts[j] > 1:
            counts[j] -= 1
            diff += 1
    rows: list[dict[str, str]] = []
    epoch = date(1900, 1, 1)
    for pid, (person, count) in enumerate(zip(people, counts, strict=True)):
        by = min(int(person["birth"]), 2023)  # type: ignore[call-overload]
        born = date(by, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        fin = "".join(rng.choice(_FIN_ALPHABET, size=7)) if rng.random() < 0.6 else ""
        li_form = rng.random() < 0.12  # changed to Məmmədli after 1993 in some registries
        is_female = bool(person["female"])
        for _ in range(int(count)):
            source = int(rng.integers(0, 12))
            script = SCRIPTS[d_script()]
            form = "li" if li_form and rng.random() < 0.5 else "ov"
            if rng.random() < 0.01:
                form = "zade"
            surname = _render(_surname(str(person["root"]), is_female, form), script)
            given = _render(str(person["given"]), script)
            if rng.random() < 0.05:
                surname = _typo(surname, rng)
            if rng.random() < 0.05:
                given = _typo(given, rng)
            father = _render(str(person["father"]), script)
            u = rng.random()
            if u < 0.25:
                patronymic = ""
            elif script in ("ru_cyrillic", "ascii_ru") and u < 0.7:
                ru = _russian(str(person["father"]).lower())
                ru = ru + ("ев" if ru[-1] in "аеиоуяюы" else "ов") + ("на" if is_female else "ич")
                patronymic = (
                    _render(ru, "az_latin")
                    if script == "ru_cyrillic"
                    else ("".join(_RU_TO_ASCII.get(c, c) for c in ru).capitalize())
                )
            elif u < 0.5:
                patronymic = father
            else:
                particle = {"az_latin": ("oğlu", "qızı"), "az_cyrillic": ("оғлу", "гызы"),
                            "ru_cyrillic": ("оглы", "кызы"), "ascii_int": ("oglu", "qizi"),
                            "ascii_ru": ("ogly", "kyzy")}[script][is_female]  # fmt: skip
                patronymic = f"{father} {particle}"
            if rng.random() < 0.04:
                surname, given = given, surname
            d = born
            r = rng.random()
            bd = d.isoformat()
            if r < 0.08:
                bd = ""
            elif r < 0.12:
                bd = date(d.year, 1, 1).isoformat()  # only the year was known
            elif r < 0.18:
                kind = int(rng.integers(0, 3))
                if kind == 0 and d.day <= 12:
                    bd = date(d.year, d.day, d.month).isoformat()
                elif kind == 1:
                    bd = (d + timedelta(days=int(rng.integers(-9, 10)) or 1)).isoformat()
                else:
                    y = d.year + int(rng.choice([-10, -1, 1, 10]))
                    bd = date(min(max(y, 1901), 2024), d.month, min(d.day, 28)).isoformat()
            nid = fin if fin and rng.random() < 0.75 else ""
            if nid and rng.random() < 0.03:
                k = int(rng.integers(0, 7))
                nid = nid[:k] + str(rng.choice(_FIN_ALPHABET)) + nid[k + 1 :]
            sex = ("F" if is_female else "M") if rng.random() < 0.85 else ""
            r = rng.random()
            origin = str(person["origin"]) if r < 0.9 else ""
            if r > 0.97:  # registered under a neighbouring settlement
                origin = origins[int(rng.integers(0, len(origins)))]
            r = rng.random()
            phone = str(person["phone"]) if r < 0.4 else ""
            if r > 0.9:  # a personal or newer number
                phone = f"+99455{int(rng.integers(1_000_000, 9_999_999))}"
            rows.append({
                "person_id": "",
                "surname": surname,
                "given_name": given,
                "patronymic": patronymic,
                "sex": sex,
                "birth_date": bd,
                "national_id": nid,
                "household_id": f"S{source}-H{person['family']}",
                "origin": origin,
                "phone": phone,
                "true_id": str(pid),
            })  # fmt: skip
    order = rng.permutation(len(rows))
    df = pd.DataFrame([rows[i] for i in order])
    df["person_id"] = [f"P{i:07d}" for i in range(len(df))]
    del epoch
    return df


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    out = sys.argv[2] if len(sys.argv) > 2 else "persons.csv"
    generate(size, seed=int(sys.argv[3]) if len(sys.argv) > 3 else 0).to_csv(out, index=False)
