"""The words the kiosk ships: campaign vocabulary that is never flagged, names that are names.

The word lists themselves are glin-profanity's, per language (:data:`LIST_OF`). They flag what
a human-rights appeal must be able to say ("Stop the torture and rape of prisoners", Spanish
"asesinato", Arabic "اغتصاب"), so :data:`CAMPAIGN` allows it, in each shipped language; and
they flag surnames (Dick, Cumming, Butt), so a name is checked with :data:`NAMES` allowed too.
An organiser adds to both, or flags more, in the cases folder's ``moderation.toml``
(:mod:`kiosk.moderation.organiser`).

Entries are compared case-insensitively, after the same preparation as a letter's text
(:func:`kiosk.moderation.matching.prepared`). A list word that an allowed phrase contains is
allowed only inside that phrase ("date rape" is a list entry of its own, so it is allowed
by name).
"""

from __future__ import annotations

# The kiosk's languages (kiosk.i18n.LANGUAGES) and glin-profanity's list for each.
LIST_OF = {"en": "english", "es": "spanish", "fr": "french", "pl": "polish", "ar": "arabic"}

CAMPAIGN: dict[str, tuple[str, ...]] = {
    "en": (
        # what was done to people, as appeals name it
        "torture", "tortured", "torturing", "rape", "raped", "raping", "rapes", "rapist", "rapists", "date rape",
        "gang rape", "gang raped", "sexual violence", "sexual abuse", "sexually abused", "sexual assault", "sex",
        "sexual", "sex worker", "sex workers", "same-sex", "gay sex", "sodomy", "genitals", "genital", "penis",
        "vagina", "rectum", "nude", "nudity", "naked", "undressing", "stripped naked", "strip search",
        "bastinado", "strappado", "tied up", "beaten", "flogging", "flogged", "lashes", "whipped",
        "execution", "executions", "executed", "death penalty", "death row", "death sentence", "hanging", "hanged",
        "killed", "killing", "killings", "kill", "murder", "murdered", "murders", "massacre", "genocide",
        "detention", "detained", "prison", "prisoner", "prisoners", "jail", "jailed", "escort", "swastika",
        # who is targeted
        "gay", "lesbian", "homosexual", "homosexuality", "bisexual", "queer", "trans", "transgender", "intersex",
        # kisses at the end of a message
        "xx", "xxx",
    ),
    "es": (
        "tortura", "torturas", "torturado", "torturada", "violación", "violaciones", "violada", "violado",
        "violar", "violencia sexual", "abuso sexual", "abusos sexuales", "sexo", "sexual", "asesinato",
        "asesinatos", "asesinado", "asesinada", "ejecución", "ejecuciones", "ejecutado", "ejecutada",
        "pena de muerte", "pena capital", "muerte", "muerto", "muerta", "matar", "detención", "detenido",
        "detenida", "cárcel", "prisión", "preso", "presa", "presos", "desaparición forzada", "drogas",
        "racista", "racistas", "infierno", "homosexual", "lesbiana", "gay", "trans", "travesti", "travestis",
        # "you are a heroine"
        "heroína", "heroínas",
    ),
    "fr": (
        "torture", "tortures", "torturé", "torturée", "viol", "viols", "violée", "violé", "violer",
        "violence sexuelle", "violences sexuelles", "abus sexuels", "sexe", "sexuel", "sexuelle", "meurtre",
        "meurtres", "assassinat", "assassiné", "assassinée", "exécution", "exécutions", "exécuté", "exécutée",
        "peine de mort", "mort", "tué", "tuée", "tuer", "détention", "détenu", "détenue", "prison",
        "prisonnier", "prisonnière", "veuve", "gerbe", "homosexuel", "homosexuelle", "lesbienne", "gay",
        "trans",
        # Spanish "with": letters to authorities in Latin America are often written in Spanish
        "con",
    ),
    "pl": (
        "tortury", "torturowany", "torturowana", "gwałt", "gwałty", "zgwałcona", "zgwałcony", "przemoc seksualna",
        "zabójstwo", "morderstwo", "zamordowany", "zamordowana", "egzekucja", "egzekucje", "kara śmierci",
        "zabity", "zabita", "więzienie", "więzień", "więźniowie", "areszt", "zatrzymany", "zatrzymana",
        "homoseksualny", "homoseksualna", "lesbijka", "gej", "osoby trans",
    ),
    "ar": (
        "تعذيب", "اغتصاب", "عنف جنسي", "جنس", "الجنس", "جنسي", "قتل", "إعدام", "الإعدام", "عقوبة الإعدام",
        "احتجاز", "سجن", "السجن", "سجين", "سجينة", "معتقل", "معتقلة", "اختفاء قسري", "مثلي", "مثلية",
        # ordinary words of a letter that the Arabic list holds: poetry (a poet's case), deprived, times,
        # standing (with someone), serious, doves, tired, (I) want, my husband, my wife
        "شعر", "الشعر", "محروم", "محرومة", "مرات", "واقف", "واقفة", "جاد", "حمام", "تعبان", "تعبانة", "عايز",
        "عايزة", "جوزي", "مراتي",
    ),
}
"""Campaign vocabulary, per language: never flagged, in a message or a name."""

NAMES: tuple[str, ...] = (
    # given names and surnames that a word list holds
    "Dick", "Cumming", "Butt", "Hooker", "Poon", "Boner", "Santorum", "Shota", "Guro", "Lolita", "Kike",
    "Concha", "Verga", "Martillo", "Marica", "Con", "Semen", "Zizi", "جاد",
    # initials a list holds as an abbreviation
    "MF", "BS", "DP", "XX",
)
"""Names: allowed in a visitor's name (checked token by token), in every language; still flagged in
a message."""

FLAG: dict[str, tuple[str, ...]] = {
    "en": ("fuckyou", "fuckoff", "fucku", "fuckyourself", "fuk u", "stfu"),
    "es": ("hijodeputa", "hijueputa", "hdp", "malparido"),
    "fr": ("ntm", "fdp", "ta gueule", "nique", "niquer"),
    "pl": ("kurwo", "kurwy", "kurwę", "spierdalaj", "wypierdalaj", "pierdol", "jebany", "jebana", "chuju"),
    "ar": (),
}
"""Words flagged besides the lists' own: forms the lists miss (joined, inflected)."""
