"""The household registration form, as data: survey, choices and settings.

Field names are the importer's column names (see docs/registry-intake.md), so a submission
export imports with `homecoming import-registry export.zip --format odk`. Choice names are
the model's values (ShelterKind, Sex, Relationship); a test keeps them in step. Labels are
given in English, Azerbaijani and Russian.
"""

from __future__ import annotations

LANGUAGES = ("English (en)", "Azərbaycanca (az)", "Русский (ru)")
FIN = r"^[0-9A-HJ-NP-Z]{7}$"  # 7 characters, no I or O (checked again on import)
PHONE = r"^\+?[0-9 ()-]{5,30}$"
PCODE = r"^[A-Z]{2}[0-9]{2,12}$"

# (type, name, labels (en, az, ru), extra columns; constraint_message has one per language)
Row = tuple[str, str, tuple[str, str, str], dict[str, str | tuple[str, str, str]]]
NO_LABEL = ("", "", "")

SURVEY: list[Row] = [
    ("start", "start", NO_LABEL, {}),
    ("end", "end", NO_LABEL, {}),
    ("today", "registered_on", NO_LABEL, {}),
    ("begin_group", "household", ("Household", "Ailə", "Семья"), {}),
    (
        "text",
        "reg_number",
        (
            "Registration number (IDP card)",
            "Qeydiyyat nömrəsi (MKŞ vəsiqəsi)",
            "Регистрационный номер (удостоверение ВПЛ)",
        ),
        {"required": "yes", "constraint": "string-length(.) <= 30"},
    ),
    (
        "text",
        "origin",
        (
            "Settlement of origin (code, e.g. AZ110101)",
            "Gəldiyi yaşayış məntəqəsi (kod, məs. AZ110101)",
            "Населённый пункт происхождения (код, напр. AZ110101)",
        ),
        {
            "required": "yes",
            "constraint": f"regex(., '{PCODE}')",
            "constraint_message": (
                "A settlement code such as AZ110101",
                "AZ110101 kimi yaşayış məntəqəsi kodu",
                "Код населённого пункта, например AZ110101",
            ),
        },
    ),
    (
        "select_one shelter",
        "shelter_kind",
        (
            "Where does the family live now?",
            "Ailə hazırda harada yaşayır?",
            "Где семья живёт сейчас?",
        ),
        {"required": "yes"},
    ),
    (
        "text",
        "shelter_address",
        ("Current address", "Hazırkı ünvan", "Текущий адрес"),
        {"constraint": "string-length(.) <= 200"},
    ),
    (
        "text",
        "phone",
        ("Phone", "Telefon", "Телефон"),
        {"constraint": f"regex(., '{PHONE}')", "appearance": "numbers"},
    ),
    ("end_group", "", NO_LABEL, {}),
    (
        "select_one yes_no",
        "consent",
        (
            "Does the family agree that the programme keeps and uses these data?",
            "Ailə bu məlumatların proqram tərəfindən saxlanılmasına və istifadəsinə razıdırmı?",
            "Согласна ли семья на хранение и использование этих данных программой?",
        ),
        {"required": "yes"},
    ),
    ("begin_repeat", "members", ("Family members", "Ailə üzvləri", "Члены семьи"), {}),
    ("text", "surname", ("Surname", "Soyad", "Фамилия"), {"required": "yes"}),
    ("text", "given_name", ("Given name", "Ad", "Имя"), {"required": "yes"}),
    (
        "text",
        "patronymic",
        ("Patronymic (father's name)", "Ata adı", "Отчество"),
        {},
    ),
    ("select_one sex", "sex", ("Sex", "Cins", "Пол"), {"required": "yes"}),
    (
        "date",
        "birth_date",
        ("Birth date", "Doğum tarixi", "Дата рождения"),
        {"constraint": ". <= today()"},
    ),
    (
        "text",
        "national_id",
        ("Personal ID (FIN)", "Şəxsiyyət vəsiqəsinin FİN kodu", "ФИН (личный код)"),
        {
            "constraint": f"regex(., '{FIN}')",
            "constraint_message": (
                "7 letters and digits, no I or O",
                "7 hərf və rəqəm, I və O olmadan",
                "7 букв и цифр, без I и O",
            ),
        },
    ),
    (
        "select_one relationship",
        "relationship",
        ("Relationship to the head", "Ailə başçısına münasibət", "Отношение к главе семьи"),
        {"required": "yes"},
    ),
    (
        "select_one yes_no",
        "needs_step_free",
        (
            "Needs step-free access (wheelchair, cannot climb stairs)",
            "Pilləkənsiz giriş lazımdır (əlil arabası, pilləkən qalxa bilmir)",
            "Нужен доступ без ступенек (коляска, не может подниматься)",
        ),
        {"required": "yes", "default": "no"},
    ),
    ("end_repeat", "", NO_LABEL, {}),
]

# list_name -> [(name, labels)]
CHOICES: dict[str, list[tuple[str, tuple[str, str, str]]]] = {
    "yes_no": [("yes", ("Yes", "Bəli", "Да")), ("no", ("No", "Xeyr", "Нет"))],
    "sex": [("M", ("Male", "Kişi", "Мужской")), ("F", ("Female", "Qadın", "Женский"))],
    "shelter": [
        ("tent", ("Tent camp", "Çadır düşərgəsi", "Палаточный лагерь")),
        ("dormitory", ("Dormitory", "Yataqxana", "Общежитие")),
        ("sanatorium", ("Sanatorium", "Sanatoriya", "Санаторий")),
        ("childrens_camp", ("Children's camp", "Uşaq düşərgəsi", "Детский лагерь")),
        ("administrative", ("Administrative building", "İnzibati bina", "Административное здание")),
        (
            "public_building",
            (
                "Adapted public building (school, kindergarten)",
                "Uyğunlaşdırılmış ictimai bina (məktəb, uşaq bağçası)",
                "Приспособленное общественное здание (школа, детсад)",
            ),
        ),
        ("unfinished", ("Unfinished building", "Yarımçıq tikili", "Недостроенное здание")),
        ("rented", ("Rented flat", "Kirayə mənzil", "Съёмная квартира")),
        ("relatives", ("With relatives", "Qohumların yanında", "У родственников")),
        (
            "own",
            (
                "Own or state-provided flat",
                "Şəxsi və ya dövlət mənzili",
                "Своя или государственная квартира",
            ),
        ),
    ],
    "relationship": [
        ("head", ("Head of household", "Ailə başçısı", "Глава семьи")),
        ("spouse", ("Spouse", "Həyat yoldaşı", "Супруг(а)")),
        ("child", ("Child", "Övlad", "Ребёнок")),
        ("parent", ("Parent", "Valideyn", "Родитель")),
        ("sibling", ("Brother or sister", "Qardaş və ya bacı", "Брат или сестра")),
        ("grandchild", ("Grandchild", "Nəvə", "Внук или внучка")),
        ("child_in_law", ("Son- or daughter-in-law", "Gəlin və ya kürəkən", "Зять или невестка")),
        ("other", ("Other relative", "Digər qohum", "Другой родственник")),
    ],
}

SETTINGS = {
    "form_title": "Homecoming: household registration",
    "form_id": "household_registration",
    "version": "2026050101",
    "default_language": LANGUAGES[0],
    "instance_name": "concat(${reg_number}, ' ', ${origin})",
}

EXTRA_COLUMNS = ("required", "constraint", "appearance", "default")
