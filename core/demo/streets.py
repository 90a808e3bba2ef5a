"""Street names built the way Norwegian towns name their streets.

Names are a stem plus a suffix (Bjørke+veien, Kirke+gata, Sol+bakken). Eastern towns
write ``-veien``, Trøndelag and Møre mostly ``-vegen``; that difference is what makes a
list of addresses look like it came from the right part of the country.
"""

import random

TREE_STEMS = ("Bjørke", "Gran", "Furu", "Eike", "Linde", "Rogn", "Selje", "Hegg", "Ospe",
              "Lønne", "Hassel", "Alm", "Lerke", "Syrin", "Hagtorn")
NATURE_STEMS = ("Sol", "Skog", "Myr", "Bekke", "Åker", "Eng", "Haug", "Bakke", "Fjell",
                "Lia", "Berg", "Elve", "Stein", "Dal", "Vang", "Løvås", "Nordli", "Sørli",
                "Blåbær", "Tyttebær", "Multe", "Bringebær", "Kløver", "Rype", "Orre")
TOWN_STEMS = ("Kirke", "Skole", "Stasjons", "Prestegårds", "Mølle", "Sag", "Smie",
              "Meieri", "Idretts", "Sykehus", "Industri", "Post", "Kongs", "Tings")
GATE_STEMS = ("Stor", "Kirke", "Skole", "Jernbane", "Strand", "Torg", "Elve", "Sjø",
              "Fjord", "Rådhus", "Tollbu", "Smed", "Fabrikk", "Lille", "Ny", "Kongens ")
SMALL_SUFFIXES = ("bakken", "lia", "tunet", "svingen", "stien", "haugen", "jordet",
                  "kroken", "vangen", "åsen")
SMALL_STEMS = TREE_STEMS + ("Sol", "Skog", "Myr", "Eng", "Fjell", "Stein", "Rype", "Kløver")
FULL_NAMES = ("Nedre Storgate", "Øvre Langgate", "Gamle Kongs{v}", "Park{v}", "Løkke{v}",
              "Nordre gate", "Søndre gate", "Torvet", "Brugata", "Hans Nielsens {v}",
              "Ole Bulls gate", "Henrik Ibsens gate", "Kong Oscars gate", "Dronningens gate")


def street_names(style: str) -> list[str]:
    """All candidate street names for a company whose roads end in ``style``."""
    road_stems = TREE_STEMS + NATURE_STEMS + TOWN_STEMS
    names = [stem + style for stem in road_stems]
    names += [stem.rstrip() + ("gata" if not stem.endswith(" ") else " gate")
              for stem in GATE_STEMS]
    names += [stem + suffix for stem in SMALL_STEMS for suffix in SMALL_SUFFIXES]
    short = "vei" if style == "veien" else "veg"
    names += [name.replace(" {v}", " " + short).replace("{v}", style) for name in FULL_NAMES]
    return sorted(set(names))


def sample_streets(rng: random.Random, style: str, count: int) -> list[str]:
    """A town's own streets: a deterministic sample, always including a main street."""
    names = street_names(style)
    chosen = rng.sample(names, min(count, len(names)))
    if "Storgata" not in chosen:
        chosen[0] = "Storgata"
    return chosen
